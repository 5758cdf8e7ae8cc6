"""Field filters on every list: `?<field>=v`, `?<field>__<op>=v`, `?custom.<key>__<op>=v`.

Each filter is typed by its model field (or custom field definition) and checked before it
reaches the database, so a wrong value is a 400 naming the parameter, never a 500 or an
empty list. Custom fields reuse the web app's filter (`customfields.values.filter_custom`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from halyard.api.base import bad_param, parse_moment
from halyard.customfields.models import CustomField, FieldType
from halyard.customfields.values import filter_custom

CUSTOM_PREFIX = "custom."
MAX_IN = 100
BIG = 2**63 - 1
LIMIT = Decimal(10) ** 15
# Operators each kind of field takes ("eq" is also the bare `?field=v`).
OPERATORS: dict[str, tuple[str, ...]] = {
    "text": ("eq", "ne", "contains", "in", "isnull"),
    "choice": ("eq", "ne", "in", "isnull"),
    "int": ("eq", "ne", "gt", "gte", "lt", "lte", "in", "isnull"),
    "decimal": ("eq", "ne", "gt", "gte", "lt", "lte", "isnull"),
    "date": ("eq", "gt", "gte", "lt", "lte", "isnull"),
    "datetime": ("gt", "gte", "lt", "lte", "isnull"),
    "bool": ("eq",),
    "id": ("eq", "ne", "in", "isnull"),
    "tag": ("eq", "in"),
}
CUSTOM_OPERATORS: dict[str, tuple[str, ...]] = {
    FieldType.NUMBER: ("eq", "gt", "gte", "lt", "lte", "isnull"),
    FieldType.DECIMAL: ("gt", "gte", "lt", "lte", "isnull"),
    FieldType.CURRENCY: ("gt", "gte", "lt", "lte", "isnull"),
    FieldType.DATE: ("eq", "gt", "gte", "lt", "lte", "isnull"),
    FieldType.DATETIME: ("gt", "gte", "lt", "lte", "isnull"),
    FieldType.CHECKBOX: ("eq",),
    FieldType.SELECT: ("eq", "isnull"),
    FieldType.MULTI_SELECT: ("eq", "isnull"),
    FieldType.USER: ("eq", "isnull"),
}
TEXT_CUSTOM_OPERATORS = ("eq", "contains", "isnull")
# Never filterable: the tenant, the JSON blob (filtered as custom.<key>), the trash marker.
SKIPPED = {"workspace", "custom", "deleted_at", "attendee_emails", "reminded_at"}


@dataclass(frozen=True)
class FieldFilter:
    """One filterable field: its parameter name, ORM path, kind and (for choices) values."""

    name: str
    path: str
    kind: str
    nullable: bool = False
    choices: tuple[str, ...] = ()


def model_filters(model: type[models.Model], skip: tuple[str, ...] = ()) -> dict[str, FieldFilter]:
    """Return the filters of every plain field of a model, typed by the field."""
    out: dict[str, FieldFilter] = {"id": FieldFilter("id", "pk", "id")}
    for field in model._meta.get_fields():
        name = field.name
        if name in SKIPPED or name in skip or name.startswith("_") or field.auto_created:
            continue
        if isinstance(field, models.ManyToManyField):
            related: Any = field.related_model
            if related._meta.label_lower == "customfields.tag":
                out[name] = FieldFilter(name, name, "tag")
            continue
        if not field.concrete or isinstance(field, models.JSONField):
            continue
        nullable = bool(getattr(field, "null", False))
        if isinstance(field, models.ForeignKey):
            out[name] = FieldFilter(name, f"{name}_id", "id", nullable)
        elif getattr(field, "choices", None):
            values = tuple(str(v) for v, _label in field.choices)  # type: ignore[union-attr]
            out[name] = FieldFilter(name, name, "choice", nullable, values)
        elif isinstance(field, models.BooleanField):
            out[name] = FieldFilter(name, name, "bool")
        elif isinstance(field, models.DateTimeField):
            out[name] = FieldFilter(name, name, "datetime", nullable)
        elif isinstance(field, models.DateField):
            out[name] = FieldFilter(name, name, "date", nullable)
        elif isinstance(field, models.DecimalField):
            out[name] = FieldFilter(name, name, "decimal", nullable)
        elif isinstance(field, models.IntegerField):
            out[name] = FieldFilter(name, name, "int", nullable)
        elif isinstance(field, models.CharField | models.TextField | models.EmailField):
            out[name] = FieldFilter(name, name, "text", nullable)
    return out


def split(param: str) -> tuple[str, str]:
    """Split `field__op` (or `custom.key__op`) into the field and the operator ("eq" if none)."""
    field, _sep, op = param.partition("__")
    return field, op or "eq"


def recognised(param: str, filters: dict[str, FieldFilter], custom: bool) -> bool:
    """Say whether a query parameter is a field filter of this list (by its name only)."""
    field, _op = split(param)
    if field.startswith(CUSTOM_PREFIX):
        return custom and len(field) > len(CUSTOM_PREFIX)
    return field in filters


def apply_field_filters(
    queryset: models.QuerySet,
    params: Any,
    filters: dict[str, FieldFilter],
    *,
    record_type: str | None,
    skip: tuple[str, ...] = (),
) -> models.QuerySet:
    """Apply every field filter among the query parameters; a bad one is a 400."""
    definitions: dict[str, CustomField] | None = None
    for param in sorted(params):
        if param in skip or not recognised(param, filters, record_type is not None):
            continue
        raw = params.get(param)
        field, op = split(param)
        if field.startswith(CUSTOM_PREFIX):
            if definitions is None:  # one query, and only when a custom filter is given
                definitions = {
                    d.key: d for d in CustomField.objects.filter(record_type=record_type)
                }
            key = field.removeprefix(CUSTOM_PREFIX)
            definition = definitions.get(key)
            if definition is None:
                raise bad_param(param, _("No custom field with the key “%(key)s”.") % {"key": key})
            queryset = _custom(queryset, param, definition, op, raw)
        else:
            queryset = _plain(queryset, param, filters[field], op, raw)
    return queryset


def _check_op(param: str, op: str, allowed: tuple[str, ...]) -> None:
    if op not in allowed:
        raise bad_param(
            param,
            _("This field takes the operators: %(ops)s.") % {"ops": ", ".join(allowed)},
        )


def _flag(param: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value not in {"true", "false"}:
        raise bad_param(param, _("Give true or false."))
    return value == "true"


def _int(param: str, raw: str) -> int:
    text = raw.strip()
    digits = text.removeprefix("-")
    if not digits.isdigit() or len(digits) > 18 or abs(int(text)) > BIG:
        raise bad_param(param, _("Give a whole number."))
    return int(text)


def _decimal(param: str, raw: str) -> Decimal:
    try:
        number = Decimal(raw.strip())
    except InvalidOperation:
        number = None
    # Beyond 15 digits before the point no stored amount can match, and the database's
    # decimal conversion would fail: say so instead.
    if number is None or not number.is_finite() or len(raw.strip()) > 30 or abs(number) >= LIMIT:
        raise bad_param(param, _("Give a number, e.g. 1250.50."))
    return number


def _date(param: str, raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise bad_param(param, _("Give a date as YYYY-MM-DD.")) from None


def _id(param: str, raw: str) -> int:
    text = raw.strip()
    if not text.isdigit() or len(text) > 15:
        raise bad_param(param, _("Give an id (a string of digits)."))
    return int(text)


def _value(param: str, spec: FieldFilter, raw: str) -> Any:
    """Read one value of a plain field filter, by the field's kind."""
    kind = spec.kind
    if kind == "int":
        return _int(param, raw)
    if kind == "decimal":
        return _decimal(param, raw)
    if kind == "date":
        return _date(param, raw)
    if kind == "datetime":
        return parse_moment(param, raw)
    if kind == "bool":
        return _flag(param, raw)
    if kind == "id":
        return _id(param, raw)
    if kind == "choice" and raw not in spec.choices:
        raise bad_param(param, _("Give one of: %(values)s.") % {"values": ", ".join(spec.choices)})
    return raw


