"""Pipelines and stages written through the API, with the Settings page's rules."""

from __future__ import annotations

from typing import Any

from django_scopes import scope

from halyard.api.tests.conftest import problem
from halyard.audit.models import AuditEntry
from halyard.core.models import OutboxEvent
from halyard.deals.models import Deal, DealStageChange, LostReason, Pipeline, Stage
from halyard.deals.tests.factories import make_deal, sales_pipeline


def _kinds(pipeline: dict[str, Any]) -> list[tuple[str, str, int]]:
    return [(s["name"], s["kind"], s["probability"]) for s in pipeline["stages"]]


def test_admins_create_rename_reorder_and_delete_pipelines(
    acme: Any, alice: Any, alice_api: Any
) -> None:
    sales_pipeline(acme, alice)
    plain = alice_api.post("/api/v1/pipelines", {"name": " Renewals "})
    assert plain.status_code == 201, plain.json()
    assert plain.json()["name"] == "Renewals"
    assert _kinds(plain.json()) == [("New", "open", 10), ("Won", "won", 100), ("Lost", "lost", 0)]
    shaped = alice_api.post(
        "/api/v1/pipelines",
        {
            "name": "Đối tác",
            "stages": [
                {"name": "Lost", "kind": "open", "probability": 5},
                {"name": "Demo", "kind": "open"},
                {"name": "Ký hợp đồng", "kind": "won"},
                {"name": "Không mua", "kind": "lost"},
                {"name": "Trả lại", "kind": "lost"},
            ],
        },
    )
    assert shaped.status_code == 201, shaped.json()
    assert _kinds(shaped.json()) == [
        ("Lost", "open", 5),
        ("Demo", "open", 10),
        ("Ký hợp đồng", "won", 100),
        ("Không mua", "lost", 0),
        ("Trả lại", "lost", 0),
    ]
    assert [s["position"] for s in shaped.json()["stages"]] == [0, 1, 2, 3, 4]
    url = f"/api/v1/pipelines/{shaped.json()['id']}"
    assert alice_api.get(url).json() == shaped.json()
    moved = alice_api.patch(url, {"name": "Partners", "position": 0})
    assert moved.status_code == 200, moved.json()
    assert moved.json()["name"] == "Partners"
    names = [p["name"] for p in alice_api.get("/api/v1/pipelines").json()["results"]]
    assert names == ["Partners", "Sales", "Renewals"]
    alice_api.patch(url, {"position": 99})
    names = [p["name"] for p in alice_api.get("/api/v1/pipelines").json()["results"]]
    assert names == ["Sales", "Renewals", "Partners"]
    clash = problem(alice_api.patch(url, {"name": "sales"}), 400, "invalid")
    assert "name" in clash["errors"]
    assert alice_api.delete(url).status_code == 204
    problem(alice_api.get(url), 404, "not_found")
    with scope(workspace=acme):
        assert not Stage.objects.filter(pipeline_id=int(shaped.json()["id"])).exists()
        assert AuditEntry.objects.filter(object_type="deals.pipeline", action="delete").exists()
        assert OutboxEvent.objects.filter(name="pipeline.created").count() == 2


def test_pipeline_bodies_that_break_the_rules_are_refused(
    acme: Any, alice: Any, alice_api: Any
) -> None:
    sales_pipeline(acme, alice)
    missing = [{"name": "A", "kind": "open"}, {"name": "B", "kind": "open"}]
    missing.append({"name": "C", "kind": "won"})
    body = problem(alice_api.post("/api/v1/pipelines", {"name": "X", "stages": missing}), 400)
    assert "stages" in body["errors"]
    twice = [{"name": "A", "kind": "open"}, {"name": "a", "kind": "won"}]
    twice.append({"name": "L", "kind": "lost"})
    assert (
        "stages"
        in problem(alice_api.post("/api/v1/pipelines", {"name": "X", "stages": twice}), 400)[
            "errors"
        ]
    )
    for bad in (
        {"name": ""},
        {"name": "Sales"},
        {"name": "X", "stages": "no"},
        {"name": "X", "stages": [{"name": "A", "kind": "maybe"}] * 3},
        {"name": "X", "stages": [{"name": "A", "probability": 101}] * 3},
        {"name": "X", "colour": "red"},
        {"name": "x" * 81},
    ):
        problem(alice_api.post("/api/v1/pipelines", bad), 400, "invalid")
    problem(alice_api.post("/api/v1/pipelines", ["Sales"]), 400, "invalid")
    with scope(workspace=acme):
        assert Pipeline.objects.count() == 1


