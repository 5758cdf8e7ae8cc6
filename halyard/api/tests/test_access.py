"""Who may do what: keys, roles, record scope, and the wall between workspaces."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from conftest import actor_for
from halyard.api.models import ApiKey
from halyard.api.services import apikey_revoke
from halyard.api.tests.conftest import ApiClient, key_for, problem
from halyard.audit.models import AuditEntry
from halyard.companies.models import Company
from halyard.companies.services import company_create
from halyard.contacts.models import Contact
from halyard.contacts.services import contact_create
from halyard.deals.models import Deal
from halyard.deals.tests.factories import make_deal, sales_pipeline
from halyard.leads.models import Lead
from halyard.leads.services import lead_create


def test_no_key_is_401(acme: Any) -> None:
    response = ApiClient(None).get("/api/v1/contacts")
    problem(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_wrong_scheme_or_unknown_key_is_401(acme: Any) -> None:
    problem(ApiClient("hk_nope").get("/api/v1/contacts"), 401, "invalid_key")
    basic = ApiClient(None).get("/api/v1/contacts", authorization="Basic YTpi")
    problem(basic, 401, "invalid_key")


def test_a_revoked_key_is_401(acme: Any, alice: Any) -> None:
    secret = key_for(acme, alice)
    client = ApiClient(secret)
    assert client.get("/api/v1/contacts").status_code == 200
    with scopes_disabled():
        key = ApiKey.objects.get()
        apikey_revoke(actor=actor_for(acme, alice), key=key)
    problem(client.get("/api/v1/contacts"), 401, "invalid_key")


def test_an_expired_key_is_401(acme: Any, alice: Any) -> None:
    client = ApiClient(key_for(acme, alice, expires_days=1))
    ApiKey.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    problem(client.get("/api/v1/contacts"), 401, "invalid_key")


def test_a_key_of_a_removed_member_is_401(acme: Any, bob: Any, bob_api: Any) -> None:
    with scopes_disabled():
        bob.memberships.update(is_active=False)
    problem(bob_api.get("/api/v1/contacts"), 401, "invalid_key")


def test_session_login_does_not_reach_the_api(acme: Any, alice: Any) -> None:
    from conftest import client_for

    response = client_for(alice).get("/api/v1/contacts")
    assert response.status_code == 401


def test_key_use_is_recorded(acme: Any, alice_api: Any) -> None:
    alice_api.get("/api/v1/contacts")
    assert ApiKey.objects.get().last_used_at is not None


def test_a_read_only_key_reads_but_cannot_write(acme: Any, alice: Any, reader_api: Any) -> None:
    with scope(workspace=acme):
        contact = contact_create(actor=actor_for(acme, alice), values={"last_name": "Đỗ"})
    assert reader_api.get(f"/api/v1/contacts/{contact.pk}").status_code == 200
    problem(reader_api.post("/api/v1/contacts", {"last_name": "X"}), 403, "forbidden")
    problem(reader_api.patch(f"/api/v1/contacts/{contact.pk}", {"title": "X"}), 403)
    problem(reader_api.delete(f"/api/v1/contacts/{contact.pk}"), 403)
    problem(reader_api.post(f"/api/v1/contacts/{contact.pk}/restore"), 403)
    with scope(workspace=acme):
        assert Contact.objects.count() == 1
        assert Contact.objects.get().version == 1


def test_a_rep_with_scope_own_cannot_read_others_deals(
    acme: Any, alice: Any, bob: Any, bob_api: Any
) -> None:
    _pipeline, stages = sales_pipeline(acme, alice)
    stage = next(iter(stages.values()))
    alices = make_deal(acme, alice, stage, name="Alice's")
    bobs = make_deal(acme, bob, stage, name="Bob's")
    listed = [d["id"] for d in bob_api.get("/api/v1/deals").json()["results"]]
    assert listed == [str(bobs.pk)]
    problem(bob_api.get(f"/api/v1/deals/{alices.pk}"), 404, "not_found")
    problem(bob_api.patch(f"/api/v1/deals/{alices.pk}", {"name": "Mine"}), 404)
    problem(bob_api.delete(f"/api/v1/deals/{alices.pk}"), 404)
    problem(bob_api.post(f"/api/v1/deals/{alices.pk}/move", {"stage": str(stage.pk)}), 404)
    assert bob_api.get(f"/api/v1/deals/{bobs.pk}").status_code == 200
    with scope(workspace=acme):
        assert Deal.objects.get(pk=alices.pk).name == "Alice's"


def test_a_role_without_the_action_is_403(acme: Any, alice: Any, bob: Any) -> None:
    from halyard.workspaces.models import Membership, Role

    with scopes_disabled():
        Membership.objects.filter(user=bob).update(
            role=Role.objects.get(workspace=acme, key="finance")
        )
    client = ApiClient(key_for(acme, bob))
    problem(client.post("/api/v1/contacts", {"last_name": "X"}), 403, "forbidden")
    with scope(workspace=acme):
        assert not Contact.objects.exists()


def _others(other: Any, charlie: Any) -> dict[str, Any]:
    """Create one record of each type in Charlie's workspace."""
    _pipeline, stages = sales_pipeline(other, charlie)
    stage = next(iter(stages.values()))
    with scope(workspace=other):
        actor = actor_for(other, charlie)
        records = {
            "contacts": contact_create(actor=actor, values={"last_name": "Outsider"}),
            "companies": company_create(actor=actor, values={"name": "Other Co"}),
            "leads": lead_create(actor=actor, values={"last_name": "Other lead"}),
        }
    records["deals"] = make_deal(other, charlie, stage, name="Other deal")
    records["pipelines"] = _pipeline
    records["stage"] = stage
    return records


