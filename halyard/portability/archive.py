"""Writing a workspace archive: one CSV per table plus manifest.json, streamed into a zip."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import json
import os
import zipfile
from collections.abc import Callable, Iterator
from decimal import Decimal
from importlib import metadata
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from halyard.accounts.models import User
from halyard.imports.models import Import
from halyard.portability.tables import (
    FILES_DIR,
    FORMAT_VERSION,
    MANIFEST,
    TABLES,
    TRASH_COLUMN,
    USER_COLUMNS,
    Table,
    csv_name,
)
from halyard.workspaces.models import Membership, Workspace

FORMAT_NAME = "halyard-workspace"
CHUNK_ROWS = 2000
# Called after each table with (tables done, tables in all, the table's name).
Progress = Callable[[int, int, str], None]


def halyard_version() -> str:
    """Return the installed Halyard's version."""
    try:
        return metadata.version("halyard")
    except metadata.PackageNotFoundError:
        return "unknown"


def cell(field: models.Field | None, value: Any) -> str:
    """Return one value as CSV text: ISO dates, "true"/"false", JSON for JSON fields."""
    if isinstance(field, models.JSONField):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


class _Member:
    """One file being written into the zip, hashed and counted as it goes."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.sha = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self.sha.update(data)
        self.size += len(data)
        self.raw.write(data)


def _write_csv(
    archive: zipfile.ZipFile, name: str, header: list[str], rows: Iterator[list[str]]
) -> dict[str, Any]:
    """Write a CSV member in chunks; return its row count, byte size and SHA-256."""
    count = 0
    with archive.open(name, "w", force_zip64=True) as raw:
        member = _Member(raw)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
            if count % CHUNK_ROWS == 0:
                member.write(buffer.getvalue().encode("utf-8"))
                buffer.seek(0)
                buffer.truncate()
        member.write(buffer.getvalue().encode("utf-8"))
    return {"file": name, "rows": count, "bytes": member.size, "sha256": member.sha.hexdigest()}


def table_queryset(table: Table, workspace: Workspace) -> models.QuerySet:
    """Return the rows of one table that belong to the workspace."""
    manager = table.model._base_manager
    return manager.filter(**{table.workspace_path: workspace})


def _table_rows(table: Table, workspace: Workspace) -> Iterator[list[str]]:
    fields = table.fields()
    names = [f.attname for f in fields]
    lookups = [lookup for _column, lookup in table.derived]
    order = names if table.link is not None else ["pk"]
    rows = table_queryset(table, workspace).order_by(*order).values_list(*names, *lookups)
    deleted_at = names.index("deleted_at") if table.is_record else -1
    for values in rows.iterator(chunk_size=CHUNK_ROWS):
        line = [cell(f, v) for f, v in zip(fields, values, strict=False)]
        line += [cell(None, v) for v in values[len(fields) :]]
        if table.is_record:
            line.append(cell(None, values[deleted_at] is not None))
        yield line


def referenced_user_ids(workspace: Workspace) -> set[int]:
    """Return every user a row of the workspace points at: members, owners, authors, actors."""
    ids = set(Membership.objects.filter(workspace=workspace).values_list("user_id", flat=True))
    for table in TABLES:
        for f in table.fields():
            if isinstance(f, models.ForeignKey) and f.related_model is User:
                column = f.attname
                ids.update(
                    table_queryset(table, workspace)
                    .exclude(**{f"{column}__isnull": True})
                    .order_by()
                    .values_list(column, flat=True)
                    .distinct()
                )
    return ids


def _user_rows(ids: set[int]) -> Iterator[list[str]]:
    users = User.objects.filter(pk__in=sorted(ids)).order_by("pk").values_list(*USER_COLUMNS)
    for values in users.iterator(chunk_size=CHUNK_ROWS):
        yield [cell(None, v) for v in values]


@contextlib.contextmanager
def snapshot() -> Iterator[None]:
    """Read every table from one snapshot, without holding up the workspace's writers.

    PostgreSQL: a read-only REPEATABLE READ transaction. SQLite (WAL): a deferred transaction,
    whose first read fixes the snapshot; Halyard's IMMEDIATE mode would block every writer.
    """
    if connection.in_atomic_block:  # already inside a transaction (tests, callers): use it
        yield
        return
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
        return
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("BEGIN DEFERRED")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("COMMIT")


def _store_files(archive: zipfile.ZipFile, workspace: Workspace) -> list[dict[str, Any]]:
    """Copy the import uploads still on disk into files/imports/<import id><suffix>."""
    stored: list[dict[str, Any]] = []
    jobs = Import._base_manager.filter(workspace=workspace).exclude(file_path="").order_by("pk")
    for pk, relative in jobs.values_list("pk", "file_path").iterator(chunk_size=CHUNK_ROWS):
        source = Path(settings.VAR_DIR) / relative
        if not source.is_file():
            continue
        name = f"{FILES_DIR}imports/{pk}{Path(relative).suffix.lower()}"
        with source.open("rb") as handle, archive.open(name, "w", force_zip64=True) as raw:
            member = _Member(raw)
            while chunk := handle.read(1024 * 1024):
                member.write(chunk)
        stored.append(
            {
                "path": name,
                "table": "imports",
                "id": pk,
                "bytes": member.size,
                "sha256": member.sha.hexdigest(),
            }
        )
    return stored


def workspace_archive_write(
    *, workspace: Workspace, path: Path, progress: Progress | None = None
) -> dict[str, Any]:
    """Write the whole workspace to a zip at `path` (atomically) and return its manifest."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    total = len(TABLES) + 2  # users, the tables, the stored files
    tables: dict[str, Any] = {}
    try:
        with (
            scopes_disabled(),
            snapshot(),
            zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive,
        ):
            exported_at = timezone.now()
            users = _user_rows(referenced_user_ids(workspace))
            tables["users"] = _write_csv(archive, csv_name("users"), list(USER_COLUMNS), users)
            tables["users"]["columns"] = list(USER_COLUMNS)
            if progress:
                progress(1, total, "users")
            for done, table in enumerate(TABLES, start=2):
                header = table.columns()
                rows = _table_rows(table, workspace)
                tables[table.name] = _write_csv(archive, csv_name(table.name), header, rows)
                tables[table.name]["columns"] = header
                if progress:
                    progress(done, total, table.name)
            files = _store_files(archive, workspace)
            manifest = {
                "format": FORMAT_NAME,
                "format_version": FORMAT_VERSION,
                "halyard_version": halyard_version(),
                "exported_at": exported_at.isoformat(),
                "workspace": {
                    "id": workspace.pk,
                    "name": workspace.name,
                    "slug": workspace.slug,
                    "created_at": workspace.created_at.isoformat(),
                    "settings": {
                        "default_currency": workspace.default_currency,
                        "default_country": workspace.default_country,
                        "require_2fa": workspace.require_2fa,
                    },
                },
                "trash_column": TRASH_COLUMN,
                "tables": tables,
                "files": files,
            }
            archive.writestr(
                MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True)
            )
            if progress:
                progress(total, total, "files")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return manifest