def test_deleting_a_pipeline_with_deals_needs_a_stage_of_another(
    acme: Any, alice: Any, alice_api: Any
) -> None:
    sales, stages = sales_pipeline(acme, alice)
    problem(alice_api.delete(f"/api/v1/pipelines/{sales.pk}"), 409, "last_pipeline")
    other = alice_api.post("/api/v1/pipelines", {"name": "Renewals"}).json()
    url = f"/api/v1/pipelines/{other['id']}"
    new_stage, _won, lost = (s["id"] for s in other["stages"])
    first = make_deal(acme, alice, _stage(acme, new_stage))
    second = make_deal(acme, alice, _stage(acme, new_stage), name="Second")
    assert alice_api.delete(f"/api/v1/deals/{second.pk}").status_code == 200  # trashed ones count
    refused = problem(alice_api.delete(url), 409, "pipeline_has_deals")
    assert refused["deal_count"] == 2 and "2" in refused["detail"]
    problem(alice_api.delete(f"{url}?move_deals_to={lost}"), 400, "invalid_parameter")
    problem(alice_api.delete(f"{url}?move_deals_to=999999"), 400, "invalid_parameter")
    problem(alice_api.delete(f"{url}?move_deals_to=abc"), 400, "invalid_parameter")
    problem(alice_api.delete(f"{url}?move_to=1"), 400, "unknown_parameter")
    lost_reason = problem(
        alice_api.delete(f"{url}?move_deals_to={stages['Lost'].pk}"), 400, "invalid_parameter"
    )
    assert "lost_reason" in lost_reason["errors"]
    target = stages["Proposal"].pk
    assert alice_api.delete(f"{url}?move_deals_to={target}").status_code == 204
    with scope(workspace=acme):
        assert set(Deal._base_manager.values_list("stage_id", flat=True)) == {target}
        assert Deal._base_manager.get(pk=second.pk).deleted_at is not None
        change = DealStageChange.objects.filter(deal=first).latest("pk")
        assert change.to_stage_id == target
        assert (
            AuditEntry.objects.filter(object_type="deals.deal", object_id=str(first.pk)).count()
            >= 2
        )
    assert alice_api.get(f"/api/v1/deals/{first.pk}").json()["stage"] == str(target)


def _stage(workspace: Any, pk: str) -> Stage:
    with scope(workspace=workspace):
        return Stage.objects.get(pk=int(pk))


def test_admins_add_change_move_and_delete_stages(acme: Any, alice: Any, alice_api: Any) -> None:
    sales, stages = sales_pipeline(acme, alice)
    listed = alice_api.get(f"/api/v1/stages?pipeline={sales.pk}&ordering=position").json()
    assert [s["name"] for s in listed["results"]] == list(stages)
    assert listed["results"][0]["pipeline"] == str(sales.pk)
    created = alice_api.post(
        "/api/v1/stages", {"pipeline": str(sales.pk), "name": "Demo", "kind": "open"}
    )
    assert created.status_code == 201, created.json()
    demo = created.json()
    assert (demo["probability"], demo["position"]) == (10, 4)  # before Won and Lost
    placed = alice_api.post(
        "/api/v1/stages",
        {
            "pipeline": str(sales.pk),
            "name": "Intro",
            "kind": "open",
            "probability": 5,
            "position": 0,
        },
    ).json()
    assert placed["position"] == 0
    url = f"/api/v1/stages/{demo['id']}"
    assert alice_api.get(url).json()["name"] == "Demo"
    changed = alice_api.patch(url, {"name": "Live demo", "probability": 40, "position": 1})
    assert changed.status_code == 200, changed.json()
    assert (changed.json()["name"], changed.json()["probability"]) == ("Live demo", 40)
    board = alice_api.get(f"/api/v1/pipelines/{sales.pk}").json()["stages"]
    assert [s["name"] for s in board][:3] == ["Intro", "Live demo", "Qualification"]
    assert [s["position"] for s in board] == list(range(len(board)))
    assert alice_api.patch(url, {"kind": "won"}).json()["kind"] == "won"
    clash = problem(alice_api.patch(url, {"name": "proposal"}), 400, "invalid")
    assert "name" in clash["errors"]
    assert alice_api.delete(url).status_code == 204
    problem(alice_api.get(url), 404, "not_found")
    with scope(workspace=acme):
        assert AuditEntry.objects.filter(object_type="deals.stage", action="delete").count() == 1
        assert OutboxEvent.objects.filter(name="stage.created").count() == 2