def _snapshot(workspace: Any) -> list[Any]:
    with scope(workspace=workspace):
        return [
            sorted(
                m._base_manager.filter(workspace=workspace).values_list(
                    "pk", "version", "deleted_at"
                )
            )
            for m in (Contact, Company, Lead, Deal)
        ]


@pytest.mark.parametrize("resource", ["contacts", "companies", "leads", "deals"])
def test_ids_of_another_workspace_are_404_and_change_nothing(
    acme: Any, other: Any, charlie: Any, alice_api: Any, resource: str
) -> None:
    records = _others(other, charlie)
    pk = records[resource].pk
    before = _snapshot(other)
    audit = AuditEntry.objects.count()
    url = f"/api/v1/{resource}/{pk}"
    problem(alice_api.get(url), 404, "not_found")
    problem(alice_api.patch(url, {"owner": None}), 404, "not_found")
    problem(alice_api.delete(url), 404, "not_found")
    problem(alice_api.post(f"{url}/restore"), 404, "not_found")
    if resource == "leads":
        problem(alice_api.post(f"{url}/convert", {}), 404, "not_found")
    if resource == "deals":
        problem(alice_api.post(f"{url}/move", {"stage": str(records["stage"].pk)}), 404)
    assert alice_api.get(f"/api/v1/{resource}").json()["results"] == []
    assert _snapshot(other) == before
    assert AuditEntry.objects.count() == audit


def test_foreign_ids_in_bodies_and_filters_are_refused(
    acme: Any, alice: Any, other: Any, charlie: Any, alice_api: Any
) -> None:
    records = _others(other, charlie)
    body = problem(
        alice_api.post(
            "/api/v1/contacts",
            {"last_name": "X", "company": str(records["companies"].pk), "owner": str(charlie.pk)},
        ),
        400,
        "invalid",
    )
    assert {"company", "owner"} <= set(body["errors"])
    deal = problem(
        alice_api.post("/api/v1/deals", {"name": "X", "stage": str(records["stage"].pk)}), 400
    )
    assert "stage" in deal["errors"]
    problem(alice_api.get(f"/api/v1/pipelines/{records['pipelines'].pk}"), 404)
    problem(alice_api.get(f"/api/v1/users/{charlie.pk}"), 404)
    assert alice_api.get(f"/api/v1/deals?company={records['companies'].pk}").json()["results"] == []
    with scope(workspace=acme):
        assert not Contact.objects.exists()
        assert not Deal.objects.exists()


def _others_around(other: Any, charlie: Any) -> dict[str, Any]:
    """Create, in Charlie's workspace, one of each resource that is not a record type."""
    from halyard.activities.services import activity_log
    from halyard.customfields.services import custom_field_create, tag_create
    from halyard.deals.models import Stage
    from halyard.deals.services import pipeline_ensure_default
    from halyard.tasks.services import task_create
    from halyard.workspaces.models import Team

    with scope(workspace=other):
        actor = actor_for(other, charlie)
        contact = contact_create(actor=actor, values={"last_name": "Outsider"})
        return {
            "contact": contact,
            "activities": activity_log(
                actor=actor, values={"kind": "call", "contact": contact, "subject": "Theirs"}
            ),
            "notes": activity_log(
                actor=actor, values={"kind": "note", "contact": contact, "body": "Theirs"}
            ),
            "tasks": task_create(actor=actor, values={"title": "Theirs", "contact": contact}),
            "tags": tag_create(actor=actor, name="Theirs"),
            "custom-fields": custom_field_create(
                actor=actor, record_type="contacts", label="Theirs", field_type="text", options=[]
            ),
            "teams": Team.objects.create(workspace=other, name="Theirs"),
            "pipelines": pipeline_ensure_default(actor=actor),
            "stages": Stage.objects.order_by("pk").first(),
        }


