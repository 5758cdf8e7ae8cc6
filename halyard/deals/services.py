"""Writes on deals (permissions, audit and events via the record services)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from babel.numbers import is_currency
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from halyard.audit.models import AuditAction
from halyard.audit.services import (
    audit_write,
    record_apply,
    record_event,
    record_insert,
    record_restore,
    record_trash,
)
from halyard.contacts.models import Contact
from halyard.core.context import Actor, Source
from halyard.core.events import event_record
from halyard.deals.models import (
    FORECAST_FOR_KIND,
    ContactRole,
    Deal,
    DealContact,
    DealStageChange,
    ExchangeRate,
    LostReason,
    Pipeline,
    Stage,
    StageKind,
)
from halyard.deals.money import amount_check
from halyard.workspaces import permissions

DEFAULT_STAGES = [
    (gettext_lazy("Qualification"), 10, StageKind.OPEN),
    (gettext_lazy("Needs analysis"), 25, StageKind.OPEN),
    (gettext_lazy("Proposal"), 50, StageKind.OPEN),
    (gettext_lazy("Negotiation"), 75, StageKind.OPEN),
    (gettext_lazy("Won"), 100, StageKind.WON),
    (gettext_lazy("Lost"), 0, StageKind.LOST),
]


# Sources where a person is at the keyboard (or an API client acting for one).
INTERACTIVE = {Source.WEB, Source.API}

DEFAULT_LOST_REASONS = [
    gettext_lazy("Price"),
    gettext_lazy("Chose a competitor"),
    gettext_lazy("No budget"),
    gettext_lazy("No decision"),
    gettext_lazy("Bad timing"),
    gettext_lazy("Other"),
]


def pipeline_ensure_default(*, actor: Actor) -> Pipeline:
    """Return the workspace's first pipeline; create a standard one and lost reasons if none."""
    with transaction.atomic():
        if not LostReason.objects.exists():
            for position, reason in enumerate(DEFAULT_LOST_REASONS):
                LostReason.objects.create(
                    workspace=actor.workspace, name=str(reason), position=position
                )
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


def _check_probability(probability: Any) -> None:
    if probability is not None and not 0 <= probability <= 100:
        raise ValidationError({"probability": _("Give a probability between 0 and 100.")})


def _closing(stage: Stage) -> dict[str, Any]:
    """Return the fields that follow from entering a stage: close time, won and lost dates."""
    now = timezone.now()
    today = timezone.localdate()
    return {
        "closed_at": now if stage.kind in {StageKind.WON, StageKind.LOST} else None,
        "won_on": today if stage.kind == StageKind.WON else None,
        "lost_on": today if stage.kind == StageKind.LOST else None,
        "stage_entered_at": now,
    }


def _check_lost_reason(
    stage: Stage, values: dict[str, Any], current: LostReason | None, required: bool = True
) -> None:
    """Require an active reason on a lost deal; clear the reason of a deal that is not lost."""
    if stage.kind != StageKind.LOST:
        values["lost_reason"] = None
        return
    reason = values.get("lost_reason", current)
    if reason is None and not required:
        return
    if reason is None:
        raise ValidationError({"lost_reason": _("Choose why this deal was lost.")})
    if reason != current and reason.archived_at is not None:
        raise ValidationError({"lost_reason": _("This reason is archived. Choose another.")})
    values["lost_reason"] = reason


def deal_create(*, actor: Actor, values: dict[str, Any]) -> Deal:
    """Create a deal; probability and forecast category default to its stage's."""
    values = dict(values)
    tags = values.pop("tags", None)
    if values.get("stage") is not None and values.get("pipeline") is None:
        values["pipeline"] = values["stage"].pipeline
    _check_stage(values)
    values.setdefault("currency", actor.workspace.default_currency)
    amount_check(values.get("amount"), values["currency"])
    _check_probability(values.get("probability"))
    stage = values.get("stage")
    if stage is not None:
        given = values.get("probability")
        values["probability"] = stage.probability if given is None else given
        values["probability_overridden"] = given is not None and given != stage.probability
        if not values.get("forecast_category"):
            values["forecast_category"] = FORECAST_FOR_KIND[StageKind(stage.kind)]
        values.update(_closing(stage))
        # People must say why; imported or generated history may not know.
        _check_lost_reason(stage, values, None, required=actor.source in INTERACTIVE)
    with transaction.atomic():
        deal = record_insert(actor=actor, record=Deal(**values), tags=tags)
        DealStageChange.objects.create(
            workspace=actor.workspace,
            deal=deal,
            to_stage=deal.stage,
            to_stage_name=deal.stage.name,
            changed_by=actor.user,
        )
    return deal