def _plain(
    queryset: models.QuerySet, param: str, spec: FieldFilter, op: str, raw: str
) -> models.QuerySet:
    _check_op(param, op, OPERATORS[spec.kind])
    path = spec.path
    if op == "isnull":
        empty = Q(**{f"{path}__isnull": True}) if spec.nullable else Q(pk__in=[])
        if spec.kind in {"text", "choice"}:
            empty |= Q(**{path: ""})
        return queryset.filter(empty) if _flag(param, raw) else queryset.exclude(empty)
    if spec.kind == "tag":
        names = [n.strip() for n in raw.split(",")] if op == "in" else [raw.strip()]
        relation: Any = queryset.model._meta.get_field(path)
        through = relation.remote_field.through
        owner = queryset.model._meta.model_name
        tagged = through.objects.filter(**{owner: OuterRef("pk"), "tag__name__in": names})
        return queryset.filter(Exists(tagged))
    if op == "in":
        parts = [p for p in raw.split(",") if p.strip()]
        if not parts or len(parts) > MAX_IN:
            raise bad_param(
                param, _("Give 1 to %(max)s values separated by commas.") % {"max": MAX_IN}
            )
        return queryset.filter(**{f"{path}__in": [_value(param, spec, p.strip()) for p in parts]})
    if op == "contains":
        return queryset.filter(**{f"{path}__icontains": raw})
    value = _value(param, spec, raw)
    if op == "ne":
        return queryset.exclude(**{path: value})
    if op == "eq":
        return queryset.filter(**{path: value})
    return queryset.filter(**{f"{path}__{op}": value})


def _custom(
    queryset: models.QuerySet, param: str, definition: CustomField, op: str, raw: str
) -> models.QuerySet:
    kind = definition.field_type
    _check_op(param, op, CUSTOM_OPERATORS.get(kind, TEXT_CUSTOM_OPERATORS))
    if op == "isnull":
        empty = filter_custom(queryset, definition, "empty", "")
        if _flag(param, raw):
            return empty
        return queryset.exclude(pk__in=empty.values("pk"))
    value = raw
    if kind == FieldType.NUMBER or kind == FieldType.USER:
        value = str(_int(param, raw))
    elif kind in {FieldType.DECIMAL, FieldType.CURRENCY}:
        value = str(_decimal(param, raw))
    elif kind in {FieldType.DATE, FieldType.DATETIME}:
        value = _date(param, raw[:10]).isoformat()
    elif kind == FieldType.CHECKBOX:
        value = "true" if _flag(param, raw) else "false"
    elif kind in {FieldType.SELECT, FieldType.MULTI_SELECT} and raw not in definition.options:
        raise bad_param(
            param,
            _("Give one of: %(values)s.") % {"values": ", ".join(map(str, definition.options))},
        )
    return filter_custom(queryset, definition, op, value)