def _state(workspace: Any) -> list[Any]:
    from halyard.activities.models import Activity
    from halyard.customfields.models import CustomField, Tag
    from halyard.deals.models import Pipeline, Stage
    from halyard.tasks.models import Task

    with scope(workspace=workspace):
        return [
            sorted(
                Activity._base_manager.filter(workspace=workspace).values_list(
                    "pk", "version", "deleted_at", "subject", "body"
                )
            ),
            sorted(
                Task._base_manager.filter(workspace=workspace).values_list(
                    "pk", "version", "deleted_at", "status"
                )
            ),
            sorted(Tag.objects.values_list("pk", "name")),
            sorted(CustomField.objects.values_list("pk", "label", "options", "required")),
            sorted(Pipeline.objects.values_list("pk", "name", "position")),
            sorted(Stage.objects.values_list("pk", "name", "position", "kind", "probability")),
        ]


@pytest.mark.parametrize(
    "resource",
    ["activities", "notes", "tasks", "tags", "custom-fields", "teams", "pipelines", "stages"],
)
def test_ids_of_another_workspace_are_404_on_the_other_resources(
    acme: Any, other: Any, charlie: Any, alice_api: Any, resource: str
) -> None:
    records = _others_around(other, charlie)
    before = _state(other)
    audit = AuditEntry.objects.count()
    url = f"/api/v1/{resource}/{records[resource].pk}"
    problem(alice_api.get(url), 404, "not_found")
    if resource != "teams":
        change = (
            {"name": "Mine"} if resource in ("tags", "pipelines", "stages") else {"label": "Mine"}
        )
        if resource in ("activities", "notes", "tasks"):
            change = {"owner": None}
        problem(alice_api.patch(url, change), 404, "not_found")
        problem(alice_api.delete(url), 404, "not_found")
    if resource in ("activities", "notes", "tasks"):
        problem(alice_api.post(f"{url}/restore"), 404, "not_found")
    if resource in ("pipelines", "stages"):
        problem(alice_api.patch(url, {"position": 0}), 404, "not_found")
        problem(alice_api.delete(f"{url}?move_deals_to={records['stages'].pk}"), 404)
    assert alice_api.get(f"/api/v1/{resource}").json()["results"] == []
    assert _state(other) == before
    assert AuditEntry.objects.count() == audit


def test_foreign_records_cannot_be_linked_filtered_or_have_their_timeline_read(
    acme: Any, alice: Any, other: Any, charlie: Any, alice_api: Any
) -> None:
    records = _others_around(other, charlie)
    cid = str(records["contact"].pk)
    problem(alice_api.get(f"/api/v1/contacts/{cid}/timeline"), 404, "not_found")
    bodies = {
        "activities": {"kind": "call", "contact": cid},
        "notes": {"body": "x", "contact": cid},
        "tasks": {"title": "x", "contact": cid},
    }
    for resource, body in bodies.items():
        assert "contact" in problem(alice_api.post(f"/api/v1/{resource}", body), 400)["errors"]
    mine = alice_api.post("/api/v1/contacts", {"last_name": "Mine"}).json()["id"]
    meeting = {
        "kind": "meeting",
        "contact": mine,
        "ends_at": "2099-01-01T00:00:00Z",
        "attendee_contacts": [cid],
        "attendee_users": [str(charlie.pk)],
    }
    bad = problem(alice_api.post("/api/v1/activities", meeting), 400)
    assert {"attendee_contacts.0", "attendee_users.0"} <= set(bad["errors"])
    assert alice_api.get(f"/api/v1/activities?contact={cid}").json()["results"] == []
    assert alice_api.get(f"/api/v1/tasks?contact={cid}").json()["results"] == []
    with scope(workspace=acme):
        from halyard.activities.models import Activity

        assert not Activity.objects.exists()