def test_stage_refusals_are_problems(acme: Any, alice: Any, alice_api: Any) -> None:
    sales, stages = sales_pipeline(acme, alice)
    other = alice_api.post("/api/v1/pipelines", {"name": "Renewals"}).json()
    won = f"/api/v1/stages/{stages['Won'].pk}"
    last = problem(alice_api.delete(won), 409, "stage_kind_required")
    assert "kind" in last["errors"]
    problem(alice_api.patch(won, {"kind": "open"}), 409, "stage_kind_required")
    deal = make_deal(acme, alice, stages["Proposal"])
    make_deal(acme, alice, stages["Lost"])
    proposal = f"/api/v1/stages/{stages['Proposal'].pk}"
    held = problem(alice_api.patch(proposal, {"kind": "won"}), 409, "stage_has_deals")
    assert held["deal_count"] == 1
    held = problem(alice_api.delete(proposal), 409, "stage_has_deals")
    assert held["deal_count"] == 1 and "move_deals_to" in held["errors"]
    elsewhere = other["stages"][0]["id"]
    problem(alice_api.delete(f"{proposal}?move_deals_to={elsewhere}"), 400, "invalid_parameter")
    problem(alice_api.delete(f"{proposal}?move_deals_to={stages['Proposal'].pk}"), 400)
    to_lost = problem(
        alice_api.delete(f"{proposal}?move_deals_to={stages['Lost'].pk}"), 400, "invalid_parameter"
    )
    assert "lost_reason" in to_lost["errors"]
    with scope(workspace=acme):
        reason = LostReason.objects.first()
        assert reason is not None
    problem(alice_api.delete(f"{proposal}?move_deals_to={stages['Lost'].pk}&lost_reason=9999"), 400)
    gone = alice_api.delete(f"{proposal}?move_deals_to={stages['Lost'].pk}&lost_reason={reason.pk}")
    assert gone.status_code == 204
    moved = alice_api.get(f"/api/v1/deals/{deal.pk}").json()
    assert (moved["stage"], moved["lost_reason"]) == (str(stages["Lost"].pk), str(reason.pk))
    for bad in (
        {"pipeline": str(sales.pk), "name": "X"},
        {"pipeline": "999999", "name": "X", "kind": "open"},
        {"pipeline": str(sales.pk), "name": "Won", "kind": "won"},
        {"pipeline": str(sales.pk), "name": "X", "kind": "open", "probability": -1},
        {"pipeline": str(sales.pk), "name": "X", "kind": "open", "position": -1},
        {"pipeline": str(sales.pk), "name": " ", "kind": "open"},
    ):
        problem(alice_api.post("/api/v1/stages", bad), 400, "invalid")
    problem(alice_api.patch(won, {"probability": "lots"}), 400, "invalid")
    problem(alice_api.get("/api/v1/stages?pipeline=abc"), 400)
    problem(alice_api.get("/api/v1/stages?colour=red"), 400, "unknown_parameter")
    problem(alice_api.get("/api/v1/stages/999999"), 404, "not_found")


def test_members_read_pipelines_but_only_admins_change_them(
    acme: Any, alice: Any, bob_api: Any, reader_api: Any
) -> None:
    sales, stages = sales_pipeline(acme, alice)
    stage = stages["Proposal"]
    with scope(workspace=acme):
        before = list(Stage.objects.values_list("pk", "name", "position", "kind", "probability"))
        audit = AuditEntry.objects.count()
    for client, code in ((bob_api, "forbidden"), (reader_api, "forbidden")):
        assert client.get("/api/v1/stages").json()["results"]
        assert client.get(f"/api/v1/stages/{stage.pk}").json()["name"] == "Proposal"
        assert client.get(f"/api/v1/pipelines/{sales.pk}").status_code == 200
        problem(client.post("/api/v1/pipelines", {"name": "Mine"}), 403, code)
        problem(client.patch(f"/api/v1/pipelines/{sales.pk}", {"name": "Mine"}), 403, code)
        problem(client.delete(f"/api/v1/pipelines/{sales.pk}"), 403, code)
        body = {"pipeline": str(sales.pk), "name": "Mine", "kind": "open"}
        problem(client.post("/api/v1/stages", body), 403, code)
        problem(client.patch(f"/api/v1/stages/{stage.pk}", {"name": "Mine"}), 403, code)
        problem(client.delete(f"/api/v1/stages/{stage.pk}"), 403, code)
    with scope(workspace=acme):
        assert Pipeline.objects.count() == 1
        after = list(Stage.objects.values_list("pk", "name", "position", "kind", "probability"))
        assert after == before
        assert AuditEntry.objects.count() == audit
