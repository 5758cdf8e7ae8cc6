"""Reads for deals: the board, its filters, converted totals and a deal's stage history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Count, DecimalField, ExpressionWrapper, F, QuerySet, Sum, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from halyard.deals.models import Deal, DealStageChange, ExchangeRate, Pipeline, Stage, StageKind
from halyard.deals.money import Converted, convert_rows

CARDS_PER_COLUMN = 50


@dataclass
class Column:
    stage: Stage
    cards: list[Deal]
    count: int = 0
    total: Decimal = Decimal(0)
    weighted: Decimal = Decimal(0)
    more: int = 0
    # Currencies without an exchange rate -> deals left out of the totals.
    missing: dict[str, int] = field(default_factory=dict)

    @property
    def missing_count(self) -> int:
        return sum(self.missing.values())

    @property
    def next_offset(self) -> int | None:
        return len(self.cards) if self.more else None


class CloseWindow(models.TextChoices):
    THIS_MONTH = "this_month", _("This month")
    NEXT_MONTH = "next_month", _("Next month")
    THIS_QUARTER = "this_quarter", _("This quarter")
    OVERDUE = "overdue", _("Overdue")
    CUSTOM = "custom", _("Custom range")


@dataclass
class BoardFilters:
    """The board's filters, parsed from the query string; bad values end up in `errors`."""

    owner: str = ""
    close: str = ""
    close_from: date | None = None
    close_to: date | None = None
    tag: str = ""
    errors: list[str] = field(default_factory=list)

    def query(self) -> dict[str, str]:
        """Return the filters as query-string parameters (for "show more" links)."""
        params = {"owner": self.owner, "close": self.close, "tag": self.tag}
        if self.close == CloseWindow.CUSTOM:
            params["close_from"] = self.close_from.isoformat() if self.close_from else ""
            params["close_to"] = self.close_to.isoformat() if self.close_to else ""
        return {k: v for k, v in params.items() if v}


def board_filters(params: Any) -> BoardFilters:
    """Parse the board's filters; a malformed date is reported, not fatal."""
    filters = BoardFilters(
        owner=str(params.get("owner", "")).strip(),
        close=str(params.get("close", "")).strip(),
        tag=str(params.get("tag", "")).strip(),
    )
    if filters.close not in CloseWindow.values:
        filters.close = ""
    if not filters.close and (params.get("close_from") or params.get("close_to")):
        filters.close = CloseWindow.CUSTOM
    if filters.close == CloseWindow.CUSTOM:
        for name, label in (("close_from", _("From")), ("close_to", _("To"))):
            raw = str(params.get(name, "")).strip()
            if not raw:
                continue
            try:
                setattr(filters, name, date.fromisoformat(raw))
            except ValueError:
                filters.errors.append(
                    _("%(field)s: %(value)s is not a date.") % {"field": label, "value": raw}
                )
    return filters


def _month_start(day: date, months: int = 0) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def filter_deals(deals: QuerySet[Deal], filters: BoardFilters, user_id: int) -> QuerySet[Deal]:
    """Apply the board's owner, close date and tag filters."""
    if filters.owner == "me":
        deals = deals.filter(owner_id=user_id)
    elif filters.owner == "none":
        deals = deals.filter(owner__isnull=True)
    elif filters.owner.isdigit():
        deals = deals.filter(owner_id=int(filters.owner))
    today = timezone.localdate()
    if filters.close == CloseWindow.THIS_MONTH:
        deals = deals.filter(
            expected_close__gte=_month_start(today), expected_close__lt=_month_start(today, 1)
        )
    elif filters.close == CloseWindow.NEXT_MONTH:
        deals = deals.filter(
            expected_close__gte=_month_start(today, 1), expected_close__lt=_month_start(today, 2)
        )
    elif filters.close == CloseWindow.THIS_QUARTER:
        first = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
        deals = deals.filter(expected_close__gte=first, expected_close__lt=_month_start(first, 3))
    elif filters.close == CloseWindow.OVERDUE:
        deals = deals.filter(expected_close__lt=today, stage__kind=StageKind.OPEN)
    elif filters.close == CloseWindow.CUSTOM:
        if filters.close_from:
            deals = deals.filter(expected_close__gte=filters.close_from)
        if filters.close_to:
            deals = deals.filter(expected_close__lte=filters.close_to)
    if filters.tag:
        deals = deals.filter(tags__name=filters.tag)
    return deals


def exchange_rates(currency: str, on: date | None = None) -> dict[str, Decimal]:
    """Return the rate of each currency to `currency` in effect on a day (today by default)."""
    on = on or timezone.localdate()
    rates: dict[str, Decimal] = {}
    rows = (
        ExchangeRate.objects.filter(base_currency=currency, effective_on__lte=on)
        .order_by("currency", "-effective_on", "-pk")
        .values_list("currency", "rate")
    )
    for code, rate in rows:
        rates.setdefault(code, rate)
    return rates


