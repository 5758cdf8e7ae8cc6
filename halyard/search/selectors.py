"""One search for the whole product: the top bar, every list's `q`, and the API."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet

from halyard.search.models import SearchEntry
from halyard.search.normalise import is_cjk, normalise, phone_digits
from halyard.search.scoring import score
from halyard.workspaces import permissions

CANDIDATES = 200


def searchable(q: str) -> str:
    """Return the normalised query, or "" when it is too short to search."""
    text = normalise(q[:100])
    if len(text) >= 2 or (text and is_cjk(text)):
        return text
    return ""


def _matching(entries: QuerySet, text: str, *, typos: bool = True) -> QuerySet:
    """Narrow index entries to those containing the text or (with `typos`) close to it."""
    condition = Q(text__contains=text)
    digits = phone_digits(text)
    if digits:
        return entries.filter(condition | Q(text__contains=digits))
    if typos and len(text) >= 4 and not is_cjk(text):
        if connection.vendor == "postgresql":
            condition |= Q(text__trigram_word_similar=text)
        else:
            from django.db.models import Func, IntegerField, Value

            fuzzy = Func("text", Value(text), function="halyard_fuzzy", output_field=IntegerField())
            entries = entries.alias(fuzzy=fuzzy)
            condition |= Q(fuzzy=1)
    return entries.filter(condition)


def matching_ids(record_type: str, q: str) -> QuerySet:
    """Return a subquery of the ids of records of one type that match `q` (for lists)."""
    text = normalise(q[:100])  # a list narrows on any text, one letter included
    entries = SearchEntry.objects.filter(record_type=record_type)
    if not text:
        return entries.none().values("record_id")
    return _matching(entries, text).values("record_id")


def ranked_ids(member: Any, record_type: str, q: str, limit: int) -> list[int]:
    """Return the ids of the best matches the member may see, best first."""
    text = searchable(q)
    if not text or not permissions.can(member, record_type, "view"):
        return []
    entries = permissions.visible(
        member, record_type, SearchEntry.objects.filter(record_type=record_type)
    )
    # Exact and prefix hits first; the typo pass (a scan on SQLite) only when they are too few.
    scored: list[tuple[float, int]] = []
    for typos in (False, True):
        query = _matching(entries, text, typos=typos).values_list("record_id", "text")
        candidates = list(query[:CANDIDATES])
        scored = [(score(text, body), record_id) for record_id, body in candidates]
        scored = [(s, record_id) for s, record_id in scored if s > 0]
        if len(scored) >= limit or len(text) < 4:
            break
    scored.sort(key=lambda pair: (-pair[0], -pair[1]))
    return [record_id for _s, record_id in scored[:limit]]


@dataclass
class Group:
    record_type: str
    label: str
    rows: list[Any] = field(default_factory=list)


def search(member: Any, q: str, *, per_type: int = 5) -> list[Group]:
    """Search companies, contacts, leads and deals; groups in a fixed order, best hits first."""
    from halyard.search.registry import SEARCHABLE

    groups = []
    for record_type, (model, related) in SEARCHABLE.items():
        ids = ranked_ids(member, record_type, q, per_type)
        if not ids:
            continue
        queryset = permissions.visible(member, record_type, model.objects.alive())
        queryset = queryset.select_related(*related)
        found = {r.pk: r for r in queryset.filter(pk__in=ids)}
        rows = [found[i] for i in ids if i in found]
        if rows:
            groups.append(Group(record_type, str(model._meta.verbose_name_plural), rows))
    return groups
