"""Shared list machinery for record tables: filters from the query string, keyset pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from halyard.customfields.models import CustomField
from halyard.customfields.values import filter_custom

PAGE_SIZE = 50


@dataclass
class Page:
    rows: list[Any]
    next_after: int | None
    filters: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def apply_filters(
    queryset: models.QuerySet,
    params: dict[str, str],
    *,
    search_fields: list[str],
    custom_defs: list[CustomField],
) -> tuple[models.QuerySet, list[str]]:
    """Apply q, owner, tag and custom field filters (`cf_<key>`, `cf_<key>__<op>`)."""
    errors: list[str] = []
    if q := params.get("q", "").strip():
        condition = Q()
        for name in search_fields:
            condition |= Q(**{f"{name}__icontains": q})
        queryset = queryset.filter(condition)
    if owner := params.get("owner", "").strip():
        queryset = queryset.filter(owner_id=None if owner == "none" else _int(owner))
    if tag := params.get("tag", "").strip():
        queryset = queryset.filter(tags__name=tag)
    definitions = {d.key: d for d in custom_defs}
    for name, value in params.items():
        if not name.startswith("cf_") or value == "":
            continue
        key, _, op = name[3:].partition("__")
        definition = definitions.get(key)
        if definition is None:
            continue
        try:
            queryset = filter_custom(queryset, definition, op or "eq", value)
        except (ValueError, ArithmeticError, ValidationError):
            errors.append(f"{definition.label}: {value}")
    return queryset, errors


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        return -1


def keyset_page(queryset: models.QuerySet, after: str | None, size: int = PAGE_SIZE) -> Page:
    """Return one page ordered newest first by id, continuing after a given id."""
    if after and after.isdigit():
        queryset = queryset.filter(pk__lt=int(after))
    rows = list(queryset.order_by("-pk")[: size + 1])
    next_after = rows[size - 1].pk if len(rows) > size else None
    return Page(rows=rows[:size], next_after=next_after)
