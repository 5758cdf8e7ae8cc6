"""The tenant boundary and roles, through the pages: Charlie gets 404 everywhere in Acme."""

import pytest
from django.urls import get_resolver, reverse
from django_scopes import scope

from conftest import actor_for, client_for
from halyard.companies.services import company_create
from halyard.contacts.models import Contact
from halyard.contacts.services import contact_create, contact_update
from halyard.workspaces.models import Invitation, Membership, Role


def _workspace_urls(slug, contact_pk, company_pk):
    """Every URL under /w/<slug>/, with record ids filled in."""
    resolver = get_resolver()
    urls = []
    for pattern in resolver.url_patterns:
        if str(pattern.pattern) != "w/<slug:slug>/":
            continue
        for sub in pattern.url_patterns:
            for name, args in _expand(sub, contact_pk, company_pk):
                urls.append(reverse(name, kwargs={"slug": slug, **args}))
    return urls


def _expand(pattern, contact_pk, company_pk):
    if hasattr(pattern, "url_patterns"):
        for sub in pattern.url_patterns:
            for name, args in _expand(sub, contact_pk, company_pk):
                yield name, args
        return
    keys = pattern.pattern.regex.groupindex.keys()
    args = {}
    for key in keys:
        if key == "pk":
            args[key] = company_pk if pattern.name.startswith("companies") else contact_pk
        else:
            args[key] = 1
    yield pattern.name, args


@pytest.fixture
def records(acme, alice):
    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        company = company_create(actor=actor, values={"name": "Acme Supplier"})
        contact = contact_create(actor=actor, values={"last_name": "Nguyen", "company": company})
    return contact, company


def test_charlie_gets_404_on_every_acme_page(records, charlie, other):
    contact, company = records
    client = client_for(charlie)
    urls = _workspace_urls("acme", contact.pk, company.pk)
    assert len(urls) > 20
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"name": "x", "last_name": "x"}).status_code == 404, url
    with scope(workspace=records[0].workspace):
        assert Contact.objects.get(pk=contact.pk).last_name == "Nguyen"


def test_anonymous_visitors_are_sent_to_sign_in(records):
    response = reverse("contacts_list", kwargs={"slug": "acme"})
    from django.test import Client

    r = Client().get(response)
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_another_workspaces_record_id_is_404_for_a_member(records, alice, other, charlie):
    with scope(workspace=other):
        foreign = contact_create(actor=actor_for(other, charlie), values={"last_name": "Secret"})
    client = client_for(alice)
    assert client.get(f"/w/acme/contacts/{foreign.pk}/").status_code == 404
    assert client.post(f"/w/acme/contacts/{foreign.pk}/delete/").status_code == 404


def test_a_rep_with_scope_own_sees_only_their_records(acme, alice, bob):
    with scope(workspace=acme):
        mine = contact_create(actor=actor_for(acme, bob), values={"last_name": "BobsLead"})
        theirs = contact_create(actor=actor_for(acme, alice), values={"last_name": "AlicesLead"})
    client = client_for(bob)
    page = client.get("/w/acme/contacts/").content.decode()
    assert "BobsLead" in page and "AlicesLead" not in page
    assert client.get(f"/w/acme/contacts/{mine.pk}/").status_code == 200
    assert client.get(f"/w/acme/contacts/{theirs.pk}/").status_code == 404


def test_a_team_scope_sees_teammates_records(acme, alice, bob):
    from halyard.workspaces.models import Team

    with scope(workspace=acme):
        role = Role.objects.get(key="sales_rep")
        role.record_scope = "team"
        role.save()
        team = Team.objects.create(workspace=acme, name="North")
        team.members.set(Membership.objects.filter(workspace=acme))
        theirs = contact_create(actor=actor_for(acme, alice), values={"last_name": "AlicesLead"})
    assert client_for(bob).get(f"/w/acme/contacts/{theirs.pk}/").status_code == 200