def deal_update(*, actor: Actor, deal: Deal, expected_version: int, values: dict[str, Any]) -> Deal:
    """Change a deal's fields; a new stage is recorded in its history and announced.

    Entering a stage resets the probability to the stage's default unless someone overrode it
    (won and lost stages always set theirs), and the forecast category follows the stage's kind
    unless it is changed in the same edit.
    """
    values = dict(values)
    merged = {
        "pipeline": values.get("pipeline", deal.pipeline),
        "stage": values.get("stage", deal.stage),
    }
    _check_stage(merged)
    amount_check(values.get("amount", deal.amount), values.get("currency", deal.currency))
    _check_probability(values.get("probability"))
    old_stage = deal.stage
    new_stage: Stage = merged["stage"]
    moved = new_stage.pk != old_stage.pk
    given = values.get("probability")
    if moved:
        values.update(_closing(new_stage))
        if "probability" not in values and deal.probability_overridden:
            given = deal.probability
        kept = given is not None and (given != deal.probability or deal.probability_overridden)
        if new_stage.kind != StageKind.OPEN or not kept:
            values["probability"] = new_stage.probability
            values["probability_overridden"] = False
        else:
            values["probability_overridden"] = given != new_stage.probability
        chosen = values.get("forecast_category")
        if new_stage.kind != old_stage.kind and chosen in (None, "", deal.forecast_category):
            values["forecast_category"] = FORECAST_FOR_KIND[StageKind(new_stage.kind)]
    elif "probability" in values:
        values["probability"] = new_stage.probability if given is None else given
        values["probability_overridden"] = given is not None and given != new_stage.probability
    if not values.get("forecast_category", True):
        values.pop("forecast_category")
    _check_lost_reason(new_stage, values, deal.lost_reason)
    with transaction.atomic():
        deal = record_apply(
            actor=actor, record=deal, expected_version=expected_version, values=values
        )
        if moved:
            _stage_changed(actor, deal, old_stage, new_stage)
    return deal


def deal_move_to_stage(
    *,
    actor: Actor,
    deal: Deal,
    stage: Stage,
    expected_version: int,
    lost_reason: LostReason | None = None,
) -> Deal:
    """Move a deal to another stage of its pipeline (the board); a lost stage needs a reason."""
    if stage.pipeline_id != deal.pipeline_id:
        raise ValidationError(
            {
                "stage": _("Choose a stage of the pipeline %(pipeline)s.")
                % {"pipeline": deal.pipeline.name}
            }
        )
    values: dict[str, Any] = {"stage": stage}
    if lost_reason is not None:
        values["lost_reason"] = lost_reason
    return deal_update(actor=actor, deal=deal, expected_version=expected_version, values=values)


def _stage_changed(actor: Actor, deal: Deal, old: Stage, new: Stage) -> None:
    DealStageChange.objects.create(
        workspace=actor.workspace,
        deal=deal,
        from_stage=old,
        to_stage=new,
        to_stage_name=new.name,
        changed_by=actor.user,
    )
    names = ["deal.stage_changed"]
    if new.kind == StageKind.WON:
        names.append("deal.won")
    elif new.kind == StageKind.LOST:
        names.append("deal.lost")
    for name in names:
        record_event(
            actor=actor, name=name, record=deal, from_stage=str(old.pk), to_stage=str(new.pk)
        )


