"""Shared list machinery for record tables: the list's state, filters, sorting, keyset pages."""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.http import QueryDict
from django.utils.translation import gettext as _

from halyard.core.columns import FILTER_OPERATORS, Column
from halyard.customfields.models import CustomField, FieldType
from halyard.customfields.values import filter_custom

PAGE_SIZE = 50
SORT_ALIAS = "_list_sort"
# Query parameters that make up a list's state (what a saved view keeps).
LEGACY_FILTERS = ("owner", "tag")


@dataclass
class Page:
    rows: list[Any]
    next_after: str | None
    filters: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


class FilterError(ValueError):
    """A filter value that does not fit its field; the message is shown at the filter row."""


@dataclass
class Condition:
    """One row of the filter builder: field, operator and value (two for "between")."""

    field: str
    op: str
    value: str = ""
    value2: str = ""
    error: str = ""


@dataclass
class ListState:
    """What the user is looking at: search, filters, visible columns and sort."""

    q: str = ""
    conditions: list[Condition] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    sort: str = ""  # a column key, "-" in front for descending; "" is newest first
    other: dict[str, str] = field(default_factory=dict)  # owner, tag and cf_* parameters

    def pairs(self) -> list[tuple[str, str]]:
        """Return the state as query-string pairs, in a stable order."""
        pairs: list[tuple[str, str]] = []
        if self.q:
            pairs.append(("q", self.q))
        for c in self.conditions:
            pairs += [("ff", c.field), ("fo", c.op), ("fv", c.value), ("fv2", c.value2)]
        pairs += sorted(self.other.items())
        pairs += [("col", key) for key in self.columns]
        if self.sort:
            pairs.append(("sort", self.sort))
        return pairs

    def as_json(self) -> dict[str, Any]:
        """Return the filters part of the state as JSON-ready data (for a saved view)."""
        return {
            "q": self.q,
            "conditions": [[c.field, c.op, c.value, c.value2] for c in self.conditions],
            "other": dict(self.other),
        }


def list_state(params: QueryDict, columns: dict[str, Column], defaults: list[str]) -> ListState:
    """Read the list's state from the query string, dropping what does not exist."""
    cols = [k for k in params.getlist("col") if k in columns]
    sort = params.get("sort", "").strip()
    if sort.removeprefix("-") not in columns or not columns[sort.removeprefix("-")].sortable:
        sort = ""
    fields, ops = params.getlist("ff"), params.getlist("fo")
    values, values2 = params.getlist("fv"), params.getlist("fv2")
    conditions = []
    for i, name in enumerate(fields):
        if not name:
            continue
        op = ops[i] if i < len(ops) else ""
        value = values[i] if i < len(values) else ""
        value2 = values2[i] if i < len(values2) else ""
        conditions.append(Condition(name, op, value.strip(), value2.strip()))
    other = {
        k: str(params.get(k, "")).strip()
        for k in params
        if (k in LEGACY_FILTERS or k.startswith("cf_")) and str(params.get(k, "")).strip()
    }
    return ListState(
        q=params.get("q", "").strip(),
        conditions=conditions,
        columns=list(dict.fromkeys(cols)) or list(defaults),
        sort=sort,
        other=other,
    )


def state_from_json(data: dict[str, Any], columns: list[str], sort: str) -> QueryDict:
    """Turn a saved view's stored state back into query parameters."""
    state = ListState(
        q=str(data.get("q", "")),
        conditions=[Condition(*map(str, c[:4])) for c in data.get("conditions", [])],
        columns=list(columns),
        sort=sort,
        other={str(k): str(v) for k, v in (data.get("other") or {}).items()},
    )
    query = QueryDict(mutable=True)
    for key, value in state.pairs():
        query.appendlist(key, value)
    return query


def apply_search(queryset: models.QuerySet, q: str, search_fields: list[str]) -> models.QuerySet:
    """Keep the records matching the free-text search `q` (the one place q is interpreted).

    Record types in the search index use the one search service (folded text, typos);
    others fall back to a substring match on their `search_fields`.
    """
    if not q:
        return queryset
    model = queryset.model
    if hasattr(model, "search_terms") and model.module:
        from halyard.search.selectors import matching_ids

        return queryset.filter(pk__in=matching_ids(model.module, q))
    condition = Q()
    for name in search_fields:
        condition |= Q(**{f"{name}__icontains": q})
    return queryset.filter(condition)


