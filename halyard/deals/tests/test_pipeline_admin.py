"""Pipelines and stages in workspace settings: admins only, deals always go somewhere."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_scopes import scope

from conftest import actor_for, client_for
from halyard.audit.models import AuditEntry
from halyard.core.models import OutboxEvent
from halyard.deals import services
from halyard.deals.models import Deal, DealStageChange, Pipeline, Stage
from halyard.deals.selectors import stage_history
from halyard.deals.tests.factories import make_deal, sales_pipeline


@pytest.fixture
def sales(acme, alice):
    return sales_pipeline(acme, alice)


def _names(pipeline):
    return list(pipeline.stages.order_by("position").values_list("name", flat=True))


def test_an_admin_creates_renames_and_orders_pipelines(acme, alice, sales):
    actor = actor_for(acme, alice)
    with scope(workspace=acme):
        renewals = services.pipeline_create(actor=actor, name="Renewals")
        assert [(s.name, s.kind) for s in renewals.stages.all()] == [
            ("New", "open"),
            ("Won", "won"),
            ("Lost", "lost"),
        ]
        with pytest.raises(ValidationError) as exc:
            services.pipeline_create(actor=actor, name="renewals")
        assert "name" in exc.value.message_dict
        services.pipeline_rename(actor=actor, pipeline=renewals, name="Gia hạn")
        services.pipeline_move(actor=actor, pipeline=renewals, offset=-1)
        assert list(Pipeline.objects.values_list("name", flat=True)) == ["Gia hạn", "Sales"]
    assert AuditEntry.objects.filter(object_type="deals.pipeline", action="update").count() == 2
    assert OutboxEvent.objects.filter(name="pipeline.created").exists()


def test_a_new_open_stage_goes_before_won_and_lost_and_can_be_reordered(acme, alice, sales):
    pipeline, stages = sales
    actor = actor_for(acme, alice)
    with scope(workspace=acme):
        services.stage_create(
            actor=actor, pipeline=pipeline, name="Demo", probability=40, kind="open"
        )
        assert _names(pipeline)[-3:] == ["Demo", "Won", "Lost"]
        services.stage_move(actor=actor, stage=stages["Qualification"], offset=1)
        assert _names(pipeline)[:2] == ["Needs analysis", "Qualification"]
        with pytest.raises(ValidationError) as exc:
            services.stage_create(
                actor=actor, pipeline=pipeline, name="Demo", probability=40, kind="open"
            )
        assert "name" in exc.value.message_dict
        with pytest.raises(ValidationError) as exc:
            services.stage_create(
                actor=actor, pipeline=pipeline, name="Maybe", probability=140, kind="open"
            )
        assert "probability" in exc.value.message_dict


def test_a_pipeline_keeps_an_open_a_won_and_a_lost_stage(acme, alice, sales):
    _pipeline, stages = sales
    actor = actor_for(acme, alice)
    with scope(workspace=acme):
        with pytest.raises(ValidationError) as exc:
            services.stage_delete(actor=actor, stage=stages["Won"])
        assert "kind" in exc.value.message_dict
        with pytest.raises(ValidationError):
            services.stage_update(
                actor=actor, stage=stages["Lost"], name="Lost", probability=0, kind="open"
            )
        assert Stage.objects.filter(pk=stages["Won"].pk).exists()


def test_a_stage_holding_deals_changes_kind_only_when_empty(acme, alice, sales):
    _pipeline, stages = sales
    make_deal(acme, alice, stages["Proposal"])
    with scope(workspace=acme):
        with pytest.raises(ValidationError) as exc:
            services.stage_update(
                actor=actor_for(acme, alice),
                stage=stages["Proposal"],
                name="Proposal",
                probability=50,
                kind="won",
            )
        assert "kind" in exc.value.message_dict
        stage = services.stage_update(
            actor=actor_for(acme, alice),
            stage=stages["Proposal"],
            name="Báo giá",
            probability=55,
            kind="open",
        )
        assert stage.name == "Báo giá" and stage.probability == 55


def test_deleting_a_stage_moves_its_deals_through_the_deal_service(acme, alice, sales):
    pipeline, stages = sales
    deal = make_deal(acme, alice, stages["Proposal"])
    actor = actor_for(acme, alice)
    proposal_pk = stages["Proposal"].pk
    with scope(workspace=acme):
        with pytest.raises(ValidationError) as exc:
            services.stage_delete(actor=actor, stage=stages["Proposal"])
        assert "target" in exc.value.message_dict
        other = services.pipeline_create(actor=actor, name="Recruiting")
        with pytest.raises(ValidationError) as exc:
            services.stage_delete(
                actor=actor, stage=stages["Proposal"], target=other.stages.first()
            )
        assert "target" in exc.value.message_dict
        assert Deal.objects.get(pk=deal.pk).stage == stages["Proposal"]
        moved = services.stage_delete(
            actor=actor, stage=stages["Proposal"], target=stages["Negotiation"]
        )
        assert moved == 1
        deal = Deal.objects.get(pk=deal.pk)
        assert deal.stage == stages["Negotiation"] and deal.probability == 75 and deal.version == 2
        assert not Stage.objects.filter(pk=proposal_pk).exists()
        assert DealStageChange.objects.filter(deal=deal, to_stage=stages["Negotiation"]).exists()
        assert _names(pipeline) == ["Qualification", "Needs analysis", "Negotiation", "Won", "Lost"]
        # The history still names the deleted stage.
        history = [spell.stage_name for spell in stage_history(deal)]
        assert history == ["Proposal", "Negotiation"]
    update = AuditEntry.objects.get(object_type="deals.deal", action="update")
    assert update.changes["stage"] == [proposal_pk, stages["Negotiation"].pk]
    assert AuditEntry.objects.filter(object_type="deals.stage", action="delete").exists()


def test_deleting_a_stage_into_a_lost_stage_needs_a_reason(acme, alice, sales):
    _pipeline, stages = sales
    deal = make_deal(acme, alice, stages["Proposal"])
    with scope(workspace=acme):
        with pytest.raises(ValidationError) as exc:
            services.stage_delete(
                actor=actor_for(acme, alice), stage=stages["Proposal"], target=stages["Lost"]
            )
        assert "lost_reason" in exc.value.message_dict
        assert Deal.objects.get(pk=deal.pk).stage == stages["Proposal"]
        assert Stage.objects.filter(pk=stages["Proposal"].pk).exists()


def test_deleting_a_pipeline_moves_its_deals_to_another(acme, alice, sales):
    _pipeline, stages = sales
    actor = actor_for(acme, alice)
    with scope(workspace=acme):
        renewals = services.pipeline_create(actor=actor, name="Renewals")
        new = renewals.stages.get(name="New")
    deal = make_deal(acme, alice, new)
    trashed = make_deal(acme, alice, new, name="Old")
    with scope(workspace=acme):
        services.deal_trash(actor=actor, deal=trashed)
        with pytest.raises(ValidationError):
            services.pipeline_delete(actor=actor, pipeline=renewals)
        assert (
            services.pipeline_delete(actor=actor, pipeline=renewals, target=stages["Qualification"])
            == 2
        )
        assert not Pipeline.objects.filter(name="Renewals").exists()
        for pk in (deal.pk, trashed.pk):
            moved = Deal.objects.get(pk=pk)
            assert (
                moved.stage == stages["Qualification"]
                and moved.pipeline == stages["Qualification"].pipeline
            )
        with pytest.raises(ValidationError):
            services.pipeline_delete(actor=actor, pipeline=stages["Won"].pipeline)


def test_only_admins_change_pipelines(acme, alice, bob, sales):
    pipeline, _stages = sales
    with scope(workspace=acme), pytest.raises(PermissionDenied):
        services.pipeline_create(actor=actor_for(acme, bob), name="Mine")
    client = client_for(bob)
    for url in (
        "/w/acme/settings/pipelines/",
        f"/w/acme/settings/pipelines/{pipeline.pk}/",
        "/w/acme/settings/lost-reasons/",
        "/w/acme/settings/currencies/",
    ):
        assert client.get(url).status_code == 403, url
    assert client.post("/w/acme/settings/pipelines/", {"name": "Mine"}).status_code == 403
    with scope(workspace=acme):
        assert not Pipeline.objects.filter(name="Mine").exists()


def test_the_pipeline_pages(acme, alice, sales):
    pipeline, stages = sales
    make_deal(acme, alice, stages["Proposal"])
    client = client_for(alice)
    page = client.get("/w/acme/settings/pipelines/").content.decode()
    assert "Sales" in page
    response = client.post("/w/acme/settings/pipelines/", {"name": "Tuyển dụng"})
    with scope(workspace=acme):
        recruiting = Pipeline.objects.get(name="Tuyển dụng")
        foreign_stage = recruiting.stages.first()
    assert response.status_code == 302 and str(recruiting.pk) in response["Location"]
    response = client.post(
        f"/w/acme/settings/pipelines/{pipeline.pk}/stages/",
        {"stage-name": "Demo", "stage-probability": "101", "stage-kind": "open"},
    )
    assert response.status_code == 400
    assert "Ensure this value is less than or equal to 100." in response.content.decode()
    client.post(
        f"/w/acme/settings/pipelines/{pipeline.pk}/stages/",
        {"stage-name": "Demo", "stage-probability": "40", "stage-kind": "open"},
    )
    page = client.get(f"/w/acme/settings/pipelines/{pipeline.pk}/").content.decode()
    assert "Demo" in page and "1 deal" in page
    # Deleting a stage that holds a deal without choosing where it goes changes nothing.
    url = f"/w/acme/settings/stages/{stages['Proposal'].pk}/delete/"
    assert "It holds 1 deal" in client.get(url).content.decode()
    response = client.post(url, {"target": ""})
    assert response.status_code == 400
    assert "Choose the stage where its deals go." in response.content.decode()
    foreign = client.post(url, {"target": foreign_stage.pk})
    assert foreign.status_code == 400
    assert "Select a valid choice" in foreign.content.decode()
    with scope(workspace=acme):
        assert Stage.objects.filter(pk=stages["Proposal"].pk).exists()
    response = client.post(url, {"target": stages["Negotiation"].pk})
    assert response.status_code == 302
    with scope(workspace=acme):
        assert Deal.objects.get().stage == stages["Negotiation"]


def test_lost_reasons_are_kept_by_admins(acme, alice, sales):
    client = client_for(alice)
    assert (
        client.post("/w/acme/settings/lost-reasons/", {"name": "Hết ngân sách"}).status_code == 302
    )
    with scope(workspace=acme):
        from halyard.deals.models import LostReason

        reason = LostReason.objects.get(name="Hết ngân sách")
    client.post(f"/w/acme/settings/lost-reasons/{reason.pk}/", {"action": "archive"})
    with scope(workspace=acme):
        reason.refresh_from_db()
        assert reason.archived_at is not None
        assert reason not in LostReason.objects.active()
    client.post(f"/w/acme/settings/lost-reasons/{reason.pk}/", {"action": "rename", "name": "Giá"})
    page = client.get("/w/acme/settings/lost-reasons/").content.decode()
    assert "Archived" in page
    dup = client.post("/w/acme/settings/lost-reasons/", {"name": "price"})
    assert dup.status_code == 400 and "already on the list" in dup.content.decode()


def test_moving_a_stage_to_another_pipeline_asks_where_its_deals_go(acme, alice, sales):
    pipeline, stages = sales
    deal = make_deal(acme, alice, stages["Proposal"])
    actor = actor_for(acme, alice)
    with scope(workspace=acme):
        renewals = services.pipeline_create(actor=actor, name="Renewals")
    client = client_for(alice)
    url = f"/w/acme/settings/stages/{stages['Proposal'].pk}/transfer/"
    page = client.get(url).content.decode()
    assert "It holds 1 deal, which stays in Sales" in page
    refused = client.post(url, {"pipeline": renewals.pk})
    assert refused.status_code == 400
    assert "Choose the stage where its deals go." in refused.content.decode()
    with scope(workspace=acme):
        assert Stage.objects.get(pk=stages["Proposal"].pk).pipeline == pipeline
        foreign = renewals.stages.first()
    assert client.post(url, {"pipeline": renewals.pk, "target": foreign.pk}).status_code == 400
    response = client.post(url, {"pipeline": renewals.pk, "target": stages["Negotiation"].pk})
    assert response.status_code == 302
    with scope(workspace=acme):
        assert _names(renewals) == ["New", "Proposal", "Won", "Lost"]
        assert "Proposal" not in _names(pipeline)
        deal = Deal.objects.get(pk=deal.pk)
        assert deal.stage == stages["Negotiation"] and deal.pipeline == pipeline
        with pytest.raises(ValidationError):  # Sales must keep its won stage
            services.stage_transfer(actor=actor, stage=stages["Won"], pipeline=renewals)
