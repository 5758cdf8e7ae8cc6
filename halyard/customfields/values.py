"""Custom field values: form fields, validation to JSON-ready values, and filtering."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.db import connection, models
from django.utils.translation import gettext_lazy as _

from halyard.customfields.models import CustomField, FieldType

FORM_PREFIX = "cf_"

OPERATORS = {
    "eq": _("is"),
    "contains": _("contains"),
    "gt": _("greater than"),
    "lt": _("less than"),
    "gte": _("from"),
    "lte": _("to"),
    "empty": _("is empty"),
}
RANGE_TYPES = {
    FieldType.NUMBER,
    FieldType.DECIMAL,
    FieldType.CURRENCY,
    FieldType.DATE,
    FieldType.DATETIME,
}


def form_field(definition: CustomField, members: Iterable[tuple[int, str]] = ()) -> forms.Field:
    """Return the Django form field that edits one custom field."""
    common: dict[str, Any] = {"label": definition.label, "required": definition.required}
    choices = [(o, o) for o in definition.options]
    match definition.field_type:
        case FieldType.LONG_TEXT:
            return forms.CharField(
                widget=forms.Textarea(attrs={"rows": 3}), max_length=10000, **common
            )
        case FieldType.NUMBER:
            return forms.IntegerField(**common)
        case FieldType.DECIMAL | FieldType.CURRENCY:
            return forms.DecimalField(max_digits=20, decimal_places=4, **common)
        case FieldType.DATE:
            return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
        case FieldType.DATETIME:
            return forms.DateTimeField(
                widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), **common
            )
        case FieldType.CHECKBOX:
            return forms.BooleanField(label=definition.label, required=False)
        case FieldType.SELECT:
            return forms.ChoiceField(choices=[("", "—"), *choices], **common)
        case FieldType.MULTI_SELECT:
            return forms.MultipleChoiceField(
                choices=choices, widget=forms.CheckboxSelectMultiple, **common
            )
        case FieldType.URL:
            return forms.URLField(max_length=500, assume_scheme="https", **common)
        case FieldType.EMAIL:
            return forms.EmailField(**common)
        case FieldType.PHONE:
            return forms.RegexField(
                regex=r"^\+?[0-9 ().\-]{4,30}$",
                max_length=32,
                error_messages={"invalid": _("Enter a valid phone number.")},
                **common,
            )
        case FieldType.USER:
            return forms.TypedChoiceField(
                choices=[("", "—"), *members], coerce=int, empty_value=None, **common
            )
    return forms.CharField(max_length=500, **common)


def to_json(definition: CustomField, value: Any) -> Any:
    """Turn a cleaned form value into the JSON value stored on the record."""
    if value in (None, "", []):
        return None if definition.field_type != FieldType.CHECKBOX else False
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def to_initial(definition: CustomField, value: Any) -> Any:
    """Turn a stored JSON value back into a form's initial value."""
    if value is None:
        return None
    if definition.field_type == FieldType.DATE:
        return dt.date.fromisoformat(value)
    if definition.field_type == FieldType.DATETIME:
        return dt.datetime.fromisoformat(value)
    return value


def filter_custom(
    queryset: models.QuerySet, definition: CustomField, op: str, value: str
) -> models.QuerySet:
    """Filter records on a custom field's value."""
    path = f"custom__{definition.key}"
    if op == "empty":
        return queryset.filter(models.Q(**{f"{path}__isnull": True}) | models.Q(**{path: None}))
    if definition.field_type == FieldType.MULTI_SELECT:
        if connection.vendor == "postgresql":
            return queryset.filter(**{f"{path}__contains": [value]})
        return queryset.filter(**{f"{path}__icontains": f'"{value}"'})
    typed: Any = value
    if definition.field_type == FieldType.NUMBER:
        typed = int(value)
    elif definition.field_type in {FieldType.DATE, FieldType.DATETIME}:
        typed = dt.date.fromisoformat(value[:10]).isoformat()  # ISO text sorts as dates
    elif definition.field_type == FieldType.USER:
        typed = int(value)
    elif definition.field_type == FieldType.CHECKBOX:
        typed = value.lower() in {"1", "true", "yes", "on"}
    if op == "contains":
        return queryset.filter(**{f"{path}__icontains": value})
    if op in {"gt", "lt", "gte", "lte"}:
        if definition.field_type in {FieldType.DECIMAL, FieldType.CURRENCY}:
            # stored as strings for exactness; compare numerically through a cast
            from django.db.models.fields.json import KT
            from django.db.models.functions import Cast

            alias = f"_cf_{definition.key}"
            queryset = queryset.annotate(
                **{
                    alias: Cast(
                        KT(f"custom__{definition.key}"),
                        models.DecimalField(max_digits=20, decimal_places=4),
                    )
                }
            )
            return queryset.filter(**{f"{alias}__{op}": Decimal(value)})
        return queryset.filter(**{f"{path}__{op}": typed})
    return queryset.filter(**{path: typed})
