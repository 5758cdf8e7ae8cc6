"""Tags, custom field definitions and teams through the API, with the Settings page's rules."""

from __future__ import annotations

from typing import Any

from django_scopes import scope, scopes_disabled

from halyard.api.tests.conftest import ApiClient, key_for, problem
from halyard.audit.models import AuditEntry
from halyard.contacts.models import Contact
from halyard.customfields.models import CustomField, Tag
from halyard.workspaces.models import Membership, Team


def test_admins_add_rename_and_delete_tags(acme: Any, alice: Any, alice_api: Any) -> None:
    created = alice_api.post("/api/v1/tags", {"name": " Khách VIP "})
    assert created.status_code == 201, created.json()
    tag = created.json()
    assert tag["name"] == "Khách VIP"
    contact = alice_api.post("/api/v1/contacts", {"last_name": "Đỗ", "tags": ["Khách VIP"]}).json()
    other = alice_api.post("/api/v1/tags", {"name": "Partner"}).json()
    url = f"/api/v1/tags/{tag['id']}"
    assert alice_api.get(url).json() == tag
    clash = problem(alice_api.patch(url, {"name": "Partner"}), 400, "invalid")
    assert "name" in clash["errors"]
    assert alice_api.patch(url, {"name": "VIP"}).json()["name"] == "VIP"
    assert alice_api.get(f"/api/v1/contacts/{contact['id']}").json()["tags"] == ["VIP"]
    names = [t["name"] for t in alice_api.get("/api/v1/tags").json()["results"]]
    assert names == ["Partner", "VIP"]
    assert alice_api.get("/api/v1/tags?name=VIP").json()["results"][0]["id"] == tag["id"]
    deleted = alice_api.delete(url)
    assert deleted.status_code == 204
    assert alice_api.get(f"/api/v1/contacts/{contact['id']}").json()["tags"] == []
    problem(alice_api.get(url), 404, "not_found")
    with scope(workspace=acme):
        assert Contact.objects.count() == 1
        assert list(Tag.objects.values_list("name", flat=True)) == [other["name"]]
        assert AuditEntry.objects.filter(object_type="customfields.tag").count() == 2
    assert "name" in problem(alice_api.post("/api/v1/tags", {"name": ""}), 400)["errors"]


def test_members_read_tags_but_only_admins_change_them(
    acme: Any, alice_api: Any, bob_api: Any
) -> None:
    tag = alice_api.post("/api/v1/tags", {"name": "VIP"}).json()
    assert [t["name"] for t in bob_api.get("/api/v1/tags").json()["results"]] == ["VIP"]
    problem(bob_api.post("/api/v1/tags", {"name": "Mine"}), 403, "forbidden")
    problem(bob_api.patch(f"/api/v1/tags/{tag['id']}", {"name": "X"}), 403, "forbidden")
    problem(bob_api.delete(f"/api/v1/tags/{tag['id']}"), 403, "forbidden")
    with scope(workspace=acme):
        assert list(Tag.objects.values_list("name", flat=True)) == ["VIP"]


def test_custom_fields_defined_changed_and_removed_by_admins(
    acme: Any, alice_api: Any, bob_api: Any
) -> None:
    created = alice_api.post(
        "/api/v1/custom-fields",
        {"record_type": "deals", "label": "Khu vực", "field_type": "select", "options": ["Bắc"]},
    )
    assert created.status_code == 201, created.json()
    field = created.json()
    assert field["key"] and field["options"] == ["Bắc"] and field["record_type"] == "deals"
    url = f"/api/v1/custom-fields/{field['id']}"
    changed = alice_api.patch(url, {"label": "Vùng", "options": ["Bắc", "Nam"], "required": True})
    assert changed.json()["label"] == "Vùng" and changed.json()["options"] == ["Bắc", "Nam"]
    assert changed.json()["key"] == field["key"]
    no_choices = problem(alice_api.patch(url, {"options": []}), 400, "invalid")
    assert "options" in no_choices["errors"]
    locked = problem(alice_api.patch(url, {"field_type": "text"}), 400, "invalid")
    assert "field_type" in locked["errors"]
    again = problem(
        alice_api.post(
            "/api/v1/custom-fields",
            {"record_type": "deals", "label": "Khu vực", "field_type": "text"},
        ),
        400,
    )
    assert "label" in again["errors"]
    select = problem(
        alice_api.post(
            "/api/v1/custom-fields", {"record_type": "deals", "label": "S", "field_type": "select"}
        ),
        400,
    )
    assert "options" in select["errors"]
    bad_type = problem(
        alice_api.post(
            "/api/v1/custom-fields", {"record_type": "ships", "label": "S", "field_type": "text"}
        ),
        400,
    )
    assert "record_type" in bad_type["errors"]
    listed = bob_api.get("/api/v1/custom-fields?record_type=deals").json()["results"]
    assert [f["id"] for f in listed] == [field["id"]]
    assert bob_api.get("/api/v1/custom-fields?record_type=contacts").json()["results"] == []
    assert bob_api.get(url).json()["label"] == "Vùng"
    problem(
        bob_api.post(
            "/api/v1/custom-fields", {"record_type": "deals", "label": "B", "field_type": "text"}
        ),
        403,
    )
    problem(bob_api.patch(url, {"label": "Bob's"}), 403)
    problem(bob_api.delete(url), 403)
    assert alice_api.delete(url).status_code == 204
    problem(alice_api.get(url), 404)
    with scope(workspace=acme):
        assert not CustomField.objects.exists()


def test_teams_are_listed_with_their_members(acme: Any, alice: Any, bob: Any) -> None:
    with scopes_disabled():
        team = Team.objects.create(workspace=acme, name="Miền Nam")
        team.members.add(Membership.objects.get(user=bob, workspace=acme))
    client = ApiClient(key_for(acme, bob, read_only=True))
    listed = client.get("/api/v1/teams").json()["results"]
    assert listed == [{"id": str(team.pk), "name": "Miền Nam", "members": [str(bob.pk)]}]
    assert client.get(f"/api/v1/teams/{team.pk}").json()["name"] == "Miền Nam"
    assert client.get("/api/v1/teams?name=Nope").json()["results"] == []
    problem(client.get("/api/v1/teams/999999"), 404, "not_found")
    problem(client.post("/api/v1/teams", {"name": "X"}), 403)
