"""Companies, leads, deals, pipelines and users through the API."""

from __future__ import annotations

from typing import Any

from django_scopes import scope

from conftest import actor_for
from halyard.api.tests.conftest import problem
from halyard.customfields.services import custom_field_create, tag_create
from halyard.deals.models import Deal, LostReason, Pipeline
from halyard.deals.services import pipeline_create
from halyard.deals.tests.factories import sales_pipeline
from halyard.leads.models import Lead


def test_company_crud_with_domains_tags_and_custom(acme: Any, alice: Any, alice_api: Any) -> None:
    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        tag_create(actor=actor, name="VIP")
        custom_field_create(
            actor=actor, record_type="companies", label="Employees", field_type="number", options=[]
        )
    response = alice_api.post(
        "/api/v1/companies",
        {
            "name": "Công ty Sao Mai",
            "domains": [{"domain": "https://www.saomai.vn/"}, {"domain": "saomai.com"}],
            "tags": ["VIP"],
            "custom": {"employees": 120},
        },
    )
    assert response.status_code == 201, response.json()
    company = response.json()
    assert company["domain"] == "saomai.vn"
    assert [d["domain"] for d in company["domains"]] == ["saomai.vn", "saomai.com"]
    assert company["tags"] == ["VIP"]
    assert company["custom"] == {"employees": 120}
    url = f"/api/v1/companies/{company['id']}"
    changed = alice_api.patch(url, {"custom": {"employees": 130}, "tags": []})
    assert changed.json()["custom"] == {"employees": 130}
    assert changed.json()["tags"] == []
    bad = problem(alice_api.patch(url, {"custom": {"employees": "many"}}), 400, "invalid")
    assert "custom.employees" in bad["errors"]
    unknown = problem(alice_api.patch(url, {"custom": {"nope": 1}}), 400, "invalid")
    assert "custom.nope" in unknown["errors"]
    no_tag = problem(alice_api.patch(url, {"tags": ["Unknown"]}), 400, "invalid")
    assert "tags" in no_tag["errors"]
    assert (
        alice_api.get("/api/v1/companies?domain=saomai.com").json()["results"][0]["id"]
        == (company["id"])
    )
    assert alice_api.delete(url).status_code == 200
    assert alice_api.post(f"{url}/restore").json()["deleted_at"] is None


def test_lead_crud_and_convert(acme: Any, alice: Any, alice_api: Any) -> None:
    _pipeline, stages = sales_pipeline(acme, alice)
    created = alice_api.post(
        "/api/v1/leads",
        {"first_name": "Minh", "last_name": "Lê", "company_name": "Lê Logistics", "score": 40},
    )
    assert created.status_code == 201, created.json()
    lead = created.json()
    assert lead["status"] == "new"
    url = f"/api/v1/leads/{lead['id']}"
    assert alice_api.patch(url, {"status": "working"}).json()["status"] == "working"
    assert alice_api.get("/api/v1/leads?status=working").json()["results"][0]["id"] == lead["id"]
    problem(alice_api.post("/api/v1/leads", {"title": "no name"}), 400, "invalid")
    first_stage = next(iter(stages.values()))
    converted = alice_api.post(
        f"{url}/convert",
        {
            "company": "new",
            "deal_name": "Kho lạnh",
            "deal_amount": "1200.00",
            "deal_stage": str(first_stage.pk),
            "deal_role": "decision_maker",
        },
    )
    assert converted.status_code == 200, converted.json()
    body = converted.json()
    assert body["lead"]["status"] == "qualified"
    assert body["contact"] and body["company"] and body["deal"]
    with scope(workspace=acme):
        deal = Deal.objects.get(pk=body["deal"])
        assert deal.company_id == int(body["company"])
        assert Lead.objects.get(pk=lead["id"]).converted_contact_id == int(body["contact"])
    again = problem(alice_api.post(f"{url}/convert", {}), 400, "invalid")
    assert "converted" in again["detail"]
    assert alice_api.delete(url).status_code == 200
    assert alice_api.post(f"{url}/restore").status_code == 200


