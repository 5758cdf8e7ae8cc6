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


def _typo_tolerant(text: str) -> bool:
    """Whether a query may match with typos: words of four letters or more, not CJK or digits."""
    return len(text) >= 4 and not is_cjk(text) and not phone_digits(text)


def _close(entries: QuerySet, text: str) -> tuple[QuerySet, Q]:
    """Return the entries (annotated if need be) and the condition of a near match (a typo)."""
    if connection.vendor == "postgresql":
        return entries, Q(text__trigram_word_similar=text)
    from django.db.models import Func, IntegerField, Value

    fuzzy = Func("text", Value(text), function="halyard_fuzzy", output_field=IntegerField())
    return entries.alias(fuzzy=fuzzy), Q(fuzzy=1)


def _exact(text: str) -> Q:
    """The condition of an exact hit: the text as a substring, or a phone's digits."""
    condition = Q(text__contains=text)
    digits = phone_digits(text)
    if digits:
        condition |= Q(text__contains=digits)
    return condition


def _matching(entries: QuerySet, text: str, *, typos: bool = True) -> QuerySet:
    """Narrow index entries to those containing the text or (with `typos`) close to it."""
    condition = _exact(text)
    if typos and _typo_tolerant(text):
        entries, close = _close(entries, text)
        condition |= close
    return entries.filter(condition)


def matching_ids(record_type: str, q: str) -> QuerySet:
    """Return a subquery of the ids of records of one type that match `q` (for lists)."""
    text = normalise(q[:100])  # a list narrows on any text, one letter included
    entries = SearchEntry.objects.filter(record_type=record_type)
    if not text:
        return entries.none().values("record_id")
    return _matching(entries, text).values("record_id")


def _ranked(entries: QuerySet, text: str) -> list[int]:
    """Score the first CANDIDATES entries (one query) and return their record ids, best first."""
    rows = entries.values_list("record_id", "text")[:CANDIDATES]
    scored = [(score(text, body), record_id) for record_id, body in rows]
    scored.sort(key=lambda pair: (-pair[0], -pair[1]))
    return [record_id for s, record_id in scored if s > 0]


def ranked_ids(member: Any, record_type: str, q: str, limit: int) -> list[int]:
    """Return the ids of the best matches the member may see, best first."""
    text = searchable(q)
    if not text or not permissions.can(member, record_type, "view"):
        return []
    entries = permissions.visible(
        member, record_type, SearchEntry.objects.filter(record_type=record_type)
    )
    # Exact hits (prefix or substring) first, all of them when fewer than CANDIDATES match. The
    # typo pass (a scan on SQLite) runs only when they leave places, and it reads only entries
    # that are not exact hits: its candidates fill those places and never push an exact one out.
    ranked = _ranked(_matching(entries, text, typos=False), text)
    if len(ranked) < limit and _typo_tolerant(text):
        near, close = _close(entries, text)
        ranked += _ranked(near.filter(close & ~_exact(text)), text)
    return ranked[:limit]


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
