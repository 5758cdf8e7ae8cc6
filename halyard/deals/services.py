"""Writes on deals and pipelines (permissions, audit and events via the record services)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from halyard.audit.services import record_apply, record_insert, record_restore, record_trash
from halyard.core.context import Actor
from halyard.core.events import event_record
from halyard.deals.models import Deal, DealStageChange, Pipeline, Stage, StageKind

DEFAULT_STAGES = [
    (gettext_lazy("Qualification"), 10, StageKind.OPEN),
    (gettext_lazy("Needs analysis"), 25, StageKind.OPEN),
    (gettext_lazy("Proposal"), 50, StageKind.OPEN),
    (gettext_lazy("Negotiation"), 75, StageKind.OPEN),
    (gettext_lazy("Won"), 100, StageKind.WON),
    (gettext_lazy("Lost"), 0, StageKind.LOST),
]


def pipeline_ensure_default(*, actor: Actor) -> Pipeline:
    """Return the workspace's first pipeline, creating a standard sales pipeline if none."""
    with transaction.atomic():
        pipeline = Pipeline.objects.order_by("position", "pk").first()
        if pipeline is not None:
            return pipeline
        pipeline = Pipeline.objects.create(workspace=actor.workspace, name=_("Sales"))
        for position, (name, probability, kind) in enumerate(DEFAULT_STAGES):
            Stage.objects.create(
                workspace=actor.workspace,
                pipeline=pipeline,
                name=str(name),
                position=position,
                probability=probability,
                kind=kind,
            )
    return pipeline


def _check_stage(values: dict[str, Any]) -> None:
    stage, pipeline = values.get("stage"), values.get("pipeline")
    if stage is not None and pipeline is not None and stage.pipeline_id != pipeline.pk:
        raise ValidationError(
            {
                "stage": _("Choose a stage of the pipeline %(pipeline)s.")
                % {"pipeline": pipeline.name}
            }
        )


def _closing(stage: Stage) -> dict[str, Any]:
    """Return the fields that follow from entering a stage."""
    closed = stage.kind in {StageKind.WON, StageKind.LOST}
    return {"closed_at": timezone.now() if closed else None, "stage_entered_at": timezone.now()}


def deal_create(*, actor: Actor, values: dict[str, Any]) -> Deal:
    """Create a deal; its probability defaults to its stage's."""
    values = dict(values)
    tags = values.pop("tags", None)
    if values.get("stage") is not None and values.get("pipeline") is None:
        values["pipeline"] = values["stage"].pipeline
    _check_stage(values)
    if values.get("probability") is None and values.get("stage") is not None:
        values["probability"] = values["stage"].probability
    if values.get("stage") is not None:
        values.update(_closing(values["stage"]))
    with transaction.atomic():
        deal = record_insert(actor=actor, record=Deal(**values), tags=tags)
        DealStageChange.objects.create(
            workspace=actor.workspace, deal=deal, to_stage=deal.stage, changed_by=actor.user
        )
    return deal


def deal_update(*, actor: Actor, deal: Deal, expected_version: int, values: dict[str, Any]) -> Deal:
    """Change a deal's fields; a new stage is recorded in its history and announced."""
    values = dict(values)
    merged = {
        "pipeline": values.get("pipeline", deal.pipeline),
        "stage": values.get("stage", deal.stage),
    }
    _check_stage(merged)
    old_stage = deal.stage
    new_stage = merged["stage"]
    moved = new_stage.pk != old_stage.pk
    if moved:
        values.update(_closing(new_stage))
        if values.get("probability") in (None, deal.probability):
            values["probability"] = new_stage.probability
    if values.get("probability") is None:
        values["probability"] = deal.probability
    with transaction.atomic():
        deal = record_apply(
            actor=actor, record=deal, expected_version=expected_version, values=values
        )
        if moved:
            _stage_changed(actor, deal, old_stage, new_stage)
    return deal


def deal_move_to_stage(*, actor: Actor, deal: Deal, stage: Stage, expected_version: int) -> Deal:
    """Move a deal to another stage of its pipeline (what the board's drag and drop does)."""
    if stage.pipeline_id != deal.pipeline_id:
        raise ValidationError(
            {
                "stage": _("Choose a stage of the pipeline %(pipeline)s.")
                % {"pipeline": deal.pipeline.name}
            }
        )
    return deal_update(
        actor=actor, deal=deal, expected_version=expected_version, values={"stage": stage}
    )


def _stage_changed(actor: Actor, deal: Deal, old: Stage, new: Stage) -> None:
    DealStageChange.objects.create(
        workspace=actor.workspace, deal=deal, from_stage=old, to_stage=new, changed_by=actor.user
    )
    payload = {"id": deal.pk, "from_stage": old.pk, "to_stage": new.pk}
    event_record(actor=actor, name="deal.stage_changed", payload=payload)
    if new.kind == StageKind.WON:
        event_record(actor=actor, name="deal.won", payload=payload)
    elif new.kind == StageKind.LOST:
        event_record(actor=actor, name="deal.lost", payload=payload)


def deal_trash(*, actor: Actor, deal: Deal, expected_version: int | None = None) -> Deal:
    """Move a deal to the trash."""
    return record_trash(actor=actor, record=deal, expected_version=expected_version)


def deal_restore(*, actor: Actor, deal: Deal) -> Deal:
    """Bring a deal back from the trash."""
    return record_restore(actor=actor, record=deal)
