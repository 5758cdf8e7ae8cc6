"""Contacts' e-mails, phones, companies and consent, written through the services."""

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope

from conftest import actor_for
from halyard.audit.models import AuditEntry
from halyard.audit.services import VersionConflict
from halyard.companies.services import company_create
from halyard.contacts.models import Contact, ContactEmail, ContactPhone, PastCompany
from halyard.contacts.selectors import duplicates_for_contact
from halyard.contacts.services import contact_create, contact_trash, contact_update


@pytest.fixture
def vn(acme):
    acme.default_country = "VN"
    acme.save()
    return acme


@pytest.fixture
def actor(vn, alice):
    return actor_for(vn, alice)


def _create(actor, **values):
    with scope(workspace=actor.workspace):
        return contact_create(actor=actor, values={"last_name": "Nguyễn", **values})


def test_emails_and_phones_are_stored_as_rows_with_the_primary_copied(actor):
    contact = _create(
        actor,
        emails=[{"email": "Mai@Example.vn"}, {"email": "mai.home@example.vn", "is_primary": True}],
        phones=[
            {"number": "0912 345 678", "kind": "mobile"},
            {"number": "028 3822 1234", "kind": "work"},
        ],
    )
    with scope(workspace=actor.workspace):
        contact.refresh_from_db()
        assert contact.email == "mai.home@example.vn"
        assert contact.phone == "+84912345678"
        assert [e.email for e in contact.emails.all()] == [
            "mai.home@example.vn",
            "mai@example.vn",
        ]
        assert [(p.number, p.kind, p.is_primary) for p in contact.phones.all()] == [
            ("+84912345678", "mobile", True),
            ("+842838221234", "work", False),
        ]
        entry = AuditEntry.objects.get(
            object_type="contacts.contact", object_id=str(contact.pk), action="create"
        )
        assert entry.changes["phones"] == [None, ["+84912345678 (mobile)", "+842838221234 (work)"]]


def test_a_phone_change_is_audited_and_bumps_the_version(actor):
    contact = _create(actor, phones=["0912345678"])
    with scope(workspace=actor.workspace):
        contact = contact_update(
            actor=actor,
            contact=contact,
            expected_version=1,
            values={"phones": [{"number": "+84 913 000 111", "kind": "work"}]},
        )
        assert contact.version == 2 and contact.phone == "+84913000111"
        entry = AuditEntry.objects.get(
            object_type="contacts.contact", object_id=str(contact.pk), action="update"
        )
        assert entry.changes["phones"] == [["+84912345678 (mobile)"], ["+84913000111 (work)"]]
        assert entry.changes["phone"] == ["+84912345678", "+84913000111"]
        with pytest.raises(VersionConflict):
            contact_update(actor=actor, contact=contact, expected_version=1, values={"phones": []})


def test_a_single_email_value_replaces_only_the_primary(actor):
    contact = _create(actor, emails=["a@example.vn", "b@example.vn"])
    with scope(workspace=actor.workspace):
        contact_update(
            actor=actor, contact=contact, expected_version=1, values={"email": "C@example.vn"}
        )
        contact.refresh_from_db()
        assert contact.email == "c@example.vn"
        assert list(contact.emails.values_list("email", flat=True)) == [
            "c@example.vn",
            "b@example.vn",
        ]


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"emails": ["not-an-email"]}, "emails", "is not a valid e-mail address"),
        ({"phones": ["12345"]}, "phones", "is not a valid phone number for Vietnam"),
        ({"phones": ["0912345678", "+84912345678"]}, "phones", "listed twice"),
        (
            {
                "emails": [
                    {"email": "a@x.vn", "is_primary": True},
                    {"email": "b@x.vn", "is_primary": True},
                ]
            },
            "emails",
            "Only one e-mail address can be primary",
        ),
    ],
)
def test_bad_values_are_refused_at_their_field_and_nothing_is_saved(actor, values, field, message):
    with pytest.raises(ValidationError) as caught:
        _create(actor, **values)
    assert message in " ".join(caught.value.message_dict[field])
    with scope(workspace=actor.workspace):
        assert not Contact.objects.exists()
        assert not ContactEmail.objects.exists() and not ContactPhone.objects.exists()


def test_a_company_of_another_workspace_is_refused(actor, other, charlie):
    with scope(workspace=other):
        theirs = company_create(actor=actor_for(other, charlie), values={"name": "Theirs"})
    with pytest.raises(ValidationError) as caught:
        _create(actor, company=theirs)
    assert "company" in caught.value.message_dict


def test_changing_company_keeps_the_previous_one_as_a_past_company(actor):
    with scope(workspace=actor.workspace):
        first = company_create(actor=actor, values={"name": "Sao Mai"})
        second = company_create(actor=actor, values={"name": "Hoa Sen"})
    contact = _create(actor, company=first, title="Kế toán")
    with scope(workspace=actor.workspace):
        contact = contact_update(
            actor=actor,
            contact=contact,
            expected_version=1,
            values={"company": second, "title": "Giám đốc"},
        )
        past = PastCompany.objects.get(contact=contact)
        assert past.company == first and past.title == "Kế toán" and past.ended_on
        assert contact.company == second and contact.company_since
        # Saving again without a company change adds nothing.
        contact_update(actor=actor, contact=contact, expected_version=2, values={"company": second})
        assert PastCompany.objects.count() == 1


def test_consent_flags_record_when_they_were_set(actor):
    contact = _create(actor, do_not_call=True, do_not_call_source="asked on the phone")
    assert contact.do_not_call_at is not None
    with scope(workspace=actor.workspace):
        contact = contact_update(
            actor=actor, contact=contact, expected_version=1, values={"do_not_call": False}
        )
    assert contact.do_not_call_at is None and contact.do_not_call_source == ""


def test_search_terms_hold_names_emails_and_phones(actor):
    contact = _create(actor, first_name="Mai", emails=["mai@example.vn"], phones=["0912345678"])
    with scope(workspace=actor.workspace):
        terms = contact.search_terms()
    assert {"Mai Nguyễn", "mai@example.vn", "+84912345678", "0912345678"} <= set(terms)


def test_duplicates_are_found_by_any_email_or_phone_of_live_contacts(actor):
    first = _create(actor, emails=["x@example.vn", "mai@example.vn"], phones=["0912345678"])
    gone = _create(actor, emails=["gone@example.vn"])
    with scope(workspace=actor.workspace):
        contact_trash(actor=actor, contact=gone)
        assert duplicates_for_contact(emails=["MAI@example.vn"]) == [first]
        assert duplicates_for_contact(phones=["+84912345678"]) == [first]
        assert duplicates_for_contact(emails=["mai@example.vn"], exclude_pk=first.pk) == []
        assert duplicates_for_contact(emails=["gone@example.vn"]) == []