def test_deal_crud_move_and_lost_reason(acme: Any, alice: Any, alice_api: Any) -> None:
    pipeline, stages = sales_pipeline(acme, alice)
    open_stage = next(s for s in stages.values() if s.kind == "open")
    lost = next(s for s in stages.values() if s.kind == "lost")
    created = alice_api.post(
        "/api/v1/deals", {"name": "ERP rollout", "stage": str(open_stage.pk), "amount": "5000"}
    )
    assert created.status_code == 201, created.json()
    deal = created.json()
    assert deal["pipeline"] == str(pipeline.pk)
    url = f"/api/v1/deals/{deal['id']}"
    needs_reason = problem(alice_api.post(f"{url}/move", {"stage": str(lost.pk)}), 400)
    assert "lost_reason" in needs_reason["errors"]
    with scope(workspace=acme):
        reason = LostReason.objects.first()
        assert reason is not None
    moved = alice_api.post(f"{url}/move", {"stage": str(lost.pk), "lost_reason": str(reason.pk)})
    assert moved.status_code == 200, moved.json()
    assert moved.json()["stage"] == str(lost.pk)
    assert moved.json()["lost_reason"] == str(reason.pk)
    assert moved.json()["lost_on"] is not None
    listed = alice_api.get(f"/api/v1/deals?stage={lost.pk}").json()["results"]
    assert [d["id"] for d in listed] == [deal["id"]]
    assert alice_api.patch(url, {"next_step": "Call"}).json()["next_step"] == "Call"
    assert alice_api.delete(url).status_code == 200
    assert alice_api.post(f"{url}/restore").status_code == 200


def test_deal_refuses_a_stage_of_another_pipeline(acme: Any, alice: Any, alice_api: Any) -> None:
    _pipeline, stages = sales_pipeline(acme, alice)
    stage = next(iter(stages.values()))
    with scope(workspace=acme):
        other = pipeline_create(actor=actor_for(acme, alice), name="Renewals")
        foreign_stage = other.stages.first()
        assert foreign_stage is not None
    deal = alice_api.post("/api/v1/deals", {"name": "Deal", "stage": str(stage.pk)}).json()
    body = problem(
        alice_api.post(f"/api/v1/deals/{deal['id']}/move", {"stage": str(foreign_stage.pk)}), 400
    )
    assert "stage" in body["errors"]
    assert alice_api.get(f"/api/v1/deals/{deal['id']}").json()["stage"] == str(stage.pk)


def test_pipelines_and_users_are_listed(acme: Any, alice: Any, bob: Any, alice_api: Any) -> None:
    pipeline, stages = sales_pipeline(acme, alice)
    listed = alice_api.get("/api/v1/pipelines").json()
    assert listed["next_cursor"] is None
    assert [p["id"] for p in listed["results"]] == [str(pipeline.pk)]
    one = alice_api.get(f"/api/v1/pipelines/{pipeline.pk}").json()
    assert [s["name"] for s in one["stages"]] == list(stages)
    users = alice_api.get("/api/v1/users").json()["results"]
    assert {u["email"] for u in users} == {"alice@example.com", "bob@example.com"}
    bob_row = alice_api.get(f"/api/v1/users/{bob.pk}").json()
    assert bob_row["role"] == "sales_rep"
    with scope(workspace=acme):
        assert Pipeline.objects.count() == 1


def test_a_user_custom_field_takes_a_member_id(
    acme: Any, alice: Any, bob: Any, charlie: Any, alice_api: Any
) -> None:
    with scope(workspace=acme):
        custom_field_create(
            actor=actor_for(acme, alice),
            record_type="contacts",
            label="Account manager",
            field_type="user",
            options=[],
        )
    ok = alice_api.post(
        "/api/v1/contacts", {"last_name": "Võ", "custom": {"account_manager": str(bob.pk)}}
    )
    assert ok.status_code == 201, ok.json()
    assert ok.json()["custom"] == {"account_manager": bob.pk}
    outsider = alice_api.post(
        "/api/v1/contacts", {"last_name": "Võ", "custom": {"account_manager": str(charlie.pk)}}
    )
    assert "custom.account_manager" in problem(outsider, 400, "invalid")["errors"]
