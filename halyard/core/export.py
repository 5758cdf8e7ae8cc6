"""CSV export of a record list: streamed, keyset-paged, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.db import models
from django_scopes import scope

from halyard.audit.models import AuditAction
from halyard.audit.services import audit_write
from halyard.core.columns import Column, cell_text
from halyard.core.context import Actor
from halyard.core.listing import Sort, keyset_page

CHUNK = 500
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    """A file-like object whose write returns the line, for csv.writer in a generator."""

    def write(self, value: str) -> str:
        return value


def neutralise(value: Any) -> Any:
    """Keep a spreadsheet from running a text cell as a formula (numbers pass unchanged)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def records_export_csv(
    *,
    actor: Actor,
    queryset: models.QuerySet,
    sort: Sort,
    columns: list[Column],
    headers: list[str],
    user_names: dict[int, str],
    record_type: str,
    filters: dict[str, Any],
) -> Iterator[str]:
    """Yield a UTF-8 CSV (with BOM) of every row, then audit how many rows went out."""
    writer = csv.writer(_Echo())
    count = 0
    try:
        yield "\ufeff" + writer.writerow([neutralise(h) for h in headers])
        after: str | None = None
        while True:
            with scope(workspace=actor.workspace):
                page = keyset_page(queryset, after, size=CHUNK, sort=sort, strict=True)
                lines = [
                    writer.writerow([neutralise(cell_text(c, r, user_names)) for c in columns])
                    for r in page.rows
                ]
            count += len(lines)
            yield "".join(lines)
            if page.next_after is None:
                break
            after = page.next_after
    finally:
        with scope(workspace=actor.workspace):
            audit_write(
                actor=actor,
                action=AuditAction.EXPORT,
                changes={
                    "record_type": record_type,
                    "rows": count,
                    "columns": [c.key for c in columns],
                    "filters": filters,
                },
            )