def test_read_only_member_cannot_create_or_edit(acme, alice, bob):
    with scope(workspace=acme):
        membership = Membership.objects.get(workspace=acme, user=bob)
        membership.role = Role.objects.get(key="read_only")
        membership.save()
        contact = contact_create(actor=actor_for(acme, alice), values={"last_name": "Keep"})
    client = client_for(bob)
    assert client.get(f"/w/acme/contacts/{contact.pk}/").status_code == 200
    assert client.get("/w/acme/contacts/new/").status_code == 403
    response = client.post(
        f"/w/acme/contacts/{contact.pk}/edit/", {"last_name": "Changed", "version": 1}
    )
    assert response.status_code == 403
    assert "Your role does not allow this." in response.content.decode()
    with scope(workspace=acme):
        assert Contact.objects.get(pk=contact.pk).last_name == "Keep"


def test_non_admins_cannot_open_settings(acme, bob):
    client = client_for(bob)
    for name in ("settings_general", "members", "roles", "teams", "fields_settings", "audit_log"):
        assert client.get(reverse(name, kwargs={"slug": "acme"})).status_code == 403, name
    assert (
        client.post("/w/acme/settings/members/", {"email": "x@example.com", "role": 1}).status_code
        == 403
    )
    assert not Invitation.objects.exists()


def test_stale_edit_in_the_browser_is_refused_with_a_message(acme, alice):
    with scope(workspace=acme):
        contact = contact_create(actor=actor_for(acme, alice), values={"last_name": "First"})
    client = client_for(alice)
    url = f"/w/acme/contacts/{contact.pk}/edit/"
    assert client.post(url, {"last_name": "Second", "version": 1}).status_code == 302
    response = client.post(url, {"last_name": "Third", "version": 1})
    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else changed this record" in page
    # The other person's change is shown, and what this person typed is still in the form.
    assert "<del>First</del> → <ins>Second</ins>" in page
    assert 'value="Third"' in page
    assert 'name="version" value="2"' in page
    with scope(workspace=acme):
        assert Contact.objects.get(pk=contact.pk).last_name == "Second"
    # Saving again, knowingly, replaces the other person's value.
    assert client.post(url, {"last_name": "Third", "version": 2}).status_code == 302
    with scope(workspace=acme):
        assert Contact.objects.get(pk=contact.pk).last_name == "Third"


def test_list_filters_on_custom_fields_and_tags(acme, alice):
    from halyard.customfields.models import CustomField, Tag

    with scope(workspace=acme):
        CustomField.objects.create(
            workspace=acme,
            record_type="contacts",
            key="segment",
            label="Segment",
            field_type="select",
            options=["SMB", "Ent"],
        )
        vip = Tag.objects.create(workspace=acme, name="VIP")
        actor = actor_for(acme, alice)
        contact_create(actor=actor, values={"last_name": "Small", "custom": {"segment": "SMB"}})
        contact_create(
            actor=actor, values={"last_name": "Large", "custom": {"segment": "Ent"}, "tags": [vip]}
        )
    client = client_for(alice)
    page = client.get("/w/acme/contacts/?cf_segment=SMB").content.decode()
    assert "Small" in page and "Large" not in page
    page = client.get("/w/acme/contacts/?tag=VIP").content.decode()
    assert "Large" in page and "Small" not in page
    page = client.get("/w/acme/contacts/?cf_segment__gt=notanumber").content.decode()
    assert page  # a nonsensical filter never errors


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_list_and_detail_pages_run_a_fixed_number_of_queries(acme, alice):
    from halyard.customfields.models import Tag

    client = client_for(alice)
    client.get("/w/acme/")  # the first request of a session records it; not what we measure
    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        company = company_create(actor=actor, values={"name": "Co"})
        tag = Tag.objects.create(workspace=acme, name="VIP")
        first = contact_create(
            actor=actor, values={"last_name": "P", "company": company, "tags": [tag]}
        )
    few_list = _queries(client, "/w/acme/contacts/")
    few_detail = _queries(client, f"/w/acme/contacts/{first.pk}/")
    with scope(workspace=acme):
        for i in range(30):
            contact_create(
                actor=actor, values={"last_name": f"P{i}", "company": company, "tags": [tag]}
            )
        contact_update(actor=actor, contact=first, expected_version=1, values={"title": "CEO"})
    assert _queries(client, "/w/acme/contacts/") == few_list
    assert _queries(client, f"/w/acme/contacts/{first.pk}/") == few_detail
    assert few_list <= 16  # session, user, membership, switcher, bell (2), tags, fields, views…


