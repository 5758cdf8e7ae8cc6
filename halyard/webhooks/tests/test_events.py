"""Every record type emits created/updated/trashed/restored, with the record in the payload."""

from __future__ import annotations

from typing import Any

from django_scopes import scope, scopes_disabled

from conftest import actor_for
from halyard.activities.services import (
    activity_log,
    activity_restore,
    activity_trash,
    activity_update,
)
from halyard.companies.services import (
    company_create,
    company_restore,
    company_trash,
    company_update,
)
from halyard.contacts.services import contact_create, contact_restore, contact_trash, contact_update
from halyard.core.models import OutboxEvent
from halyard.deals.services import deal_restore, deal_trash, deal_update
from halyard.deals.tests.factories import make_deal, sales_pipeline
from halyard.leads.services import lead_create, lead_restore, lead_trash, lead_update
from halyard.tasks.services import task_complete, task_create, task_restore, task_trash, task_update
from halyard.webhooks.catalogue import EVENT_NAMES, EVENTS, event_groups


def _events(name: str) -> list[Any]:
    with scopes_disabled():
        return list(OutboxEvent.objects.filter(name=name).order_by("pk"))


def test_every_record_type_emits_the_full_set(acme: Any, alice: Any) -> None:
    _pipeline, stages = sales_pipeline(acme, alice)
    stage = next(s for s in stages.values() if s.kind == "open")
    deal = make_deal(acme, alice, stage)
    actor = actor_for(acme, alice)
    with scope(workspace=acme):
        contact = contact_create(actor=actor, values={"last_name": "Nguyễn"})
        contact = contact_update(
            actor=actor, contact=contact, expected_version=1, values={"title": "CFO"}
        )
        contact = contact_restore(actor=actor, contact=contact_trash(actor=actor, contact=contact))
        company = company_create(actor=actor, values={"name": "Sao Mai"})
        company = company_update(
            actor=actor, company=company, expected_version=1, values={"name": "Sao Mai JSC"}
        )
        company_restore(actor=actor, company=company_trash(actor=actor, company=company))
        lead = lead_create(actor=actor, values={"last_name": "Phạm", "company_name": "X"})
        lead = lead_update(actor=actor, lead=lead, expected_version=1, values={"first_name": "Lan"})
        lead_restore(actor=actor, lead=lead_trash(actor=actor, lead=lead))
        deal = deal_update(
            actor=actor, deal=deal, expected_version=deal.version, values={"name": "Big"}
        )
        deal_restore(actor=actor, deal=deal_trash(actor=actor, deal=deal))
        activity = activity_log(
            actor=actor, values={"kind": "note", "body": "hi", "contact": contact}
        )
        activity = activity_update(
            actor=actor, activity=activity, expected_version=1, values={"body": "hello"}
        )
        activity_restore(actor=actor, activity=activity_trash(actor=actor, activity=activity))
        task = task_create(actor=actor, values={"title": "Gọi lại", "owner_id": alice.pk})
        task = task_update(actor=actor, task=task, expected_version=1, values={"title": "Call"})
        task = task_restore(actor=actor, task=task_trash(actor=actor, task=task))
        task_complete(actor=actor, task=task)
    for kind in ("contact", "company", "lead", "deal", "activity", "task"):
        for verb in ("created", "updated", "trashed", "restored"):
            found = _events(f"{kind}.{verb}")
            assert found, f"{kind}.{verb} was not emitted"
            payload = found[0].payload
            assert payload["data"]["id"] == str(payload["id"])
            assert payload["data"]["type"] == kind
            if verb == "updated":
                assert payload["changes"]
            if verb == "trashed":
                assert payload["data"]["deleted_at"] is not None
    updated = _events("contact.updated")[0].payload
    assert updated["changes"]["title"] == [None, "CFO"] or updated["changes"]["title"][1] == "CFO"
    assert updated["data"]["title"] == "CFO"
    completed = _events("task.completed")
    assert completed and completed[0].payload["data"]["status"] == "done"


def test_a_stage_change_carries_the_deal_and_both_stages(acme: Any, alice: Any) -> None:
    _pipeline, stages = sales_pipeline(acme, alice)
    first = next(s for s in stages.values() if s.kind == "open")
    won = next(s for s in stages.values() if s.kind == "won")
    deal = make_deal(acme, alice, first)
    with scope(workspace=acme):
        deal_update(
            actor=actor_for(acme, alice),
            deal=deal,
            expected_version=deal.version,
            values={"stage": won},
        )
    moved = _events("deal.stage_changed")[0].payload
    assert moved["from_stage"] == str(first.pk) and moved["to_stage"] == str(won.pk)
    assert moved["data"]["stage"] == str(won.pk)
    assert _events("deal.won")


def test_the_catalogue_is_one_list_with_labels() -> None:
    assert len(EVENT_NAMES) == len(EVENTS)
    grouped = [name for _group, events in event_groups() for name, _label in events]
    assert sorted(grouped) == sorted(EVENT_NAMES)
    for kind in ("contact", "company", "lead", "deal", "activity", "task"):
        for verb in ("created", "updated", "trashed", "restored"):
            assert f"{kind}.{verb}" in EVENT_NAMES
    assert {
        "deal.stage_changed",
        "deal.won",
        "deal.lost",
        "lead.converted",
        "task.completed",
    } <= EVENT_NAMES