def unrated_currencies(currencies: set[str], default: str) -> set[str]:
    """Return those of some currencies that have no rate to the default currency."""
    others = currencies - {default}
    return others - set(exchange_rates(default)) if others else set()


def _weighted() -> ExpressionWrapper:
    return ExpressionWrapper(
        F("amount") * F("probability") / Value(Decimal(100)),
        output_field=DecimalField(max_digits=24, decimal_places=4),
    )


def deal_totals(deals: QuerySet[Deal], currency: str, rates: dict[str, Decimal]) -> Converted:
    """Return the total and weighted total of some deals in `currency` (one aggregate query)."""
    rows = (
        deals.order_by()
        .values("currency")
        .annotate(n=Count("amount"), total=Sum("amount"), weighted=Sum(_weighted()))
    )
    return convert_rows(rows, rates, currency)


def _card_order(queryset: QuerySet[Deal]) -> QuerySet[Deal]:
    """Soonest expected close first (undated last), then the biggest amount."""
    return queryset.select_related("company", "owner").order_by(
        F("expected_close").asc(nulls_last=True), F("amount").desc(nulls_last=True), "pk"
    )


def column_cards(
    deals: QuerySet[Deal], stage: Stage, offset: int = 0, size: int = CARDS_PER_COLUMN
) -> tuple[list[Deal], bool]:
    """Return one batch of a column's cards, and whether more follow."""
    rows = list(_card_order(deals.filter(stage=stage))[offset : offset + size + 1])
    return rows[:size], len(rows) > size


def board(
    *,
    pipeline: Pipeline,
    deals: QuerySet[Deal],
    currency: str,
    rates: dict[str, Decimal] | None = None,
) -> list[Column]:
    """Return a pipeline's columns: the first cards of each, with counts and converted totals.

    Counts and totals come from one aggregate query over all the deals (never by loading
    rows), cards from one capped query per stage: the number of queries does not grow with
    the number of deals.
    """
    stages = list(pipeline.stages.all())
    in_pipeline = deals.filter(pipeline=pipeline)
    rates = rates if rates is not None else exchange_rates(currency)
    per_stage: dict[int, list[dict[str, Any]]] = {}
    counts: dict[int, int] = {}
    for row in (
        in_pipeline.order_by()
        .values("stage_id", "currency")
        .annotate(
            count=Count("id"), n=Count("amount"), total=Sum("amount"), weighted=Sum(_weighted())
        )
    ):
        per_stage.setdefault(row["stage_id"], []).append(row)
        counts[row["stage_id"]] = counts.get(row["stage_id"], 0) + row["count"]
    columns = []
    for stage in stages:
        count = counts.get(stage.pk, 0)
        cards, has_more = column_cards(in_pipeline, stage)
        sums = convert_rows(per_stage.get(stage.pk, []), rates, currency)
        columns.append(
            Column(
                stage=stage,
                cards=cards,
                count=count,
                total=sums.total,
                weighted=sums.weighted,
                more=max(count - len(cards), 0) if has_more else 0,
                missing=sums.missing,
            )
        )
    return columns


def deal_counts_by_pipeline() -> dict[int, int]:
    """Return how many deals (trashed ones too) each pipeline holds."""
    rows = Deal.objects.order_by().values("pipeline_id").annotate(n=Count("id"))
    return {row["pipeline_id"]: row["n"] for row in rows}


def deal_counts_by_stage(pipeline: Pipeline) -> dict[int, int]:
    """Return how many deals (trashed ones too) each stage of a pipeline holds."""
    rows = (
        Deal.objects.filter(pipeline=pipeline).order_by().values("stage_id").annotate(n=Count("id"))
    )
    return {row["stage_id"]: row["n"] for row in rows}


def currencies_without_rate(default: str) -> list[tuple[str, int]]:
    """Return the currencies open deals use that have no rate to the default currency yet."""
    rated = set(exchange_rates(default))
    rows = (
        Deal.objects.alive()
        .filter(stage__kind=StageKind.OPEN)
        .exclude(currency=default)
        .order_by()
        .values("currency")
        .annotate(n=Count("id"))
    )
    return sorted((r["currency"], r["n"]) for r in rows if r["currency"] not in rated)


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
                stage_name=(
                    change.to_stage.name if change.to_stage else change.to_stage_name or "—"
                ),
                entered_at=change.changed_at,
                duration=end - change.changed_at,
            )
        )
    return spells
