"""Showing a record's stored value on the merge page as a person reads it."""

from __future__ import annotations

from typing import Any, cast

from django import template
from django.db import models
from django.utils.formats import localize

from halyard.duplicates.models import MergeRecord
from halyard.duplicates.services import MODELS, _field

register = template.Library()


@register.simple_tag
def shown(value: Any, name: str, record_type: str) -> str:
    """Return a value as text: names for related records, labels for choices, "—" for empty."""
    if value in (None, "", [], {}):
        return "—"
    if name.startswith("custom."):
        return ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    field = _field(MODELS[record_type], name)
    if isinstance(field, models.ForeignKey):
        related = cast(Any, field.related_model)._base_manager.filter(pk=value).first()
        if related is None:
            return "—"
        return str(getattr(related, "display_name", "") or related)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(localize(value))


@register.simple_tag
def merged_into(rows: list[Any], record_type: str) -> dict[int, MergeRecord]:
    """Map each trashed record that a merge put there to that merge (one query per list)."""
    from datetime import timedelta

    if record_type not in MODELS or not rows:
        return {}
    oldest = min(r.deleted_at for r in rows if r.deleted_at is not None)
    merges = MergeRecord.objects.filter(
        record_type=record_type,
        undone_at__isnull=True,
        created_at__gte=oldest - timedelta(minutes=5),
    ).order_by("created_at")
    wanted = {r.pk for r in rows}
    found: dict[int, MergeRecord] = {}
    for merge in merges:
        for pk in merge.loser_ids:
            if pk in wanted:
                found[pk] = merge
    return found