def deal_contact_add(*, actor: Actor, deal: Deal, contact: Contact, role: str) -> DealContact:
    """Put a contact on a deal with a role (or change their role), audited on the deal."""
    permissions.require_touch(actor.membership, "deals", "edit", deal)
    if role not in ContactRole.values:
        raise ValidationError({"role": _("Choose a role from the list.")})
    if contact.workspace_id != deal.workspace_id or contact.deleted_at is not None:
        raise ValidationError({"contact": _("Choose a contact of this workspace.")})
    with transaction.atomic():
        link = DealContact.objects.filter(deal=deal, contact=contact).first()
        before = f"{contact} ({ContactRole(link.role).label})" if link else None
        if link is None:
            link = DealContact(workspace=actor.workspace, deal=deal, contact=contact)
        link.role = role
        link.save()
        after = f"{contact} ({ContactRole(role).label})"
        if before != after:
            audit_write(
                actor=actor,
                action=AuditAction.UPDATE,
                obj=deal,
                changes={"contacts": [before, after]},
            )
            record_event(
                actor=actor,
                name="deal.contact_added",
                record=deal,
                contact=str(contact.pk),
                role=role,
            )
    return link


def deal_contact_remove(*, actor: Actor, link: DealContact) -> None:
    """Take a contact off a deal, audited on the deal."""
    deal = link.deal
    permissions.require_touch(actor.membership, "deals", "edit", deal)
    with transaction.atomic():
        label = f"{link.contact} ({ContactRole(link.role).label})"
        link.delete()
        audit_write(
            actor=actor, action=AuditAction.UPDATE, obj=deal, changes={"contacts": [label, None]}
        )
        record_event(
            actor=actor, name="deal.contact_removed", record=deal, contact=str(link.contact_id)
        )


def deal_trash(*, actor: Actor, deal: Deal, expected_version: int | None = None) -> Deal:
    """Move a deal to the trash."""
    return record_trash(actor=actor, record=deal, expected_version=expected_version)


def deal_restore(*, actor: Actor, deal: Deal) -> Deal:
    """Bring a deal back from the trash."""
    return record_restore(actor=actor, record=deal)


# Pipelines and stages (workspace settings, administrators only) ---------------------------


def _require_admin(actor: Actor) -> None:
    if actor.user is None and actor.membership is None:
        return  # work started by the system itself
    if not permissions.is_admin(actor.membership):
        raise PermissionDenied(_("Only administrators can change pipelines."))


def _audit(actor: Actor, action: str, obj: Any, changes: dict[str, list[Any]]) -> None:
    audit_write(actor=actor, action=action, obj=obj, changes=changes)
    verb = {"create": "created", "delete": "deleted"}.get(str(action), "updated")
    name = f"{obj._meta.model_name}.{verb}"
    event_record(actor=actor, name=name, payload={"id": obj.pk, "changes": changes})


def _rename(actor: Actor, obj: Any, name: str, taken: str) -> Any:
    """Rename a pipeline or lost reason; names are unique in the workspace, case aside."""
    _require_admin(actor)
    name = _clean_name(name)
    with transaction.atomic():
        others = type(obj).objects.filter(name__iexact=name).exclude(pk=obj.pk)
        if others.exists():
            raise ValidationError({"name": taken})
        if name != obj.name:
            _audit(actor, AuditAction.UPDATE, obj, {"name": [obj.name, name]})
            obj.name = name
            obj.save(update_fields=["name"])
    return obj


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give it a name.")})
    if len(name) > 80:
        raise ValidationError({"name": _("Use at most 80 characters.")})
    return name


def pipeline_create(*, actor: Actor, name: str) -> Pipeline:
    """Add a pipeline with one open, one won and one lost stage, to be completed by the admin."""
    _require_admin(actor)
    name = _clean_name(name)
    with transaction.atomic():
        if Pipeline.objects.filter(name__iexact=name).exists():
            raise ValidationError({"name": _("A pipeline with this name already exists.")})
        last = Pipeline.objects.order_by("-position").first()
        pipeline = Pipeline.objects.create(
            workspace=actor.workspace, name=name, position=(last.position + 1) if last else 0
        )
        _audit(actor, AuditAction.CREATE, pipeline, {"name": [None, name]})
        for position, (stage_name, probability, kind) in enumerate(
            [
                (_("New"), 10, StageKind.OPEN),
                (_("Won"), 100, StageKind.WON),
                (_("Lost"), 0, StageKind.LOST),
            ]
        ):
            stage = Stage.objects.create(
                workspace=actor.workspace,
                pipeline=pipeline,
                name=stage_name,
                position=position,
                probability=probability,
                kind=kind,
            )
            _audit(actor, AuditAction.CREATE, stage, {"name": [None, stage_name]})
    return pipeline


