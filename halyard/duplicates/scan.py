"""Finding likely duplicates by blocking: records are compared only inside small blocks.

Exact keys (e-mail, E.164 phone, company domain) are grouped in SQL, so the database returns
only the keys two or more records share. Names are folded (case, diacritics, Persian letter
forms, digits) and blocked in Python, one hash partition of the table at a time so that memory
stays bounded whatever the size of the workspace; only pairs inside a block are scored with
rapidfuzz. Blocks larger than a limit (a generic info@ address, a very common name) are
skipped: they say little about any one pair and would cost a quadratic number of comparisons.

Chinese names are compared as written (folded); no transliteration library (pinyin) is
installed, so 王芳 and "Wang Fang" are not matched.
"""

from __future__ import annotations

import math
import re
import zlib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from rapidfuzz import fuzz

from halyard.companies.models import Company, CompanyDomain
from halyard.contacts.models import Contact, ContactEmail, ContactPhone
from halyard.leads.models import Lead
from halyard.search.normalise import normalise

# Records sharing one exact key beyond this many are skipped (a shared mailbox, a switchboard).
MAX_EXACT_BLOCK = 20
# Name blocks beyond this many records are skipped (a very common name, "Nguyen V…").
MAX_NAME_BLOCK = 40
# Rows held in memory per partition pass over a table.
PARTITION_ROWS = 250_000
CHUNK = 5_000
NAME_MIN = 85  # a name similarity below this is not a reason
STORE_MIN = 50  # pairs scoring below this are not kept

# How strongly one reason alone suggests a duplicate; reasons combine as independent evidence.
WEIGHTS = {"email": 0.9, "phone": 0.75, "domain": 0.85, "company": 0.3}
REASON_ORDER = ["email", "phone", "domain", "name", "company"]
NAME_WEIGHT = {"contacts": 0.55, "leads": 0.55, "companies": 0.6}

# Words that say what kind of company it is, not which one (folded, several languages).
LEGAL_WORDS = frozenset(
    [
        "inc",
        "incorporated",
        "corp",
        "corporation",
        "co",
        "company",
        "ltd",
        "limited",
        "llc",
        "plc",
        "gmbh",
        "ag",
        "sa",
        "sas",
        "sarl",
        "bv",
        "nv",
        "oy",
        "ab",
        "as",
        "spa",
        "srl",
        "kk",
        "pte",
        "pty",
        "jsc",
        "tnhh",
        "cong",
        "ty",
        "cp",
        "co",
        "phan",
        "tap",
        "doan",
        "有限公司",
        "公司",
        "集团",
        "股份",
        "شرکت",
        "سهامی",
        "خاص",
        "عام",
    ]
)
_PUNCT = re.compile(r"[^\w\s]+")
Pair = tuple[int, int]


def fold(text: str) -> str:
    """Fold a name for comparison: normalised, punctuation removed, single spaces."""
    return " ".join(_PUNCT.sub(" ", normalise(text or "")).split())


def company_key(name: str) -> str:
    """Fold a company name and drop legal-form words ("Sen Vàng Co., Ltd" → "sen vang")."""
    words = [w for w in fold(name).split() if w not in LEGAL_WORDS]
    return " ".join(words) or fold(name)


def name_similarity(a: str, b: str) -> int:
    """Score two folded names 0–100, word order ignored ("Nguyen Van A" = "Van A Nguyen")."""
    if not a or not b:
        return 0
    return round(fuzz.token_sort_ratio(a, b))


def pair_score(reasons: list[dict[str, Any]], record_type: str) -> int:
    """Combine the reasons into a confidence from 0 to 100."""
    doubt = 1.0
    seen: set[str] = set()
    for reason in reasons:
        code = reason["code"]
        if code in seen:
            continue
        seen.add(code)
        if code == "name":
            weight = NAME_WEIGHT[record_type] * reason["score"] / 100
        else:
            weight = WEIGHTS.get(code, 0.0)
        doubt *= 1 - weight
    return round(100 * (1 - doubt))


@dataclass
class ScanResult:
    """The pairs one scan of one record type found, with their reasons and scores."""

    record_type: str
    pairs: dict[Pair, list[dict[str, Any]]] = field(default_factory=dict)
    scores: dict[Pair, int] = field(default_factory=dict)
    skipped_blocks: int = 0
    records: int = 0


@dataclass
class _Info:
    name: str  # folded
    group: Any  # the company (id, or folded company name for leads) the record belongs to


def _ordered(a: int, b: int) -> Pair:
    return (a, b) if a < b else (b, a)


