"""Deals, pipelines and the board."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope

from conftest import actor_for, client_for
from halyard.audit.models import AuditEntry
from halyard.audit.services import VersionConflict
from halyard.core.models import OutboxEvent
from halyard.deals.models import Deal, DealStageChange, LostReason, Pipeline, Stage
from halyard.deals.services import (
    deal_create,
    deal_move_to_stage,
    deal_update,
    pipeline_ensure_default,
)


@pytest.fixture
def sales(acme, alice):
    with scope(workspace=acme):
        pipeline = pipeline_ensure_default(actor=actor_for(acme, alice))
        stages = {s.name: s for s in pipeline.stages.all()}
    return pipeline, stages


def _deal(acme, user, stage, **values):
    with scope(workspace=acme):
        if stage.kind == "lost":
            values.setdefault("lost_reason", LostReason.objects.first())
        return deal_create(
            actor=actor_for(acme, user),
            values={"name": "Kho lạnh Bình Dương", "stage": stage, **values},
        )


def test_a_new_workspace_gets_a_standard_pipeline_once(acme, alice, sales):
    pipeline, stages = sales
    assert list(stages) == [
        "Qualification",
        "Needs analysis",
        "Proposal",
        "Negotiation",
        "Won",
        "Lost",
    ]
    with scope(workspace=acme):
        assert pipeline_ensure_default(actor=actor_for(acme, alice)) == pipeline
        assert Pipeline.objects.count() == 1


def test_probability_comes_from_the_stage_unless_given(acme, alice, sales):
    _pipeline, stages = sales
    assert _deal(acme, alice, stages["Proposal"]).probability == 50
    assert _deal(acme, alice, stages["Proposal"], probability=65).probability == 65


def test_moving_a_deal_records_history_audit_and_events(acme, alice, sales):
    _pipeline, stages = sales
    deal = _deal(acme, alice, stages["Qualification"], amount=Decimal("1000"))
    with scope(workspace=acme):
        deal = deal_move_to_stage(
            actor=actor_for(acme, alice), deal=deal, stage=stages["Won"], expected_version=1
        )
        assert deal.probability == 100 and deal.closed_at is not None
        history = list(
            DealStageChange.objects.filter(deal=deal).values_list("to_stage__name", flat=True)
        )
        assert history == ["Qualification", "Won"]
    names = set(OutboxEvent.objects.values_list("name", flat=True))
    assert {"deal.created", "deal.stage_changed", "deal.won"} <= names
    update = AuditEntry.objects.filter(object_type="deals.deal", action="update").get()
    assert update.changes["stage"] == [stages["Qualification"].pk, stages["Won"].pk]


def test_a_stage_of_another_pipeline_is_refused(acme, alice, sales):
    _pipeline, stages = sales
    with scope(workspace=acme):
        other = Pipeline.objects.create(workspace=acme, name="Renewals")
        foreign = Stage.objects.create(workspace=acme, pipeline=other, name="Renew")
        deal = _deal(acme, alice, stages["Proposal"])
        with pytest.raises(ValidationError) as exc:
            deal_move_to_stage(
                actor=actor_for(acme, alice), deal=deal, stage=foreign, expected_version=1
            )
        assert "stage" in exc.value.message_dict
        deal.refresh_from_db()
        assert deal.stage == stages["Proposal"] and deal.version == 1


def test_a_move_against_an_old_version_is_refused(acme, alice, bob, sales):
    _pipeline, stages = sales
    deal = _deal(acme, alice, stages["Proposal"])
    with scope(workspace=acme):
        deal_update(
            actor=actor_for(acme, alice),
            deal=deal,
            expected_version=1,
            values={"next_step": "Gửi báo giá"},
        )
        with pytest.raises(VersionConflict):
            deal_move_to_stage(
                actor=actor_for(acme, alice), deal=deal, stage=stages["Won"], expected_version=1
            )
        assert Deal.objects.get(pk=deal.pk).stage == stages["Proposal"]


def test_board_shows_columns_with_counts_and_totals(acme, alice, sales):
    _pipeline, stages = sales
    acme.default_currency = "VND"
    acme.save()
    _deal(acme, alice, stages["Proposal"], amount=Decimal("1500000"), currency="VND")
    _deal(acme, alice, stages["Proposal"], amount=Decimal("500000"), currency="VND")
    _deal(acme, alice, stages["Proposal"], amount=Decimal("99"), currency="USD")
    page = client_for(alice).get("/w/acme/deals/board/").content.decode()
    column = page.split(f'id="col-{stages["Proposal"].pk}"')[1].split("</header>")[0]
    assert '<span class="count">3</span>' in column
    assert "₫2,000,000" in column and "₫1,000,000" in column  # total and weighted (50 %)


def test_the_board_moves_a_deal_and_says_so(acme, alice, sales):
    _pipeline, stages = sales
    deal = _deal(acme, alice, stages["Qualification"])
    client = client_for(alice)
    response = client.post(
        f"/w/acme/deals/{deal.pk}/move/",
        {"stage": stages["Negotiation"].pk, "version": 1},
        follow=True,
    )
    assert "moved to Negotiation" in response.content.decode()
    stale = client.post(
        f"/w/acme/deals/{deal.pk}/move/", {"stage": stages["Won"].pk, "version": 1}, follow=True
    )
    assert "Someone else changed this record" in stale.content.decode()
    with scope(workspace=acme):
        assert Deal.objects.get(pk=deal.pk).stage == stages["Negotiation"]


def test_a_rep_moves_only_their_own_deals(acme, alice, bob, sales):
    _pipeline, stages = sales
    deal = _deal(acme, alice, stages["Qualification"])
    response = client_for(bob).post(
        f"/w/acme/deals/{deal.pk}/move/", {"stage": stages["Won"].pk, "version": 1}
    )
    assert response.status_code == 404
    assert deal.name not in client_for(bob).get("/w/acme/deals/board/").content.decode()


def test_creating_a_deal_through_the_form(acme, alice, sales):
    _pipeline, stages = sales
    client = client_for(alice)
    assert client.get("/w/acme/deals/new/").status_code == 200
    bad = client.post(
        "/w/acme/deals/new/",
        {
            "name": "X",
            "stage": stages["Proposal"].pk,
            "amount": "-5",
            "currency": "USD",
            "expected_close": "31/02/2025",
        },
    )
    assert bad.status_code == 200
    text = bad.content.decode()
    assert "Ensure this value is greater than or equal to 0." in text
    assert "Enter a valid date." in text
    response = client.post(
        "/w/acme/deals/new/",
        {
            "name": "Máy nén khí",
            "stage": stages["Proposal"].pk,
            "amount": "12500.50",
            "currency": "USD",
            "expected_close": "2026-12-31",
            "owner": alice.pk,
        },
    )
    assert response.status_code == 302
    with scope(workspace=acme):
        deal = Deal.objects.get(name="Máy nén khí")
        assert deal.amount == Decimal("12500.50") and deal.probability == 50
    page = client.get(f"/w/acme/deals/{deal.pk}/").content.decode()
    assert "Stage history" in page and "Proposal" in page and "$12,500.50" in page


def test_board_query_count_does_not_grow_with_deals(acme, alice, sales):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _pipeline, stages = sales
    client = client_for(alice)
    client.get("/w/acme/")
    _deal(acme, alice, stages["Proposal"])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/w/acme/deals/board/").status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for stage in stages.values():
        for _ in range(5):
            _deal(acme, alice, stage)
    assert count() == few
