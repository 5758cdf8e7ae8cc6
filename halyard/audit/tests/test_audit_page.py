"""The workspace audit page: filters, member account events, and nothing from elsewhere."""

from django.test import Client
from django_scopes import scope

from conftest import actor_for, client_for
from halyard.contacts.services import contact_create, contact_update

PASSWORD = "correct-horse-battery-9"


def test_audit_page_shows_changes_with_old_and_new_values(acme, alice):
    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        contact = contact_create(actor=actor, values={"last_name": "Tran"})
        contact_update(
            actor=actor, contact=contact, expected_version=1, values={"last_name": "Trần"}
        )
    page = client_for(alice).get("/w/acme/settings/audit/?action=update").content.decode()
    assert "Last name: <del>Tran</del> → <ins>Trần</ins>" in page
    assert "Created" not in page.split("<tbody>")[1]


def test_audit_page_includes_members_sign_ins_but_not_outsiders(acme, alice, bob, charlie, other):
    for email in ("bob@example.com", "charlie@example.com"):
        Client().post("/accounts/login/", {"login": email, "password": PASSWORD})
    page = client_for(alice).get("/w/acme/settings/audit/?action=sign_in").content.decode()
    body = page.split("<tbody>")[1]
    assert "bob@example.com" in body and "charlie@example.com" not in body


def test_audit_page_filters_by_source_and_person(acme, alice, bob):
    with scope(workspace=acme):
        contact_create(actor=actor_for(acme, bob), values={"last_name": "ByBob"})
        contact_create(actor=actor_for(acme, alice), values={"last_name": "ByAlice"})
    client = client_for(alice)
    body = client.get("/w/acme/settings/audit/?actor=bob").content.decode().split("<tbody>")[1]
    assert "ByBob" in body and "ByAlice" not in body
    body = client.get("/w/acme/settings/audit/?source=import").content.decode()
    assert "ByBob" not in body.split("<tbody>")[1]


def test_record_page_shows_its_history(acme, alice):
    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        contact = contact_create(actor=actor, values={"last_name": "Le"})
        contact_update(
            actor=actor, contact=contact, expected_version=1, values={"email": "le@example.com"}
        )
    page = client_for(alice).get(f"/w/acme/contacts/{contact.pk}/").content.decode()
    assert "Timeline" in page and "le@example.com" in page and "Updated" in page


def test_history_names_fields_and_related_records(acme, alice, bob):
    from halyard.companies.services import company_create
    from halyard.customfields.models import CustomField

    with scope(workspace=acme):
        CustomField.objects.create(
            workspace=acme,
            record_type="contacts",
            key="segment",
            label="Segment",
            field_type="text",
        )
        actor = actor_for(acme, alice)
        company = company_create(actor=actor, values={"name": "Sao Mai Logistics"})
        contact = contact_create(actor=actor, values={"last_name": "Vo"})
        contact_update(
            actor=actor,
            contact=contact,
            expected_version=1,
            values={
                "company": company,
                "owner_id": bob.pk,
                "title": "CFO",
                "custom": {"segment": "SMB"},
            },
        )
    page = client_for(alice).get(f"/w/acme/contacts/{contact.pk}/").content.decode()
    history = page.split('id="timeline-h"')[1]
    assert "Company: <del>—</del> → <ins>Sao Mai Logistics</ins>" in history
    assert "Owner: <del>Alice Owner</del> → <ins>Bob Rep</ins>" in history
    assert "Job title:" in history and "Segment: <del>—</del> → <ins>SMB</ins>" in history