def apply_filters(
    queryset: models.QuerySet,
    params: dict[str, str],
    *,
    search_fields: list[str],
    custom_defs: list[CustomField],
) -> tuple[models.QuerySet, list[str]]:
    """Apply q, owner, tag and custom field filters (`cf_<key>`, `cf_<key>__<op>`)."""
    errors: list[str] = []
    queryset = apply_search(queryset, params.get("q", "").strip(), search_fields)
    if owner := params.get("owner", "").strip():
        queryset = queryset.filter(owner_id=None if owner == "none" else _int(owner))
    if tag := params.get("tag", "").strip():
        queryset = queryset.filter(tags__name=tag)
    definitions = {d.key: d for d in custom_defs}
    for name, value in params.items():
        if not name.startswith("cf_") or value == "":
            continue
        key, _sep, op = name[3:].partition("__")
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


def filter_kind(column: Column) -> str | None:
    """Return the filter builder's kind for a column (custom fields follow their type)."""
    definition = column.definition
    if definition is None:
        return column.filter
    kind = definition.field_type
    if kind in {FieldType.NUMBER, FieldType.DECIMAL, FieldType.CURRENCY}:
        return "number"
    if kind in {FieldType.DATE, FieldType.DATETIME}:
        return "date"
    if kind in {FieldType.SELECT, FieldType.MULTI_SELECT}:
        return "choice"
    if kind == FieldType.CHECKBOX:
        return "bool"
    if kind == FieldType.USER:
        return "owner"
    return "text"


def choices_for(
    column: Column, members: list[tuple[int, str]], tags: list[str]
) -> list[tuple[str, str]]:
    """Return the values a filter on this column accepts, as (value, label); [] for free text."""
    kind = filter_kind(column)
    if kind == "owner":
        return [("me", _("me")), ("none", _("nobody")), *((str(i), n) for i, n in members)]
    if kind == "tag":
        return [(t, t) for t in tags]
    if kind == "bool":
        return [("true", _("Yes")), ("false", _("No"))]
    if kind != "choice":
        return []
    if column.definition is not None:
        return [(str(o), str(o)) for o in column.definition.options]
    return column.choices() if column.choices else []


def apply_conditions(
    queryset: models.QuerySet,
    conditions: list[Condition],
    *,
    columns: dict[str, Column],
    user_id: int | None,
    choices: dict[str, list[tuple[str, str]]],
) -> tuple[models.QuerySet, list[Condition]]:
    """Apply the filter builder's rows; rows with a bad value get an error and are skipped."""
    for condition in conditions:
        column = columns.get(condition.field)
        kind = filter_kind(column) if column else None
        if column is None or kind is None:
            condition.error = _("This field cannot be filtered.")
            continue
        if condition.op not in FILTER_OPERATORS[kind]:
            condition.error = _("Choose an operator for %(field)s.") % {"field": column.label}
            continue
        if condition.op != "empty" and condition.value == "":
            continue  # a row still being filled in
        try:
            resolved = condition  # the row keeps what the user wrote; the query gets the key
            if kind in {"owner", "tag", "bool", "choice"}:
                key = _choice(column, condition.value, choices.get(column.key, []))
                resolved = dataclasses.replace(condition, value=key)
            queryset = _apply_one(queryset, column, kind, resolved, user_id)
        except FilterError as exc:
            condition.error = str(exc)
        except (ValueError, ArithmeticError, ValidationError):
            condition.error = _("%(field)s: “%(value)s” does not fit this field.") % {
                "field": column.label,
                "value": condition.value,
            }
    return queryset, conditions


def _number(column: Column, value: str) -> Decimal:
    try:
        number = Decimal(value.replace(",", ""))
    except InvalidOperation:
        raise FilterError(
            _("%(field)s: “%(value)s” is not a number.") % {"field": column.label, "value": value}
        ) from None
    if not number.is_finite():
        raise FilterError(_("%(field)s: enter a number.") % {"field": column.label})
    return number


