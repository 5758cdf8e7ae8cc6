"""Reads for deals: the board and a deal's stage history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.utils import timezone

from halyard.deals.models import Deal, DealStageChange, Pipeline, Stage

CARDS_PER_COLUMN = 50


@dataclass
class Column:
    stage: Stage
    cards: list[Deal]
    count: int = 0
    total: Decimal = Decimal(0)
    weighted: Decimal = Decimal(0)
    more: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def board(*, pipeline: Pipeline, deals: QuerySet[Deal], currency: str) -> list[Column]:
    """Return the columns of a pipeline: up to 50 newest cards each, with counts and totals.

    Totals add the amounts in the workspace currency; a fixed number of queries per column
    whatever the number of deals.
    """
    stages = list(pipeline.stages.all())
    in_pipeline = deals.filter(pipeline=pipeline)
    weighted = ExpressionWrapper(
        F("amount") * F("probability") / 100.0,
        output_field=DecimalField(max_digits=20, decimal_places=2),
    )
    totals = {
        row["stage_id"]: row
        for row in in_pipeline.values("stage_id").annotate(
            n=Count("id"),
            total=Sum("amount", filter=Q(currency=currency)),
            weighted=Sum(weighted, filter=Q(currency=currency)),
        )
    }
    columns = []
    for stage in stages:
        row = totals.get(stage.pk, {})
        cards = list(
            in_pipeline.filter(stage=stage)
            .select_related("company", "owner")
            .order_by("-pk")[:CARDS_PER_COLUMN]
        )
        count = row.get("n", 0)
        columns.append(
            Column(
                stage=stage,
                cards=cards,
                count=count,
                total=Decimal(row.get("total") or 0).quantize(Decimal("0.01")),
                weighted=Decimal(row.get("weighted") or 0).quantize(Decimal("0.01")),
                more=max(count - len(cards), 0),
            )
        )
    return columns


@dataclass
class StageSpell:
    stage_name: str
    entered_at: Any
    duration: timedelta


def stage_history(deal: Deal) -> list[StageSpell]:
    """Return the stages a deal went through, with the time spent in each."""
    changes = list(
        DealStageChange.objects.filter(deal=deal)
        .select_related("to_stage")
        .order_by("changed_at", "pk")
    )
    spells = []
    for index, change in enumerate(changes):
        end = changes[index + 1].changed_at if index + 1 < len(changes) else timezone.now()
        spells.append(
            StageSpell(
                stage_name=change.to_stage.name if change.to_stage else "—",
                entered_at=change.changed_at,
                duration=end - change.changed_at,
            )
        )
    return spells