def test_a_read_only_key_cannot_write_the_other_resources(
    acme: Any, alice: Any, alice_api: Any, reader_api: Any
) -> None:
    cid = alice_api.post("/api/v1/contacts", {"last_name": "C"}).json()["id"]
    activity = alice_api.post("/api/v1/activities", {"kind": "call", "contact": cid}).json()
    note = alice_api.post("/api/v1/notes", {"body": "n", "contact": cid}).json()
    task = alice_api.post("/api/v1/tasks", {"title": "t"}).json()
    tag = alice_api.post("/api/v1/tags", {"name": "VIP"}).json()
    field = alice_api.post(
        "/api/v1/custom-fields", {"record_type": "deals", "label": "F", "field_type": "text"}
    ).json()
    before = _state(acme)
    for resource, pk, body in (
        ("activities", activity["id"], {"kind": "call", "contact": cid}),
        ("notes", note["id"], {"body": "x", "contact": cid}),
        ("tasks", task["id"], {"title": "x"}),
        ("tags", tag["id"], {"name": "x"}),
        (
            "custom-fields",
            field["id"],
            {"record_type": "deals", "label": "G", "field_type": "text"},
        ),
    ):
        assert reader_api.get(f"/api/v1/{resource}/{pk}").status_code == 200
        problem(reader_api.post(f"/api/v1/{resource}", body), 403, "forbidden")
        problem(reader_api.patch(f"/api/v1/{resource}/{pk}", {}), 403, "forbidden")
        problem(reader_api.delete(f"/api/v1/{resource}/{pk}"), 403, "forbidden")
        if resource in ("activities", "notes", "tasks"):
            problem(reader_api.post(f"/api/v1/{resource}/{pk}/restore"), 403, "forbidden")
    assert reader_api.get(f"/api/v1/contacts/{cid}/timeline").status_code == 200
    assert _state(acme) == before


def test_a_rep_with_scope_own_cannot_read_others_activities_and_tasks(
    acme: Any, alice: Any, bob: Any, alice_api: Any, bob_api: Any
) -> None:
    cid = alice_api.post("/api/v1/contacts", {"last_name": "Alice's"}).json()["id"]
    bobs_contact = bob_api.post("/api/v1/contacts", {"last_name": "Bob's"}).json()["id"]
    activity = alice_api.post("/api/v1/activities", {"kind": "call", "contact": cid}).json()
    note = alice_api.post("/api/v1/notes", {"body": "n", "contact": cid}).json()
    task = alice_api.post("/api/v1/tasks", {"title": "Alice's"}).json()
    for resource, pk in (
        ("activities", activity["id"]),
        ("notes", note["id"]),
        ("tasks", task["id"]),
    ):
        assert bob_api.get(f"/api/v1/{resource}").json()["results"] == []
        problem(bob_api.get(f"/api/v1/{resource}/{pk}"), 404, "not_found")
        problem(bob_api.patch(f"/api/v1/{resource}/{pk}", {}), 404, "not_found")
        problem(bob_api.delete(f"/api/v1/{resource}/{pk}"), 404, "not_found")
    problem(bob_api.get(f"/api/v1/contacts/{cid}/timeline"), 404, "not_found")
    # Bob cannot log against a record he cannot see, nor invite a contact he cannot see.
    problem(bob_api.post("/api/v1/tasks", {"title": "x", "contact": cid}), 400)
    meeting = {
        "kind": "meeting",
        "contact": bobs_contact,
        "ends_at": "2099-01-01T00:00:00Z",
        "attendee_contacts": [cid],
    }
    problem(bob_api.post("/api/v1/activities", meeting), 400)
    mine = bob_api.post("/api/v1/tasks", {"title": "Mine"}).json()
    assert [t["id"] for t in bob_api.get("/api/v1/tasks").json()["results"]] == [mine["id"]]


def test_stages_and_pipelines_of_another_workspace_cannot_be_used_as_targets(
    acme: Any, alice: Any, other: Any, charlie: Any, alice_api: Any
) -> None:
    records = _others(other, charlie)
    theirs = str(records["stage"].pk)
    _pipeline, stages = sales_pipeline(acme, alice)
    deal = make_deal(acme, alice, stages["Proposal"])
    renewals = alice_api.post("/api/v1/pipelines", {"name": "Renewals"}).json()
    body = {"pipeline": str(records["pipelines"].pk), "name": "Mine", "kind": "open"}
    assert "pipeline" in problem(alice_api.post("/api/v1/stages", body), 400)["errors"]
    proposal = f"/api/v1/stages/{stages['Proposal'].pk}"
    refused = problem(alice_api.delete(f"{proposal}?move_deals_to={theirs}"), 400)
    assert "move_deals_to" in refused["errors"]
    make_deal(acme, alice, _stage_of(acme, renewals["stages"][0]["id"]))
    url = f"/api/v1/pipelines/{renewals['id']}?move_deals_to={theirs}"
    assert "move_deals_to" in problem(alice_api.delete(url), 400)["errors"]
    assert alice_api.get(f"/api/v1/stages?pipeline={records['pipelines'].pk}").json() == {
        "results": [],
        "next_cursor": None,
    }
    with scope(workspace=acme):
        assert Deal.objects.get(pk=deal.pk).stage_id == stages["Proposal"].pk
        assert Deal.objects.count() == 2
    with scope(workspace=other):
        assert Deal.objects.get(pk=records["deals"].pk).stage_id == records["stage"].pk


def _stage_of(workspace: Any, pk: str) -> Any:
    from halyard.deals.models import Stage

    with scope(workspace=workspace):
        return Stage.objects.get(pk=int(pk))
