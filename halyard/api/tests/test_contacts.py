"""Contacts through the API: CRUD, restore, e-mails and phones, tags and custom fields."""

from __future__ import annotations

from typing import Any

from django_scopes import scope

from halyard.api.tests.conftest import problem
from halyard.audit.models import AuditEntry
from halyard.contacts.models import Contact

URL = "/api/v1/contacts"


def test_create_read_update_trash_restore(acme: Any, alice_api: Any) -> None:
    response = alice_api.post(
        URL,
        {
            "first_name": "Lan",
            "last_name": "Phạm",
            "emails": [{"email": "Lan@Example.com"}, {"email": "lan.pham@example.vn"}],
            "phones": [{"number": "+84 90 123 4567", "kind": "work"}],
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert response["ETag"] == '"1"'
    assert body["email"] == "lan@example.com"
    assert [e["email"] for e in body["emails"]] == ["lan@example.com", "lan.pham@example.vn"]
    assert body["phones"][0]["number"] == "+84901234567"
    assert response["Location"].endswith(f"{URL}/{body['id']}")
    with scope(workspace=acme):
        contact = Contact.objects.get(pk=body["id"])
        assert contact.source == "api"
        assert AuditEntry.objects.filter(object_id=str(contact.pk), source="api").count() == 1

    read = alice_api.get(f"{URL}/{body['id']}")
    assert read.status_code == 200
    assert read.json()["full_name"] == "Lan Phạm"

    changed = alice_api.patch(f"{URL}/{body['id']}", {"title": "CFO"}, if_match='"1"')
    assert changed.status_code == 200, changed.json()
    assert changed.json()["title"] == "CFO"
    assert changed["ETag"] == '"2"'

    trashed = alice_api.delete(f"{URL}/{body['id']}")
    assert trashed.status_code == 200
    assert trashed.json()["deleted_at"] is not None
    problem(alice_api.get(f"{URL}/{body['id']}"), 404, "not_found")

    restored = alice_api.post(f"{URL}/{body['id']}/restore")
    assert restored.status_code == 200
    assert restored.json()["deleted_at"] is None
    assert alice_api.get(f"{URL}/{body['id']}").status_code == 200


def test_create_refuses_bad_email_at_the_field(acme: Any, alice_api: Any) -> None:
    response = alice_api.post(URL, {"last_name": "Phạm", "emails": [{"email": "not-an-email"}]})
    body = problem(response, 400, "invalid")
    assert "emails" in body["errors"]
    with scope(workspace=acme):
        assert not Contact.objects.exists()


def test_list_searches_and_filters(acme: Any, alice_api: Any) -> None:
    alice_api.post(URL, {"last_name": "Nguyễn", "lifecycle_stage": "customer"})
    alice_api.post(URL, {"last_name": "Trần", "lifecycle_stage": "lead"})
    names = [c["last_name"] for c in alice_api.get(f"{URL}?q=Trần").json()["results"]]
    assert names == ["Trần"]
    stage = alice_api.get(f"{URL}?lifecycle_stage=customer").json()["results"]
    assert [c["last_name"] for c in stage] == ["Nguyễn"]
    ordered = alice_api.get(f"{URL}?ordering=last_name").json()["results"]
    assert [c["last_name"] for c in ordered] == ["Nguyễn", "Trần"]
