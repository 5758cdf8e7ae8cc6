"""Reads of imports: history, the wizard's preview and the error report."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django_scopes import scope

from halyard.imports import mapping as fields
from halyard.imports.models import Import, ImportRow, ImportType, MappingTemplate, RowAction
from halyard.imports.readers import FileUnreadable, read_rows
from halyard.imports.services import custom_definitions, import_file_path
from halyard.workspaces import permissions
from halyard.workspaces.models import Membership

PREVIEW_ROWS = 5


def importable_types(membership: Membership) -> list[str]:
    """Return the record types this member may import."""
    return [
        t
        for t in ImportType.values
        if permissions.can(membership, t, permissions.Action.CREATE)
        and permissions.can(membership, t, permissions.Action.IMPORT)
    ]


def import_list(membership: Membership) -> QuerySet[Import]:
    """Return the imports of the record types this member may import, newest first."""
    return Import.objects.filter(record_type__in=importable_types(membership)).select_related(
        "user"
    )


def preview_rows(job: Import) -> list[list[str]]:
    """Return the first data rows under the header (empty when the file cannot be read)."""
    found: list[list[str]] = []
    try:
        rows = read_rows(
            import_file_path(job),
            file_format=job.file_format,
            encoding=job.encoding,
            delimiter=job.delimiter,
            sheet=job.sheet,
        )
        next(rows, None)
        for values in rows:
            found.append(values)
            if len(found) >= PREVIEW_ROWS:
                break
    except (FileUnreadable, OSError):
        return found
    return found


def templates_for(record_type: str) -> list[MappingTemplate]:
    """Return the saved mappings of a record type."""
    return list(MappingTemplate.objects.filter(record_type=record_type))


def mapping_suggestion(job: Import, template: MappingTemplate | None) -> dict[str, str]:
    """Return the suggested {column: field} for a job, from a template or the header names."""
    return fields.suggest(
        job.record_type,
        job.headers,
        custom_definitions(job.record_type),
        template.mapping if template is not None else None,
    )


def best_template(job: Import, templates: list[MappingTemplate]) -> MappingTemplate | None:
    """Return the saved mapping that knows most of this file's headers, if any knows one."""
    keys = {fields.header_key(h) for h in job.headers}
    scored = [(len(keys & set(t.mapping)), t) for t in templates]
    scored = [s for s in scored if s[0]]
    return max(scored, key=lambda s: s[0])[1] if scored else None


def error_report(job: Import) -> Iterator[str]:
    """Yield the error report CSV: the header, then each failed or skipped row and the reason."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow([_("Row"), _("Result"), _("Reason"), *job.headers])
    yield "\ufeff" + flush()  # a BOM so that Excel opens UTF-8 as UTF-8
    labels = dict(RowAction.choices)
    # A streamed response is read after the view has left the workspace scope.
    with scope(workspace=job.workspace):
        rows = ImportRow.objects.filter(
            job=job, action__in=[RowAction.FAILED, RowAction.SKIPPED]
        ).order_by("row_number", "id")
        for row in rows.iterator():
            cells = [_neutralise(c) for c in row.values]
            writer.writerow([row.row_number, labels[row.action], row.error, *cells])
            yield flush()


def _neutralise(value: Any) -> str:
    """Keep a cell from running as a formula when the report is opened in a spreadsheet."""
    text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