def _add(result: ScanResult, a: int, b: int, reason: dict[str, Any]) -> None:
    if a == b:
        return
    reasons = result.pairs.setdefault(_ordered(a, b), [])
    if all(r["code"] != reason["code"] for r in reasons):
        reasons.append(reason)


def _exact_groups(sql: str, params: list[Any]) -> Iterator[tuple[str, list[int]]]:
    """Run `sql` (rows of key, id) and yield each key two or more records share, with the ids."""
    query = (
        f"WITH k AS ({sql}) SELECT key, id FROM k WHERE key IN "  # noqa: S608 - no user input
        "(SELECT key FROM k GROUP BY key HAVING COUNT(DISTINCT id) > 1) ORDER BY key, id"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        current: str | None = None
        ids: list[int] = []
        while rows := cursor.fetchmany(CHUNK):
            for key, pk in rows:
                if key != current:
                    if current is not None:
                        yield current, ids
                    current, ids = key, []
                if not ids or ids[-1] != pk:
                    ids.append(pk)
        if current is not None:
            yield current, ids


def _exact(result: ScanResult, code: str, sql: str, params: list[Any]) -> None:
    for key, ids in _exact_groups(sql, params):
        if len(ids) > MAX_EXACT_BLOCK:
            result.skipped_blocks += 1
            continue
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                _add(result, a, b, {"code": code, "value": key})


def _tables(*models: Any) -> list[str]:
    return [connection.ops.quote_name(m._meta.db_table) for m in models]


def _exact_contacts(result: ScanResult, workspace_id: int) -> None:
    contact, email, phone = _tables(Contact, ContactEmail, ContactPhone)
    emails = (
        f"SELECT LOWER(e.email) AS key, e.contact_id AS id FROM {email} e "  # noqa: S608 - table names, not input
        f"JOIN {contact} c ON c.id = e.contact_id "
        "WHERE c.workspace_id = %s AND c.deleted_at IS NULL AND e.email <> '' "
        f"UNION SELECT LOWER(email), id FROM {contact} "
        "WHERE workspace_id = %s AND deleted_at IS NULL AND email <> ''"
    )
    _exact(result, "email", emails, [workspace_id, workspace_id])
    phones = (
        f"SELECT p.number AS key, p.contact_id AS id FROM {phone} p "  # noqa: S608 - table names, not input
        f"JOIN {contact} c ON c.id = p.contact_id "
        "WHERE c.workspace_id = %s AND c.deleted_at IS NULL AND p.number <> '' "
        f"UNION SELECT phone, id FROM {contact} "
        "WHERE workspace_id = %s AND deleted_at IS NULL AND phone <> ''"
    )
    _exact(result, "phone", phones, [workspace_id, workspace_id])


def _exact_companies(result: ScanResult, workspace_id: int) -> None:
    company, domain = _tables(Company, CompanyDomain)
    domains = (
        f"SELECT LOWER(d.domain) AS key, d.company_id AS id FROM {domain} d "  # noqa: S608 - table names, not input
        f"JOIN {company} c ON c.id = d.company_id "
        "WHERE c.workspace_id = %s AND c.deleted_at IS NULL AND d.domain <> '' "
        f"UNION SELECT LOWER(domain), id FROM {company} "
        "WHERE workspace_id = %s AND deleted_at IS NULL AND domain <> ''"
    )
    _exact(result, "domain", domains, [workspace_id, workspace_id])
    phones = (
        f"SELECT phone AS key, id FROM {company} "  # noqa: S608 - table names, not input
        "WHERE workspace_id = %s AND deleted_at IS NULL AND phone <> ''"
    )
    _exact(result, "phone", phones, [workspace_id])


def _exact_leads(result: ScanResult, workspace_id: int) -> None:
    (lead,) = _tables(Lead)
    alive = "workspace_id = %s AND deleted_at IS NULL AND converted_at IS NULL"
    emails = f"SELECT LOWER(email) AS key, id FROM {lead} WHERE {alive} AND email <> ''"  # noqa: S608
    _exact(result, "email", emails, [workspace_id])
    phones = f"SELECT phone AS key, id FROM {lead} WHERE {alive} AND phone <> ''"  # noqa: S608
    _exact(result, "phone", phones, [workspace_id])


# What each record type's name blocks read, and how a row becomes a folded name and a group.
def _queryset(record_type: str) -> Any:
    if record_type == "contacts":
        return Contact.objects.alive().values_list(
            "id", "first_name", "middle_name", "last_name", "company_id"
        )
    if record_type == "companies":
        return Company.objects.alive().values_list("id", "name", "parent_id")
    return (
        Lead.objects.alive()
        .filter(converted_at__isnull=True)
        .values_list("id", "first_name", "last_name", "company_name")
    )


def _info(record_type: str, row: tuple[Any, ...]) -> tuple[_Info, list[str]]:
    """Return a row's folded name and group, and its block keys."""
    if record_type == "contacts":
        _pk, first, middle, last, company_id = row
        first_f, last_f = fold(first), fold(last)
        name = " ".join(p for p in (first_f, fold(middle), last_f) if p)
        info = _Info(name=name, group=company_id)
        keys = ["a:" + " ".join(sorted(name.split()))] if name else []
        if last_f:
            keys.append(f"b:{last_f}|{first_f[:1]}")
        if first_f and last_f:
            keys.append(f"c:{first_f}|{last_f[:1]}")  # a typo in the family name
        return info, keys
    if record_type == "companies":
        _pk, company_name, _parent = row
        key = company_key(company_name)
        info = _Info(name=key, group=None)
        first = key.split()[0] if key else ""
        return info, ([f"a:{key}", f"b:{first}"] if key else [])
    _pk, first, last, company_name = row
    first_f, last_f = fold(first), fold(last)
    name = " ".join(p for p in (first_f, last_f) if p)
    info = _Info(name=name or company_key(company_name), group=company_key(company_name) or None)
    keys = ["a:" + " ".join(sorted(info.name.split()))] if info.name else []
    if last_f:
        keys.append(f"b:{last_f}|{first_f[:1]}")
    return info, keys


def _rows(record_type: str) -> Iterator[tuple[Any, ...]]:
    """Yield the live records' name rows in id order, a chunk at a time (memory bounded)."""
    last = 0
    queryset = _queryset(record_type)
    while True:
        chunk = list(queryset.filter(id__gt=last).order_by("id")[:CHUNK])
        if not chunk:
            return
        yield from chunk
        last = chunk[-1][0]


def _names(result: ScanResult, record_type: str, total: int) -> None:
    """Block the records by folded name keys, one hash partition at a time, and compare."""
    partitions = max(1, math.ceil(total / PARTITION_ROWS))
    minimum = NAME_MIN if record_type != "companies" else 88
    for part in range(partitions):
        blocks: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for row in _rows(record_type):
            info, keys = _info(record_type, row)
            for key in keys:
                if zlib.crc32(key.encode()) % partitions == part:
                    block = blocks[key]
                    if len(block) <= MAX_NAME_BLOCK:
                        block.append((row[0], info.name))
        for members in blocks.values():
            if len(members) > MAX_NAME_BLOCK:
                result.skipped_blocks += 1
                continue
            for i, (a, name_a) in enumerate(members):
                for b, name_b in members[i + 1 :]:
                    pair = _ordered(a, b)
                    if pair in result.pairs and any(
                        r["code"] == "name" for r in result.pairs[pair]
                    ):
                        continue
                    similarity = name_similarity(name_a, name_b)
                    if similarity >= minimum:
                        _add(result, a, b, {"code": "name", "score": similarity})
        del blocks


def _enrich(result: ScanResult) -> None:
    """Add the name similarity and the shared company to pairs found by exact keys; score."""
    pairs = list(result.pairs)
    for start in range(0, len(pairs), CHUNK):
        chunk = pairs[start : start + CHUNK]
        ids = {pk for pair in chunk for pk in pair}
        infos = {
            row[0]: _info(result.record_type, row)[0]
            for row in _queryset(result.record_type).filter(id__in=ids)
        }
        for pair in chunk:
            reasons = result.pairs[pair]
            a, b = infos.get(pair[0]), infos.get(pair[1])
            if a is None or b is None:
                continue
            if not any(r["code"] == "name" for r in reasons):
                similarity = name_similarity(a.name, b.name)
                if similarity >= NAME_MIN:
                    reasons.append({"code": "name", "score": similarity})
            if a.group is not None and a.group == b.group:
                reasons.append({"code": "company"})
    for pair, reasons in list(result.pairs.items()):
        score = pair_score(reasons, result.record_type)
        if score < STORE_MIN:
            del result.pairs[pair]
        else:
            reasons.sort(key=lambda r: REASON_ORDER.index(r["code"]))
            result.scores[pair] = score


def scan_records(*, workspace_id: int, record_type: str) -> ScanResult:
    """Find the likely duplicate pairs of one record type in the active workspace."""
    result = ScanResult(record_type=record_type)
    result.records = _queryset(record_type).count()
    if record_type == "contacts":
        _exact_contacts(result, workspace_id)
    elif record_type == "companies":
        _exact_companies(result, workspace_id)
    else:
        _exact_leads(result, workspace_id)
    _names(result, record_type, result.records)
    _enrich(result)
    return result
