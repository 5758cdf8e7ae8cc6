"""A deal's probability, forecast, lost reason, close dates, flags and contacts."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope

from conftest import actor_for, client_for
from halyard.audit.models import AuditEntry
from halyard.contacts.services import contact_create
from halyard.deals import services
from halyard.deals.models import Deal, DealContact, LostReason
from halyard.deals.tests.factories import make_deal, sales_pipeline


@pytest.fixture
def sales(acme, alice):
    return sales_pipeline(acme, alice)


def _move(acme, user, deal, stage, **kwargs):
    with scope(workspace=acme):
        deal = Deal.objects.get(pk=deal.pk)
        return services.deal_move_to_stage(
            actor=actor_for(acme, user),
            deal=deal,
            stage=stage,
            expected_version=deal.version,
            **kwargs,
        )


def test_moving_resets_the_probability_unless_someone_overrode_it(acme, alice, sales):
    _pipeline, stages = sales
    plain = make_deal(acme, alice, stages["Qualification"])
    assert not plain.probability_overridden
    assert _move(acme, alice, plain, stages["Proposal"]).probability == 50
    chosen = make_deal(acme, alice, stages["Qualification"], probability=35)
    assert chosen.probability_overridden
    chosen = _move(acme, alice, chosen, stages["Proposal"])
    assert chosen.probability == 35 and chosen.probability_overridden
    # Won and lost stages always set theirs.
    assert _move(acme, alice, chosen, stages["Won"]).probability == 100


def test_forecast_category_follows_the_stage_kind_unless_chosen(acme, alice, sales):
    _pipeline, stages = sales
    deal = make_deal(acme, alice, stages["Qualification"])
    assert deal.forecast_category == "pipeline"
    with scope(workspace=acme):
        deal = services.deal_update(
            actor=actor_for(acme, alice),
            deal=deal,
            expected_version=1,
            values={"forecast_category": "commit"},
        )
    deal = _move(acme, alice, deal, stages["Proposal"])
    assert deal.forecast_category == "commit"
    deal = _move(acme, alice, deal, stages["Won"])
    assert deal.forecast_category == "closed" and deal.won_on is not None
    deal = _move(acme, alice, deal, stages["Negotiation"])
    assert deal.forecast_category == "pipeline"
    assert deal.won_on is None and deal.closed_at is None


def test_a_lost_deal_needs_a_reason_and_reopening_clears_it(acme, alice, sales):
    _pipeline, stages = sales
    deal = make_deal(acme, alice, stages["Proposal"])
    with pytest.raises(ValidationError) as exc:
        _move(acme, alice, deal, stages["Lost"])
    assert "lost_reason" in exc.value.message_dict
    with scope(workspace=acme):
        assert Deal.objects.get(pk=deal.pk).stage == stages["Proposal"]
        reason = LostReason.objects.get(name="Price")
    deal = _move(acme, alice, deal, stages["Lost"], lost_reason=reason)
    assert deal.lost_reason == reason and deal.lost_on is not None
    assert deal.forecast_category == "omitted" and deal.probability == 0
    deal = _move(acme, alice, deal, stages["Proposal"])
    assert deal.lost_reason is None and deal.lost_on is None


def test_an_archived_reason_cannot_be_chosen(acme, alice, sales):
    _pipeline, stages = sales
    deal = make_deal(acme, alice, stages["Proposal"])
    with scope(workspace=acme):
        reason = LostReason.objects.get(name="Price")
        services.lost_reason_archive(actor=actor_for(acme, alice), reason=reason)
    with pytest.raises(ValidationError) as exc:
        _move(acme, alice, deal, stages["Lost"], lost_reason=reason)
    assert "lost_reason" in exc.value.message_dict


def test_the_board_refuses_a_lost_move_without_a_reason(acme, alice, sales):
    _pipeline, stages = sales
    deal = make_deal(acme, alice, stages["Proposal"])
    client = client_for(alice)
    url = f"/w/acme/deals/{deal.pk}/move/"
    response = client.post(url, {"stage": stages["Lost"].pk, "version": 1}, follow=True)
    assert "Choose why this deal was lost." in response.content.decode()
    with scope(workspace=acme):
        assert Deal.objects.get(pk=deal.pk).stage == stages["Proposal"]
        reason = LostReason.objects.get(name="No budget")
    response = client.post(
        url, {"stage": stages["Lost"].pk, "version": 1, "lost_reason": reason.pk}, follow=True
    )
    assert "moved to Lost" in response.content.decode()
    with scope(workspace=acme):
        assert Deal.objects.get(pk=deal.pk).lost_reason == reason
    page = client.get(f"/w/acme/deals/{deal.pk}/").content.decode()
    assert "No budget" in page and "Lost on" in page


def test_the_deal_form_asks_for_a_lost_reason(acme, alice, sales):
    _pipeline, stages = sales
    response = client_for(alice).post(
        "/w/acme/deals/new/",
        {"name": "X", "stage": stages["Lost"].pk, "currency": "USD"},
    )
    assert response.status_code == 200
    assert "Choose why this deal was lost." in response.content.decode()
    with scope(workspace=acme):
        assert not Deal.objects.exists()


def test_renewal_and_at_risk_show_as_badges(acme, alice, sales):
    _pipeline, stages = sales
    deal = make_deal(acme, alice, stages["Proposal"], is_renewal=True, at_risk=True)
    client = client_for(alice)
    for url in ("/w/acme/deals/board/", f"/w/acme/deals/{deal.pk}/"):
        page = client.get(url).content.decode()
        assert 'class="badge renewal">Renewal' in page and 'class="badge risk">At risk' in page


def test_contacts_on_a_deal_with_their_role(acme, alice, bob, sales):
    _pipeline, stages = sales
    deal = make_deal(acme, alice, stages["Proposal"])
    with scope(workspace=acme):
        lan = contact_create(
            actor=actor_for(acme, alice), values={"first_name": "Lan", "last_name": "Trần"}
        )
    client = client_for(alice)
    url = f"/w/acme/deals/{deal.pk}/contacts/"
    bad = client.post(url, {"contact": lan.pk, "role": "boss"}, follow=True)
    assert "Select a valid choice" in bad.content.decode()
    client.post(url, {"contact": lan.pk, "role": "champion"})
    client.post(url, {"contact": lan.pk, "role": "decision_maker"})
    with scope(workspace=acme):
        link = DealContact.objects.get(deal=deal)
        assert link.role == "decision_maker"
    page = client.get(f"/w/acme/deals/{deal.pk}/").content.decode()
    assert "Decision maker" in page
    changes = [
        e.changes["contacts"]
        for e in AuditEntry.objects.filter(object_type="deals.deal", action="update").order_by("pk")
    ]
    assert changes[-1][1].endswith("(Decision maker)")
    # Bob may not touch Alice's deal.
    assert client_for(bob).post(url, {"contact": lan.pk, "role": "user"}).status_code == 404
    client.post(f"/w/acme/deals/{deal.pk}/contacts/{link.pk}/remove/")
    with scope(workspace=acme):
        assert not DealContact.objects.exists()


def test_bad_deal_input_is_explained_at_the_field(acme, alice, sales):
    _pipeline, stages = sales
    with scope(workspace=acme):
        services.pipeline_create(actor=actor_for(acme, alice), name="Renewals")
    client = client_for(alice)
    base = {"name": "Máy nén", "stage": stages["Proposal"].pk, "currency": "VND"}
    cases = [
        ({"amount": "-5"}, "Ensure this value is greater than or equal to 0."),
        ({"amount": "1000.5"}, "Amounts in VND have no decimals."),
        ({"amount": "10.505", "currency": "USD"}, "Ensure that there are no more than 2 decimal"),
        ({"expected_close": "31/02/2025"}, "Enter a valid date."),
        ({"probability": "101"}, "Ensure this value is less than or equal to 100."),
        ({"probability": "-1"}, "Ensure this value is greater than or equal to 0."),
    ]
    for extra, message in cases:
        response = client.post("/w/acme/deals/new/", {**base, **extra})
        assert response.status_code == 200, extra
        assert message in response.content.decode(), extra
    with scope(workspace=acme):
        assert not Deal.objects.exists()
    deal = make_deal(acme, alice, stages["Proposal"], amount=Decimal(5))
    with scope(workspace=acme):
        foreign = stages["Proposal"].pipeline.__class__.objects.get(name="Renewals").stages.first()
    response = client.post(
        f"/w/acme/deals/{deal.pk}/edit/",
        {**base, "pipeline": deal.pipeline_id, "stage": foreign.pk, "version": 1, "amount": "5"},
    )
    assert response.status_code == 200
    assert "Choose a stage of the pipeline Sales." in response.content.decode()
    with scope(workspace=acme):
        deal.refresh_from_db()
        assert deal.stage == stages["Proposal"] and deal.version == 1
    moved = client.post(
        f"/w/acme/deals/{deal.pk}/move/",
        {"stage": foreign.pk, "version": deal.version},
        follow=True,
    )
    assert "Choose a stage of the pipeline" in moved.content.decode()


def test_generated_or_imported_history_may_lack_a_lost_reason(acme, alice, sales):
    from halyard.core.context import Actor, Source

    _pipeline, stages = sales
    with scope(workspace=acme):
        membership = actor_for(acme, alice).membership
        actor = Actor(workspace=acme, user=alice, membership=membership, source=Source.IMPORT)
        deal = services.deal_create(actor=actor, values={"name": "Old", "stage": stages["Lost"]})
        assert deal.lost_reason is None and deal.lost_on is not None
