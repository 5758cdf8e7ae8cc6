"""List columns: what a record type can show, sort and filter on, declared one line each."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import F
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from halyard.core import formatting
from halyard.customfields.models import CustomField, FieldType

# How a cell is shown: the kinds `cell_html` and `cell_text` know.
KINDS = {"text", "link", "email", "phone", "number", "money", "date", "datetime", "badge"}
KINDS |= {"owner", "tags", "custom", "status"}
# Filter kinds and the operators the filter builder offers for each.
FILTER_OPERATORS: dict[str, list[str]] = {
    "text": ["contains", "eq", "empty"],
    "number": ["eq", "lt", "gt", "between"],
    "date": ["eq", "lt", "gt", "between"],
    "choice": ["eq", "ne"],
    "owner": ["eq", "ne"],
    "tag": ["eq", "ne"],
    "bool": ["eq"],
}
OPERATOR_LABELS = {
    "contains": _("contains"),
    "eq": _("is"),
    "ne": _("is not"),
    "empty": _("is empty"),
    "lt": _("before / less than"),
    "gt": _("after / more than"),
    "between": _("between"),
}


@dataclass(frozen=True)
class Column:
    """One column of a record list; `path` is the ORM path of its value (e.g. "company__name")."""

    key: str
    label: Any
    path: str
    kind: str = "text"
    # ORM path or expression to sort on; "" uses `path`; None makes the column unsortable.
    sort: str | models.Expression | None = ""
    # Filter kind (see FILTER_OPERATORS); None: not offered in the filter builder.
    filter: str | None = None
    # Attribute read for display when it differs from `path` (e.g. "full_name").
    attr: str = ""
    # For "choice" filters: the (value, label) pairs, computed per request.
    choices: Callable[[], list[tuple[str, str]]] | None = None
    # Attribute holding the currency of a "money" cell.
    currency: str = "currency"
    default: bool = True
    # For "status" cells: the badge's class is this prefix plus the value (e.g. "lead-").
    css: str = ""
    definition: CustomField | None = field(default=None, compare=False)

    @property
    def sortable(self) -> bool:
        return self.sort is not None

    def sort_expression(self) -> models.Expression | F:
        """Return the expression rows are ordered by when sorting on this column."""
        if isinstance(self.sort, models.Expression):
            return self.sort
        return F(self.sort or self.path)

    def value(self, record: Any) -> Any:
        """Read this column's raw value from a record."""
        if self.definition is not None:
            return (record.custom or {}).get(self.definition.key)
        value = record
        for part in (self.attr or self.path).split("__"):
            if value is None:
                return None
            value = getattr(value, part)
        return value


def custom_column(definition: CustomField) -> Column:
    """Return the column that shows one custom field."""
    path = f"custom__{definition.key}"
    # A plain text (or number) expression, so comparisons are SQL's, not JSON key lookups.
    sort: str | models.Expression | None = Cast(KT(path), models.TextField())
    kind = definition.field_type
    if kind in {FieldType.NUMBER, FieldType.DECIMAL, FieldType.CURRENCY}:
        sort = Cast(KT(path), models.DecimalField(max_digits=30, decimal_places=4))
    elif kind in {FieldType.MULTI_SELECT, FieldType.USER, FieldType.CHECKBOX, FieldType.LONG_TEXT}:
        sort = None
    return Column(
        key=f"cf_{definition.key}",
        label=definition.label,
        path=path,
        kind="custom",
        sort=sort,
        default=False,
        definition=definition,
    )


def owner_column() -> Column:
    """Return the owner column every record type has."""
    return Column(
        "owner", _("Owner"), "owner", kind="owner", sort="owner__full_name", filter="owner"
    )


def tags_column() -> Column:
    """Return the tags column every record type has."""
    return Column("tags", _("Tags"), "tags", kind="tags", sort=None, filter="tag", default=False)


def created_column() -> Column:
    """Return the creation date column every record type has."""
    return Column(
        "created", _("Created"), "created_at", kind="datetime", filter="date", default=False
    )


@dataclass
class CellContext:
    """What rendering a row's cells needs besides the record: links, members' names."""

    detail_url: str  # with "0" standing for the record id
    user_names: dict[int, str]


def cell_text(column: Column, record: Any, names: dict[int, str] | None = None) -> Any:
    """Return a cell's plain value for a CSV file: text, a number or an ISO date."""
    value = column.value(record)
    if column.kind == "owner":
        return value.display_name if value is not None else ""
    if column.kind == "tags":
        return ", ".join(t.name for t in value.all())
    if column.kind == "badge":
        return str(value) if value is not None else ""
    if column.kind == "bool":
        return str(_("Yes")) if value else ""
    if column.kind in {"status", "choice"}:
        return _display(column, record) if value not in (None, "") else ""
    if column.kind == "custom" and column.definition is not None:
        if column.definition.field_type == FieldType.USER and names is not None:
            return names.get(value, "") if value is not None else ""
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
    if value is None:
        return ""
    if isinstance(value, Decimal | int | float):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def cell_html(column: Column, record: Any, context: CellContext) -> str:
    """Return a cell's content as safe HTML in the reader's language and formats."""
    value = column.value(record)
    kind = column.kind
    if kind == "link":
        url = context.detail_url.replace("/0/", f"/{record.pk}/")
        return format_html('<a href="{}">{}</a>', url, value or "—")
    if kind in {"email", "phone"}:
        return format_html("<bdi>{}</bdi>", value or "")
    if kind == "owner":
        return value.display_name if value is not None else "—"
    if kind == "tags":
        return format_html_join(
            "", '<span class="badge gray">{}</span>', ((t.name,) for t in value.all())
        )
    if kind == "badge":
        if value is None:
            return ""
        return format_html('<span class="badge {}">{}</span>', getattr(value, "kind", ""), value)
    if kind == "status":
        if value in (None, ""):
            return ""
        return format_html(
            '<span class="badge {}{}">{}</span>', column.css, value, _display(column, record)
        )
    if kind == "choice":
        return _display(column, record) if value not in (None, "") else ""
    if kind == "bool":
        return str(_("Yes")) if value else ""
    if kind == "money":
        return formatting.format_money(value, getattr(record, column.currency, "USD"))
    if kind == "number":
        return formatting.format_number(value) if value is not None else ""
    if kind == "date":
        return formatting.format_date(value)
    if kind == "datetime":
        return formatting.format_datetime(value)
    if kind == "custom" and column.definition is not None:
        from halyard.core.templatetags.halyard import custom_value

        if column.definition.field_type == FieldType.USER:
            return context.user_names.get(value, "") if value is not None else ""
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        if isinstance(value, bool):
            return str(_("Yes") if value else _("No"))
        return custom_value(value, column.definition)
    return "" if value is None else str(value)


def _display(column: Column, record: Any) -> str:
    """Return the label of a field with choices (Django's get_<field>_display)."""
    return str(getattr(record, f"get_{column.path}_display")())


def joined_paths(columns: Iterable[Column]) -> set[str]:
    """Return the relations columns read through (e.g. "parent" of "parent__name"), to join
    them in the list's query instead of fetching them once per row."""
    return {c.path.rsplit("__", 1)[0] for c in columns if "__" in c.path and not c.definition}
