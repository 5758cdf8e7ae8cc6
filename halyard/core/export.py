"""Exports of a record list: streamed CSV, Excel workbooks, safe to open in a spreadsheet.

Both formats read the rows in keyset pages of CHUNK, so memory stays flat whatever the list's
size, and both audit how many rows left the workspace.
"""

from __future__ import annotations

import csv
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models
from django.http import FileResponse, HttpResponseBase, StreamingHttpResponse
from django_scopes import scope

from halyard.audit.models import AuditAction
from halyard.audit.services import audit_write
from halyard.core.columns import Column, cell_text
from halyard.core.context import Actor
from halyard.core.listing import Sort, keyset_page

CHUNK = 500
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Characters an XLSX file cannot hold (XML 1.0 forbids them); they are dropped from cells.
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The most rows one worksheet holds (the header row is one of them).
XLSX_MAX_ROWS = 1_048_576


class _Echo:
    """A file-like object whose write returns the line, for csv.writer in a generator."""

    def write(self, value: str) -> str:
        return value


def neutralise(value: Any) -> Any:
    """Keep a spreadsheet from running a text cell as a formula (numbers pass unchanged)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def keyset_chunks(*, actor: Actor, queryset: models.QuerySet, sort: Sort) -> Iterator[list[Any]]:
    """Yield every record of a list, CHUNK at a time in keyset pages, inside the workspace."""
    after: str | None = None
    while True:
        with scope(workspace=actor.workspace):
            page = keyset_page(queryset, after, size=CHUNK, sort=sort, strict=True)
            rows = list(page.rows)
        yield rows
        if page.next_after is None:
            return
        after = page.next_after


def record_chunks(
    *,
    actor: Actor,
    queryset: models.QuerySet,
    sort: Sort,
    columns: list[Column],
    user_names: dict[int, str],
) -> Iterator[list[list[Any]]]:
    """Yield the list's rows as plain cell values, one keyset page at a time."""
    for records in keyset_chunks(actor=actor, queryset=queryset, sort=sort):
        with scope(workspace=actor.workspace):
            rows = [[cell_text(c, r, user_names) for c in columns] for r in records]
        yield rows


def download(body: Any, content_type: str, filename: str) -> HttpResponseBase:
    """Answer an export as an attachment: a generator of text is streamed, a Path is sent
    (and deleted from disk at once: the open handle keeps it until it has been read)."""
    if isinstance(body, Path):
        handle = body.open("rb")
        body.unlink()
        return FileResponse(
            handle, as_attachment=True, filename=filename, content_type=content_type
        )
    response = StreamingHttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def audit_export(
    *, actor: Actor, record_type: str, rows: int, columns: list[str], filters: Any, fmt: str
) -> None:
    """Record in the audit log that rows left the workspace, in which format and view."""
    with scope(workspace=actor.workspace):
        audit_write(
            actor=actor,
            action=AuditAction.EXPORT,
            changes={
                "record_type": record_type,
                "format": fmt,
                "rows": rows,
                "columns": columns,
                "filters": filters,
            },
        )


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
        for rows in record_chunks(
            actor=actor, queryset=queryset, sort=sort, columns=columns, user_names=user_names
        ):
            count += len(rows)
            yield "".join(writer.writerow([neutralise(v) for v in row]) for row in rows)
    finally:
        audit_export(
            actor=actor,
            record_type=record_type,
            rows=count,
            columns=[c.key for c in columns],
            filters=filters,
            fmt="csv",
        )


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, str):
        return XML_ILLEGAL.sub("", value)
    return value


def records_export_xlsx(
    *,
    actor: Actor,
    queryset: models.QuerySet,
    sort: Sort,
    columns: list[Column],
    headers: list[str],
    user_names: dict[int, str],
    record_type: str,
    filters: dict[str, Any],
    sheet_title: str,
) -> Path:
    """Write every row to an Excel workbook in a temporary file and return its path.

    Text is stored as text cells, never as formulas, so a value such as "=HYPERLINK(…)" shows
    as written and does not run (openpyxl would otherwise take a leading "=" for a formula).
    The caller deletes the file after sending it.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(sheet_title))
    bold = Font(bold=True)

    def cells(values: list[Any], font: Any = None) -> list[Any]:
        out = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=_xlsx_value(value))
            if isinstance(value, str):
                cell.data_type = "s"  # text, whatever its first character
            if font is not None:
                cell.font = font
            out.append(cell)
        return out

    sheet.freeze_panes = "A2"
    sheet.append(cells([str(h) for h in headers], bold))
    count = 0
    for rows in record_chunks(
        actor=actor, queryset=queryset, sort=sort, columns=columns, user_names=user_names
    ):
        for row in rows[: max(0, XLSX_MAX_ROWS - 1 - count)]:
            sheet.append(cells(row))
        count = min(count + len(rows), XLSX_MAX_ROWS - 1)
        if count >= XLSX_MAX_ROWS - 1:
            break
    folder = Path(settings.VAR_DIR) / "tmp"
    folder.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - the caller streams and deletes it
        dir=folder, prefix="export-", suffix=".xlsx", delete=False
    )
    handle.close()
    path = Path(handle.name)
    try:
        workbook.save(path)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    audit_export(
        actor=actor,
        record_type=record_type,
        rows=count,
        columns=[c.key for c in columns],
        filters=filters,
        fmt="xlsx",
    )
    return path


def _sheet_title(title: str) -> str:
    """Return a worksheet name Excel accepts: at most 31 characters, none of []:*?/\\."""
    cleaned = re.sub(r"[\[\]:*?/\\]", " ", XML_ILLEGAL.sub("", title)).strip(" '")
    return cleaned[:31] or "Sheet"