def pipeline_rename(*, actor: Actor, pipeline: Pipeline, name: str) -> Pipeline:
    """Rename a pipeline."""
    return _rename(actor, pipeline, name, _("A pipeline with this name already exists."))


def _shift(actor: Actor, items: list[Any], item: Any, offset: int) -> None:
    """Move an item up (-1) or down (+1) in an ordered list and renumber the positions."""
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    target = min(max(index + offset, 0), len(items) - 1)
    if target == index:
        return
    items.insert(target, items.pop(index))
    for position, other in enumerate(items):
        if other.position != position:
            if other.pk == item.pk:
                _audit(actor, AuditAction.UPDATE, other, {"position": [other.position, position]})
            other.position = position
            other.save(update_fields=["position"])


def pipeline_move(*, actor: Actor, pipeline: Pipeline, offset: int) -> None:
    """Move a pipeline earlier (-1) or later (+1) in the pipeline switcher."""
    _require_admin(actor)
    with transaction.atomic():
        _shift(
            actor,
            list(Pipeline.objects.select_for_update().order_by("position", "pk")),
            pipeline,
            offset,
        )


def _relocate_deals(actor: Actor, deals: Any, target: Stage, lost_reason: LostReason | None) -> int:
    """Move deals to a stage through the deal service; trashed ones are moved and audited too."""
    moved = 0
    for deal in deals.select_related("stage", "pipeline", "lost_reason").order_by("pk"):
        values: dict[str, Any] = {"pipeline": target.pipeline, "stage": target}
        if target.kind == StageKind.LOST and deal.lost_reason is None:
            if lost_reason is None:
                raise ValidationError(
                    {"lost_reason": _("Choose why the deals moved to a lost stage were lost.")}
                )
            values["lost_reason"] = lost_reason
        if deal.deleted_at is None:
            deal_update(actor=actor, deal=deal, expected_version=deal.version, values=values)
        else:
            old_stage = deal.stage
            Deal.objects.filter(pk=deal.pk).update(
                pipeline=target.pipeline, stage=target, lost_reason=values.get("lost_reason")
            )
            audit_write(
                actor=actor,
                action=AuditAction.UPDATE,
                obj=deal,
                changes={"stage": [old_stage.pk, target.pk]},
            )
            DealStageChange.objects.create(
                workspace=actor.workspace,
                deal=deal,
                from_stage=old_stage,
                to_stage=target,
                to_stage_name=target.name,
                changed_by=actor.user,
            )
        moved += 1
    return moved


def pipeline_delete(
    *,
    actor: Actor,
    pipeline: Pipeline,
    target: Stage | None = None,
    lost_reason: LostReason | None = None,
) -> int:
    """Delete a pipeline after moving its deals to a stage of another; return how many moved."""
    _require_admin(actor)
    with transaction.atomic():
        if not Pipeline.objects.exclude(pk=pipeline.pk).exists():
            raise ValidationError(_("A workspace keeps at least one pipeline."))
        deals = Deal.objects.filter(pipeline=pipeline)
        moved = 0
        if deals.exists():
            if target is None:
                raise ValidationError(
                    {"target": _("Choose the stage where this pipeline's deals go.")}
                )
            if target.pipeline_id == pipeline.pk:
                raise ValidationError({"target": _("Choose a stage of another pipeline.")})
            moved = _relocate_deals(actor, deals, target, lost_reason)
        _audit(actor, AuditAction.DELETE, pipeline, {"name": [pipeline.name, None]})
        pipeline.stages.all().delete()
        pipeline.delete()
    return moved


def _check_kinds(stages: list[Stage]) -> None:
    kinds = {s.kind for s in stages}
    if not {StageKind.OPEN, StageKind.WON, StageKind.LOST} <= kinds:
        raise ValidationError(
            {"kind": _("A pipeline keeps at least one open, one won and one lost stage.")}
        )


def _clean_stage(name: str, probability: Any, kind: str) -> tuple[str, int, str]:
    name = _clean_name(name)
    if kind not in StageKind.values:
        raise ValidationError({"kind": _("Choose open, won or lost.")})
    try:
        probability = int(probability)
    except (TypeError, ValueError):
        raise ValidationError({"probability": _("Give a probability between 0 and 100.")}) from None
    _check_probability(probability)
    return name, probability, kind


