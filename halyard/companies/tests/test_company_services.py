"""Companies' domains, hierarchy and deletion, written through the services."""

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope

from conftest import actor_for
from halyard.audit.models import AuditEntry
from halyard.companies.models import Company, CompanyDomain
from halyard.companies.selectors import duplicates_for_company, subsidiary_tree
from halyard.companies.services import (
    company_create,
    company_restore,
    company_trash,
    company_update,
)
from halyard.contacts.models import Contact, PastCompany
from halyard.contacts.services import contact_create
from halyard.deals.models import Deal
from halyard.deals.services import deal_create, pipeline_ensure_default


@pytest.fixture
def actor(acme, alice):
    acme.default_country = "VN"
    acme.save()
    return actor_for(acme, alice)


def _company(actor, name="Sao Mai", **values):
    with scope(workspace=actor.workspace):
        return company_create(actor=actor, values={"name": name, **values})


def test_domains_are_normalised_and_the_primary_kept_on_the_company(actor):
    company = _company(
        actor,
        domains=["https://www.SaoMai.vn/lien-he", {"domain": "saomai.com.vn", "is_primary": True}],
    )
    with scope(workspace=actor.workspace):
        assert company.domain == "saomai.com.vn"
        assert list(company.domains.values_list("domain", flat=True)) == [
            "saomai.com.vn",
            "saomai.vn",
        ]
        entry = AuditEntry.objects.get(object_type="companies.company", action="create")
        assert entry.changes["domains"] == [None, ["saomai.com.vn", "saomai.vn"]]
        assert company.search_terms()[:3] == ["Sao Mai", "saomai.com.vn", "saomai.vn"]


def test_a_single_domain_value_still_works(actor):
    company = _company(actor, domain="http://www.hoasen.vn/")
    with scope(workspace=actor.workspace):
        assert company.domain == "hoasen.vn"
        assert CompanyDomain.objects.get().domain == "hoasen.vn"


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"domains": ["not a domain"]}, "domains", "is not a domain name"),
        ({"domains": ["saomai.vn", "www.saomai.vn"]}, "domains", "listed twice"),
        ({"phone": "12"}, "phone", "is not a valid phone number for Vietnam"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_saved(actor, values, field, message):
    with pytest.raises(ValidationError) as caught:
        _company(actor, **values)
    assert message in " ".join(caught.value.message_dict[field])
    with scope(workspace=actor.workspace):
        assert not Company.objects.exists() and not CompanyDomain.objects.exists()


def test_the_phone_is_stored_in_e164(actor):
    assert _company(actor, phone="028 3822 1234").phone == "+842838221234"


def test_a_parent_that_would_make_a_cycle_is_refused(actor):
    group = _company(actor, "Group")
    child = _company(actor, "Child", parent=group)
    grandchild = _company(actor, "Grandchild", parent=child)
    with scope(workspace=actor.workspace):
        for parent in (grandchild, group):
            with pytest.raises(ValidationError) as caught:
                company_update(
                    actor=actor, company=group, expected_version=1, values={"parent": parent}
                )
            assert "parent" in caught.value.message_dict
        group.refresh_from_db()
        assert group.parent is None and group.version == 1
        assert [(c.name, depth) for c, depth in subsidiary_tree(group)] == [
            ("Child", 1),
            ("Grandchild", 2),
        ]


def test_a_parent_of_another_workspace_is_refused(actor, other, charlie):
    with scope(workspace=other):
        theirs = company_create(actor=actor_for(other, charlie), values={"name": "Theirs"})
    with pytest.raises(ValidationError) as caught:
        _company(actor, parent=theirs)
    assert "parent" in caught.value.message_dict


def _with_people(actor):
    company = _company(actor)
    with scope(workspace=actor.workspace):
        stage = pipeline_ensure_default(actor=actor).stages.first()
        contact = contact_create(actor=actor, values={"last_name": "Lan", "company": company})
        deal = deal_create(actor=actor, values={"name": "Kho", "stage": stage, "company": company})
    return company, contact, deal


def test_trashing_a_company_can_keep_its_contacts_and_deals_unlinked(actor):
    company, contact, deal = _with_people(actor)
    with scope(workspace=actor.workspace):
        company_trash(actor=actor, company=company, related="keep")
        contact.refresh_from_db()
        deal.refresh_from_db()
        assert contact.company is None and contact.deleted_at is None and contact.version == 2
        assert deal.company is None and deal.deleted_at is None
        entry = AuditEntry.objects.get(
            object_type="contacts.contact", object_id=str(contact.pk), action="update"
        )
        assert entry.changes["company"] == [company.pk, None]
        assert PastCompany.objects.get(contact=contact).company == company
        entry = AuditEntry.objects.get(object_type="companies.company", action="delete")
        assert entry.changes == {
            "unlinked_contacts": [[contact.pk], None],
            "unlinked_deals": [[deal.pk], None],
        }
        company = company_restore(actor=actor, company=Company.objects.trashed().get())
        assert company.deleted_at is None and company.trash_links == {}
        contact.refresh_from_db()
        deal.refresh_from_db()
        assert contact.company == company and deal.company == company
        assert not PastCompany.objects.exists()


def test_trashing_a_company_can_trash_its_contacts_and_deals_too(actor):
    company, contact, deal = _with_people(actor)
    with scope(workspace=actor.workspace):
        company_trash(actor=actor, company=company, related="trash")
        assert Contact.objects.trashed().get() == contact
        assert Deal.objects.trashed().get() == deal
        assert Company.objects.trashed().get() == company
        company_restore(actor=actor, company=Company.objects.trashed().get())
        assert Contact.objects.alive().get() == contact and Deal.objects.alive().get() == deal


def test_trashing_is_all_or_nothing_when_a_contact_cannot_be_touched(actor, acme, bob):
    company, contact, _deal = _with_people(actor)
    with scope(workspace=acme):
        # Bob may delete companies he owns, but not Alice's contacts.
        company.owner = bob
        company.save()
        with pytest.raises(Exception):  # noqa: B017 - permission denied, whatever its type
            company_trash(actor=actor_for(acme, bob), company=company, related="trash")
        contact.refresh_from_db()
        company.refresh_from_db()
        assert contact.deleted_at is None and company.deleted_at is None


def test_duplicates_are_found_by_any_domain(actor):
    company = _company(actor, domains=["saomai.vn", "saomai.com"])
    with scope(workspace=actor.workspace):
        assert duplicates_for_company(domains=["saomai.com"]) == [company]
        assert duplicates_for_company(domains=["saomai.com"], exclude_pk=company.pk) == []
