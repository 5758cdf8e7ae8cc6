"""Show a note's rich text, cleaned again on the way out (rows written before cleaning existed)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import SafeString, mark_safe

from halyard.activities.richtext import sanitize_html
from halyard.activities.targets import TARGETS

register = template.Library()


@register.filter
def has_meeting(items: list[Any]) -> bool:
    """Tell whether a timeline shows at least one meeting."""
    return any(i.activity is not None and i.activity.kind == "meeting" for i in items or [])


@register.filter
def rich_text(value: str) -> SafeString:
    """Render sanitised note HTML."""
    return mark_safe(sanitize_html(value or ""))  # noqa: S308 - nh3 allow-list output


@register.simple_tag(takes_context=True)
def linked_records(
    context: template.Context, item: Any, current: Any = None
) -> list[tuple[str, str, str]]:
    """Return (kind, name, URL or "") for each record an item is linked to, but `current`."""
    slug = context["workspace"].slug
    rows = []
    for record_type, (model, link) in TARGETS.items():
        if not getattr(item, f"{link}_id", None):
            continue
        record = getattr(item, link)
        if current is not None and type(record) is type(current) and record.pk == current.pk:
            continue
        try:
            url = reverse(f"{record_type}_detail", kwargs={"slug": slug, "pk": record.pk})
        except NoReverseMatch:  # a record type whose pages are not there yet
            url = ""
        rows.append((str(model._meta.verbose_name), str(record), url))
    return rows