def stage_create(
    *, actor: Actor, pipeline: Pipeline, name: str, probability: Any, kind: str
) -> Stage:
    """Add a stage before the pipeline's won and lost stages (open) or at the end."""
    _require_admin(actor)
    name, probability, kind = _clean_stage(name, probability, kind)
    with transaction.atomic():
        stages = list(pipeline.stages.select_for_update().order_by("position", "pk"))
        if any(s.name.lower() == name.lower() for s in stages):
            raise ValidationError({"name": _("This pipeline already has a stage with this name.")})
        stage = Stage(
            workspace=actor.workspace,
            pipeline=pipeline,
            name=name,
            probability=probability,
            kind=kind,
        )
        closed = [s for s in stages if s.kind != StageKind.OPEN]
        at = stages.index(closed[0]) if kind == StageKind.OPEN and closed else len(stages)
        stages.insert(at, stage)
        for position, other in enumerate(stages):
            if other.pk is None or other.position != position:
                other.position = position
                other.save()
        _audit(
            actor,
            AuditAction.CREATE,
            stage,
            {"name": [None, name], "probability": [None, probability], "kind": [None, kind]},
        )
    return stage


def stage_update(*, actor: Actor, stage: Stage, name: str, probability: Any, kind: str) -> Stage:
    """Rename a stage or change its probability or kind (not its kind while it holds deals)."""
    _require_admin(actor)
    name, probability, kind = _clean_stage(name, probability, kind)
    with transaction.atomic():
        siblings = list(stage.pipeline.stages.select_for_update().exclude(pk=stage.pk))
        if any(s.name.lower() == name.lower() for s in siblings):
            raise ValidationError({"name": _("This pipeline already has a stage with this name.")})
        if kind != stage.kind:
            if Deal.objects.filter(stage=stage).exists():
                raise ValidationError(
                    {
                        "kind": _(
                            "Move this stage's deals to another stage before changing its kind."
                        )
                    }
                )
            _check_kinds([*siblings, Stage(kind=kind)])
        changes = {
            field: [getattr(stage, field), value]
            for field, value in (("name", name), ("probability", probability), ("kind", kind))
            if getattr(stage, field) != value
        }
        if changes:
            stage.name, stage.probability, stage.kind = name, probability, kind
            stage.save(update_fields=["name", "probability", "kind"])
            _audit(actor, AuditAction.UPDATE, stage, changes)
    return stage


def stage_move(*, actor: Actor, stage: Stage, offset: int) -> None:
    """Move a stage earlier (-1) or later (+1) in its pipeline; its deals stay where they are."""
    _require_admin(actor)
    with transaction.atomic():
        stages = list(stage.pipeline.stages.select_for_update().order_by("position", "pk"))
        _shift(actor, stages, stage, offset)


def stage_delete(
    *,
    actor: Actor,
    stage: Stage,
    target: Stage | None = None,
    lost_reason: LostReason | None = None,
) -> int:
    """Delete a stage; its deals first move to another stage of the same pipeline."""
    _require_admin(actor)
    with transaction.atomic():
        siblings = list(stage.pipeline.stages.select_for_update().exclude(pk=stage.pk))
        _check_kinds(siblings)
        deals = Deal.objects.filter(stage=stage)
        moved = 0
        if deals.exists():
            if target is None:
                raise ValidationError({"target": _("Choose the stage where its deals go.")})
            if target.pipeline_id != stage.pipeline_id or target.pk == stage.pk:
                raise ValidationError({"target": _("Choose another stage of the same pipeline.")})
            moved = _relocate_deals(actor, deals, target, lost_reason)
        _audit(actor, AuditAction.DELETE, stage, {"name": [stage.name, None]})
        stage.delete()
        for position, other in enumerate(sorted(siblings, key=lambda s: (s.position, s.pk))):
            if other.position != position:
                other.position = position
                other.save(update_fields=["position"])
    return moved