def _date(column: Column, value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise FilterError(
            _("%(field)s: “%(value)s” is not a date; write it as YYYY-MM-DD.")
            % {"field": column.label, "value": value}
        ) from None


def _choice(column: Column, value: str, options: list[tuple[str, str]]) -> str:
    for key, label in options:
        if value == key or value.casefold() == str(label).casefold():
            return key
    raise FilterError(
        _("%(field)s: “%(value)s” is not one of the choices.")
        % {"field": column.label, "value": value}
    )


def _user(value: str, user_id: int | None) -> int | None:
    """Turn an owner filter's key ("me", "none" or an id) into a user id."""
    if value == "me":
        return user_id
    return int(value) if value.isdigit() else None


def _apply_one(
    queryset: models.QuerySet, column: Column, kind: str, c: Condition, user_id: int | None
) -> models.QuerySet:
    definition = column.definition
    if definition is not None:
        return _apply_custom(queryset, column, definition, kind, c, user_id)
    path = column.path
    if kind == "text":
        if c.op == "empty":
            return queryset.filter(Q(**{path: ""}) | Q(**{f"{path}__isnull": True}))
        lookup = "icontains" if c.op == "contains" else "iexact"
        return queryset.filter(Q(**{f"{path}__{lookup}": c.value}))
    if kind in {"number", "date"}:
        parse: Any = _number if kind == "number" else _date
        if kind == "date" and column.kind == "datetime":
            path = f"{path}__date"
        low = parse(column, c.value)
        if c.op == "between":
            high = parse(column, c.value2 or c.value)
            low, high = min(low, high), max(low, high)
            return queryset.filter(**{f"{path}__gte": low, f"{path}__lte": high})
        return queryset.filter(**{f"{path}__{'exact' if c.op == 'eq' else c.op}": low})
    if kind == "choice":
        condition = Q(**{path: c.value})
        return queryset.filter(condition) if c.op == "eq" else queryset.exclude(condition)
    if kind == "owner":
        who = _user(c.value, user_id)
        condition = Q(owner_id__isnull=True) if who is None else Q(owner_id=who)
        return queryset.filter(condition) if c.op == "eq" else queryset.exclude(condition)
    if kind == "tag":
        condition = Q(tags__name=c.value)
        return queryset.filter(condition) if c.op == "eq" else queryset.exclude(condition)
    if kind == "bool":
        return queryset.filter(**{path: c.value == "true"})
    return queryset


def _apply_custom(
    queryset: models.QuerySet,
    column: Column,
    definition: CustomField,
    kind: str,
    c: Condition,
    user_id: int | None,
) -> models.QuerySet:
    if c.op == "empty" or kind == "text":
        return filter_custom(queryset, definition, c.op, c.value)
    if kind == "bool":
        return filter_custom(queryset, definition, "eq", c.value)
    if kind == "choice" or kind == "owner":
        value = c.value
        if kind == "owner":
            who = _user(c.value, user_id)
            value = "" if who is None else str(who)
        if value == "":
            matching = filter_custom(queryset, definition, "empty", "")
        else:
            matching = filter_custom(queryset, definition, "eq", value)
        if c.op == "eq":
            return matching
        return queryset.exclude(pk__in=matching.values("pk"))
    parse: Any = _number if kind == "number" else _date
    low, high = parse(column, c.value), parse(column, c.value2 or c.value)
    if c.op == "between":
        low, high = min(low, high), max(low, high)
    if c.op in {"eq", "between"}:
        queryset = filter_custom(queryset, definition, "gte", str(low))
        return filter_custom(queryset, definition, "lte", str(high))
    return filter_custom(queryset, definition, c.op, str(low))


@dataclass(frozen=True)
class Sort:
    """How a list is ordered: an expression, a direction, and whether it can be NULL."""

    expression: Any
    descending: bool
    nullable: bool


NEWEST_FIRST = Sort(F("pk"), descending=True, nullable=False)


def sort_for(model: type[models.Model], columns: dict[str, Column], key: str) -> Sort:
    """Return the Sort for a `sort` parameter ("name", "-amount"); newest first by default."""
    column = columns.get(key.removeprefix("-"))
    if column is None or not column.sortable:
        return NEWEST_FIRST
    expression = column.sort_expression()
    return Sort(expression, key.startswith("-"), _nullable(model, expression))


def _nullable(model: type[models.Model], expression: Any) -> bool:
    """Say whether a sort expression can be NULL (a nullable field or relation on its path)."""
    if not isinstance(expression, F):
        return True
    current: Any = model
    for part in expression.name.split("__"):
        if part == "pk":
            return False
        field = current._meta.get_field(part)
        if field.null:
            return True
        if not field.is_relation:
            return False
        current = field.related_model
    return False


def encode_cursor(value: Any, pk: int) -> str:
    """Turn the last row's (sort value, id) into an opaque `after` token."""
    if isinstance(value, dt.date | dt.datetime):
        value = value.isoformat()
    elif isinstance(value, Decimal):
        value = str(value)
    raw = json.dumps([value, pk], ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str | None) -> tuple[Any, int] | None:
    """Read an `after` token; a bad one is ignored (the list starts from the top)."""
    if not token:
        return None
    if token.isdigit():  # the id-only cursor of newest-first pages
        return int(token), int(token)
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        value, pk = json.loads(raw)
    except (ValueError, binascii.Error, TypeError):
        return None
    if not isinstance(pk, int) or not (value is None or isinstance(value, str | int | float)):
        return None
    return value, pk


def keyset_page(
    queryset: models.QuerySet,
    after: str | None,
    size: int = PAGE_SIZE,
    sort: Sort = NEWEST_FIRST,
    strict: bool = False,
) -> Page:
    """Return one page in the sort's order (NULLs last, ties by id), continuing after a cursor."""
    # Every page is a seek on (sort value, id), never an OFFSET, so page 1,000 costs what page 1
    # does when an index on (workspace, sort column, id) exists (see docs/adr/0006).
    queryset = queryset.annotate(**{SORT_ALIAS: sort.expression})
    # NULLS LAST only where NULLs can occur: a plain ORDER BY lets an index give the order.
    nulls_last = True if sort.nullable else None
    value_order = F(SORT_ALIAS).desc(nulls_last=nulls_last) if sort.descending else None
    if value_order is None:
        value_order = F(SORT_ALIAS).asc(nulls_last=nulls_last)
    pk_order = "-pk" if sort.descending else "pk"
    cursor = decode_cursor(after)
    try:
        rows = _seek(queryset, cursor, size, sort, value_order, pk_order)
    except (ValidationError, ValueError, TypeError):  # a cursor made for another sort
        if strict:
            raise
        rows = _seek(queryset, None, size, sort, value_order, pk_order)
    next_after = None
    if len(rows) > size:
        last = rows[size - 1]
        next_after = encode_cursor(getattr(last, SORT_ALIAS), last.pk)
    return Page(rows=rows[:size], next_after=next_after)


def _seek(
    queryset: models.QuerySet,
    cursor: tuple[Any, int] | None,
    size: int,
    sort: Sort,
    value_order: Any,
    pk_order: str,
) -> list[Any]:
    """Fetch up to size + 1 rows after the cursor."""
    before = more = "lt" if sort.descending else "gt"
    if cursor is None:
        rows = list(queryset.order_by(value_order, pk_order)[: size + 1])
    elif cursor[0] is None:
        rows = list(
            queryset.filter(**{f"{SORT_ALIAS}__isnull": True, f"pk__{more}": cursor[1]}).order_by(
                pk_order
            )[: size + 1]
        )
    else:
        value, pk = cursor
        seek = queryset.filter(**{f"{SORT_ALIAS}__{before}e": value}).filter(
            Q(**{f"{SORT_ALIAS}__{before}": value}) | Q(**{f"pk__{more}": pk})
        )
        rows = list(seek.order_by(value_order, pk_order)[: size + 1])
        if len(rows) <= size and sort.nullable:
            rest = queryset.filter(**{f"{SORT_ALIAS}__isnull": True}).order_by(pk_order)
            rows += list(rest[: size + 1 - len(rows)])
    return rows


def keyset_iterate(queryset: models.QuerySet, sort: Sort, chunk: int = 500) -> Iterator[list[Any]]:
    """Yield every row of a queryset in the sort's order, one keyset page at a time."""
    after: str | None = None
    while True:
        page = keyset_page(queryset, after, size=chunk, sort=sort, strict=True)
        if page.rows:
            yield page.rows
        if page.next_after is None:
            return
        after = page.next_after
