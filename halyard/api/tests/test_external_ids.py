"""External ids: written and read through the API, unique per workspace and type, filterable."""

from __future__ import annotations

from typing import Any

import pytest
from django_scopes import scope

from conftest import actor_for, client_for
from halyard.api.tests.conftest import ApiClient, problem
from halyard.audit.models import AuditEntry
from halyard.contacts.models import Contact
from halyard.contacts.services import contact_create, contact_trash
from halyard.leads.services import lead_create

MINIMAL = {
    "contacts": {"last_name": "Ngô"},
    "companies": {"name": "Sao Mai"},
    "leads": {"last_name": "Ngô"},
}


@pytest.mark.parametrize("resource", ["contacts", "companies", "leads"])
def test_a_second_record_with_the_same_external_id_is_409_naming_the_holder(
    acme: Any, alice_api: ApiClient, resource: str
) -> None:
    first = alice_api.post(f"/api/v1/{resource}", {**MINIMAL[resource], "external_id": "C-1"})
    assert first.status_code == 201
    assert first.json()["external_id"] == "C-1"
    holder = first.json()["id"]
    body = problem(
        alice_api.post(f"/api/v1/{resource}", {**MINIMAL[resource], "external_id": "C-1"}),
        409,
        "external_id_taken",
    )
    assert body["holder_id"] == holder
    assert holder in body["detail"] and "external_id" in body["errors"]
    second = alice_api.post(f"/api/v1/{resource}", MINIMAL[resource]).json()["id"]
    problem(
        alice_api.patch(f"/api/v1/{resource}/{second}", {"external_id": "C-1"}),
        409,
        "external_id_taken",
    )
    listed = alice_api.get(f"/api/v1/{resource}?external_id=C-1").json()["results"]
    assert [r["id"] for r in listed] == [holder]


def test_blank_external_ids_do_not_clash_and_an_id_can_be_cleared(
    acme: Any, alice_api: ApiClient
) -> None:
    a = alice_api.post("/api/v1/contacts", {"last_name": "A"}).json()
    b = alice_api.post("/api/v1/contacts", {"last_name": "B", "external_id": ""}).json()
    assert a["external_id"] == b["external_id"] == ""
    set_ = alice_api.patch(f"/api/v1/contacts/{a['id']}", {"external_id": " erp-7 "})
    assert set_.json()["external_id"] == "erp-7" and set_.json()["version"] == 2
    cleared = alice_api.patch(f"/api/v1/contacts/{a['id']}", {"external_id": ""})
    assert cleared.json()["external_id"] == "" and cleared.json()["version"] == 3
    with scope(workspace=acme):
        changes = [e.changes for e in AuditEntry.objects.filter(action="update").order_by("pk")]
    assert changes == [{"external_id": [None, "erp-7"]}, {"external_id": ["erp-7", None]}]
    without = alice_api.get("/api/v1/contacts?external_id=").json()["results"]
    assert {r["id"] for r in without} == {a["id"], b["id"]}


def test_a_trashed_record_keeps_its_external_id(
    acme: Any, alice: Any, alice_api: ApiClient
) -> None:
    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        old = contact_create(actor=actor, values={"last_name": "Old", "external_id": "T-1"})
        contact_trash(actor=actor, contact=old)
    body = problem(
        alice_api.post("/api/v1/contacts", {"last_name": "New", "external_id": "T-1"}),
        409,
        "external_id_taken",
    )
    assert body["holder_id"] == str(old.pk)


def test_the_same_external_id_is_fine_in_another_type_or_workspace(
    acme: Any, alice: Any, other: Any, charlie: Any, alice_api: ApiClient
) -> None:
    with scope(workspace=other):
        contact_create(
            actor=actor_for(other, charlie), values={"last_name": "X", "external_id": "S-1"}
        )
    with scope(workspace=acme):
        lead_create(actor=actor_for(acme, alice), values={"last_name": "L", "external_id": "S-1"})
    response = alice_api.post("/api/v1/contacts", {"last_name": "Y", "external_id": "S-1"})
    assert response.status_code == 201
    assert alice_api.get("/api/v1/leads?external_id=S-1").json()["results"][0]["last_name"] == "L"
    with scope(workspace=acme):
        assert Contact.objects.get().external_id == "S-1"


def test_an_external_id_over_255_characters_is_400(acme: Any, alice_api: ApiClient) -> None:
    body = problem(
        alice_api.post("/api/v1/contacts", {"last_name": "Y", "external_id": "x" * 256}),
        400,
        "invalid",
    )
    assert "external_id" in body["errors"]


def test_the_record_page_shows_the_external_id_only_when_set(acme: Any, alice: Any) -> None:
    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        tagged = contact_create(actor=actor, values={"last_name": "Set", "external_id": "ERP-42"})
        plain = contact_create(actor=actor, values={"last_name": "Plain"})
    client = client_for(alice)
    page = client.get(f"/w/{acme.slug}/contacts/{tagged.pk}/").content.decode()
    assert "External id" in page and "ERP-42" in page
    assert "External id" not in client.get(f"/w/{acme.slug}/contacts/{plain.pk}/").content.decode()
