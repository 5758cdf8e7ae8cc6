"""Template filters for locale-aware dates, numbers and money."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from halyard.core import formatting

register = template.Library()


@register.filter
def date_local(value: Any) -> str:
    return formatting.format_date(value)


@register.filter
def datetime_local(value: Any) -> str:
    return formatting.format_datetime(value)


@register.filter
def num(value: Any) -> str:
    return formatting.format_number(value)


@register.filter
def money(value: Any, currency: str = "USD") -> str:
    return formatting.format_money(value, currency)


@register.simple_tag
def now_local() -> str:
    return formatting.format_date(timezone.now())


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None