def stage_transfer(
    *,
    actor: Actor,
    stage: Stage,
    pipeline: Pipeline,
    target: Stage | None = None,
    lost_reason: LostReason | None = None,
) -> int:
    """Move a stage to another pipeline; its deals first go to a stage of its current one."""
    _require_admin(actor)
    with transaction.atomic():
        if pipeline.pk == stage.pipeline_id:
            raise ValidationError({"pipeline": _("Choose another pipeline.")})
        siblings = list(stage.pipeline.stages.select_for_update().exclude(pk=stage.pk))
        _check_kinds(siblings)
        if any(s.name.lower() == stage.name.lower() for s in pipeline.stages.all()):
            raise ValidationError(
                {"pipeline": _("That pipeline already has a stage with this name.")}
            )
        deals = Deal.objects.filter(stage=stage)
        moved = 0
        if deals.exists():
            if target is None:
                raise ValidationError({"target": _("Choose the stage where its deals go.")})
            if target.pipeline_id != stage.pipeline_id or target.pk == stage.pk:
                raise ValidationError({"target": _("Choose another stage of the same pipeline.")})
            moved = _relocate_deals(actor, deals, target, lost_reason)
        old = stage.pipeline
        stages = list(pipeline.stages.select_for_update().order_by("position", "pk"))
        closed = [s for s in stages if s.kind != StageKind.OPEN]
        at = stages.index(closed[0]) if stage.kind == StageKind.OPEN and closed else len(stages)
        stage.pipeline = pipeline
        stages.insert(at, stage)
        for position, other in enumerate(stages):
            other.position = position
            other.save(update_fields=["pipeline", "position"] if other is stage else ["position"])
        for position, other in enumerate(sorted(siblings, key=lambda s: (s.position, s.pk))):
            if other.position != position:
                other.position = position
                other.save(update_fields=["position"])
        _audit(actor, AuditAction.UPDATE, stage, {"pipeline": [old.name, pipeline.name]})
    return moved


# Lost reasons and exchange rates ------------------------------------------------------------


def lost_reason_create(*, actor: Actor, name: str) -> LostReason:
    """Add a reason to the list offered when a deal is lost."""
    _require_admin(actor)
    name = _clean_name(name)
    with transaction.atomic():
        if LostReason.objects.filter(name__iexact=name).exists():
            raise ValidationError({"name": _("This reason is already on the list.")})
        last = LostReason.objects.order_by("-position").first()
        reason = LostReason.objects.create(
            workspace=actor.workspace, name=name, position=(last.position + 1) if last else 0
        )
        _audit(actor, AuditAction.CREATE, reason, {"name": [None, name]})
    return reason


def lost_reason_rename(*, actor: Actor, reason: LostReason, name: str) -> LostReason:
    """Rename a lost reason (deals that carry it show the new name)."""
    return _rename(actor, reason, name, _("This reason is already on the list."))


def lost_reason_archive(*, actor: Actor, reason: LostReason, archived: bool = True) -> LostReason:
    """Stop offering a reason (deals keep it), or offer it again."""
    _require_admin(actor)
    with transaction.atomic():
        was = reason.archived_at is not None
        if was != archived:
            reason.archived_at = timezone.now() if archived else None
            reason.save(update_fields=["archived_at"])
            _audit(actor, AuditAction.UPDATE, reason, {"archived": [was, archived]})
    return reason


def exchange_rate_set(
    *, actor: Actor, currency: str, rate: Decimal, effective_on: date
) -> ExchangeRate:
    """Record what one unit of a currency is worth in the default currency from a date."""
    _require_admin(actor)
    currency = (currency or "").upper()
    base = actor.workspace.default_currency
    if not is_currency(currency):
        raise ValidationError({"currency": _("Choose an ISO 4217 currency code.")})
    if currency == base:
        raise ValidationError(
            {"currency": _("This is the default currency; its rate is always 1.")}
        )
    if rate is None or rate <= 0:
        raise ValidationError({"rate": _("A rate must be greater than zero.")})
    with transaction.atomic():
        row, created = ExchangeRate.objects.update_or_create(
            workspace=actor.workspace,
            base_currency=base,
            currency=currency,
            effective_on=effective_on,
            defaults={"rate": rate, "created_by": actor.user},
        )
        _audit(
            actor,
            AuditAction.CREATE if created else AuditAction.UPDATE,
            row,
            {"rate": [None, str(rate)], "effective_on": [None, str(effective_on)]},
        )
    return row