def test_create_and_edit_through_the_forms_with_owner_tags_and_custom_fields(acme, alice, bob):
    from halyard.customfields.models import CustomField, Tag

    with scope(workspace=acme):
        CustomField.objects.create(
            workspace=acme,
            record_type="contacts",
            key="since",
            label="Customer since",
            field_type="date",
        )
        vip = Tag.objects.create(workspace=acme, name="VIP")
    client = client_for(alice)
    response = client.post(
        "/w/acme/contacts/new/",
        {
            "first_name": "Mai",
            "last_name": "Nguyễn",
            "email": "MAI@example.vn",
            "owner": bob.pk,
            "tags": [vip.pk],
            "cf_since": "2024-02-29",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    with scope(workspace=acme):
        contact = Contact.objects.get(last_name="Nguyễn")
        assert contact.owner == bob and contact.email == "mai@example.vn"
        assert list(contact.tags.all()) == [vip] and contact.custom == {"since": "2024-02-29"}
    response = client.post(
        f"/w/acme/contacts/{contact.pk}/edit/",
        {
            "first_name": "Mai",
            "last_name": "Nguyễn",
            "owner": "",
            "version": 1,
            "cf_since": "",
        },
    )
    assert response.status_code == 302
    with scope(workspace=acme):
        contact.refresh_from_db()
        assert contact.owner is None and contact.version == 2 and not contact.tags.exists()


def test_bad_form_input_is_explained_and_nothing_is_saved(acme, alice, charlie, other):
    client = client_for(alice)
    response = client.post(
        "/w/acme/contacts/new/",
        {
            "last_name": "",
            "email": "not-an-email",
            "owner": charlie.pk,
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "This field is required." in page and "Enter a valid email address." in page
    assert "Select a valid choice." in page  # Charlie is not a member of Acme
    with scope(workspace=acme):
        assert not Contact.objects.exists()


@pytest.mark.parametrize(
    ("field_type", "stored", "query", "matches"),
    [
        ("number", 40, "cf_f__gte=40", True),
        ("number", 40, "cf_f__lte=39", False),
        ("currency", "1500000.00", "cf_f__gte=1000000&cf_f__lte=2000000", True),
        ("date", "2025-01-31", "cf_f__gte=2025-01-01&cf_f__lte=2025-01-31", True),
        ("date", "2025-02-01", "cf_f__lte=2025-01-31", False),
        ("checkbox", True, "cf_f=true", True),
        ("checkbox", False, "cf_f=true", False),
        ("text", "Kho Hải Phòng", "cf_f__contains=hải", True),
        ("email", "ops@kho.vn", "cf_f__contains=kho.vn", True),
    ],
)
def test_every_kind_of_custom_field_filters_from_the_list(
    acme, alice, field_type, stored, query, matches
):
    from halyard.customfields.models import CustomField

    with scope(workspace=acme):
        CustomField.objects.create(
            workspace=acme, record_type="contacts", key="f", label="F", field_type=field_type
        )
        contact_create(
            actor=actor_for(acme, alice), values={"last_name": "Match", "custom": {"f": stored}}
        )
    page = client_for(alice).get(f"/w/acme/contacts/?{query}").content.decode()
    assert ("/w/acme/contacts/" in page) and (">Match<" in page) is matches
    assert '<option value="cf_f" data-kind=' in page  # offered in the filter builder


def test_custom_values_are_shown_in_the_readers_format(acme, alice, bob):
    from halyard.customfields.models import CustomField

    with scope(workspace=acme):
        for key, kind in [
            ("budget", "currency"),
            ("since", "date"),
            ("rep", "user"),
            ("seats", "number"),
        ]:
            CustomField.objects.create(
                workspace=acme, record_type="contacts", key=key, label=key.title(), field_type=kind
            )
        contact = contact_create(
            actor=actor_for(acme, alice),
            values={
                "last_name": "Vo",
                "custom": {
                    "budget": "1500000",
                    "since": "2025-01-31",
                    "rep": bob.pk,
                    "seats": 1200,
                },
            },
        )
    alice.language = "vi"
    alice.save()
    page = client_for(alice).get(f"/w/acme/contacts/{contact.pk}/").content.decode()
    assert "1.500.000,00\xa0US$" in page  # the workspace's currency, written the Vietnamese way
    assert "31/01/2025" in page and "Bob Rep" in page and "1.200" in page
