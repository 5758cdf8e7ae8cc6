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


@register.filter
def has_cf_filter(params: Any) -> bool:
    """Say whether any custom field filter is set in the query."""
    return any(k.startswith("cf_") and v for k, v in params.items())


@register.filter
def has_other_fields(definitions: Any) -> bool:
    """Say whether some custom field is filtered outside the select row."""
    return any(d.field_type not in {"select", "multi_select"} for d in definitions)


@register.filter
def is_range_type(field_type: str) -> bool:
    from halyard.customfields.values import RANGE_TYPES

    return field_type in RANGE_TYPES


@register.filter
def range_input_type(field_type: str) -> str:
    return "date" if field_type in {"date", "datetime"} else "number"


@register.filter
def custom_value(value: Any, definition: Any) -> str:
    """Format a stored custom field value for reading, in the active locale."""
    import datetime as dt
    from decimal import Decimal, InvalidOperation

    if value is None or value == "":
        return ""
    kind = definition.field_type
    try:
        if kind == "number":
            return formatting.format_number(int(value))
        if kind == "decimal":
            return formatting.format_number(Decimal(str(value)))
        if kind == "currency":
            return formatting.format_money(
                Decimal(str(value)), definition.workspace.default_currency
            )
        if kind == "date":
            return formatting.format_date(dt.date.fromisoformat(value))
        if kind == "datetime":
            return formatting.format_datetime(dt.datetime.fromisoformat(value))
    except (ValueError, TypeError, InvalidOperation):
        return str(value)
    return str(value)


@register.filter
def duration_local(value: Any) -> str:
    """Write a span of time as days, hours or minutes, in the active language."""
    from django.utils.translation import ngettext

    if value is None:
        return ""
    seconds = int(value.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        text = ngettext("%(n)s day", "%(n)s days", days) % {"n": formatting.format_number(days)}
        if hours and days < 7:
            text += " " + ngettext("%(n)s hour", "%(n)s hours", hours) % {
                "n": formatting.format_number(hours)
            }
        return text
    if hours:
        return ngettext("%(n)s hour", "%(n)s hours", hours) % {"n": formatting.format_number(hours)}
    return ngettext("%(n)s minute", "%(n)s minutes", minutes) % {
        "n": formatting.format_number(minutes)
    }


@register.simple_tag
def cell(column: Any, record: Any, context: Any) -> str:
    """Render one list cell for a record, escaped unless the column builds safe HTML."""
    from django.utils.html import conditional_escape

    from halyard.core.columns import cell_html

    return conditional_escape(cell_html(column, record, context))


@register.filter
def phone_local(value: Any, country: str = "") -> str:
    """Show an E.164 number nationally inside the workspace's country, internationally outside."""
    from halyard.core.phones import phone_display

    return phone_display(str(value or ""), country)


@register.filter
def country_label(value: Any) -> str:
    """Name an ISO country code in the active language."""
    from halyard.core.countries import country_name

    return country_name(str(value or "")) if value else ""


@register.filter
def pick(form: Any, names: str) -> list[Any]:
    """Return a form's bound fields named in a comma-separated list, in that order."""
    return [form[n.strip()] for n in names.split(",") if n.strip() in form.fields]


@register.filter
def change_value(value: Any) -> Any:
    """Show one side of an audited change: "—" for nothing, Yes/No for flags, 0 as 0."""
    from django.utils.translation import gettext

    if value is None or value == "" or value == []:
        return "—"
    if value is True:
        return gettext("Yes")
    if value is False:
        return gettext("No")
    return value
