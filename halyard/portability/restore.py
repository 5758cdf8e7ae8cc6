"""Reading a workspace archive back into a new workspace, all of it or nothing."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import json
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DatabaseError, models, transaction
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from halyard.accounts.models import TIME_ZONES, User
from halyard.audit.models import AuditAction
from halyard.audit.services import audit_write
from halyard.core.context import Actor
from halyard.customfields.models import CustomField, FieldType
from halyard.imports.models import BUSY_STATUSES, ImportStatus
from halyard.portability.archive import FORMAT_NAME
from halyard.portability.tables import (
    FILES_DIR,
    FORMAT_VERSION,
    MANIFEST,
    TABLE_BY_NAME,
    TABLE_OF_LABEL,
    TABLE_OF_MODEL,
    TABLES,
    TRASH_COLUMN,
    USER_COLUMNS,
    Table,
    csv_name,
)
from halyard.search.registry import SEARCHABLE
from halyard.search.services import search_rebuild
from halyard.workspaces.models import Membership, Role, Workspace, validate_slug

BATCH = 1000
MAX_WARNINGS = 1000  # the first ones are kept; the count says how many there were
MAX_MANIFEST_BYTES = 5 * 1024 * 1024
# A CSV of a real workspace deflates 5 to 30 times; a zip bomb, thousands of times.
MAX_RATIO = 200
RATIO_FLOOR_BYTES = 1024 * 1024  # tiny members may deflate far better; they cannot hurt
# Cells as long as the longest JSON value a row can hold (audit changes, import rows).
FIELD_LIMIT = 64 * 1024 * 1024


class ArchiveError(Exception):
    """The archive cannot be restored; nothing was written."""


@dataclass
class RestoreResult:
    workspace: Workspace
    counts: dict[str, int]
    created_users: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    warning_count: int = 0


def max_archive_bytes() -> int:
    return int(getattr(settings, "HALYARD_RESTORE_MAX_BYTES", 50 * 1024**3))


# --- Checking the archive before anything is written -------------------------------------


class _HashingReader(io.RawIOBase):
    """A zip member read as raw bytes, hashed on the way through."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.sha = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        self.sha.update(data)
        buffer[: len(data)] = data
        return len(data)


def _safe_name(name: str) -> bool:
    """Say whether a member name is a plain relative path (no traversal, no drive, no root)."""
    if not name or "\\" in name or "\x00" in name or name.startswith("/") or ":" in name:
        return False
    parts = PurePosixPath(name).parts
    return all(p not in ("", ".", "..") for p in parts)


def _open_zip(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ArchiveError(f"{path.name} is not a zip file ({exc}).") from None


def _check_sizes(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """Refuse unsafe names, duplicates and sizes that only a zip bomb would have."""
    members: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in archive.infolist():
        if not _safe_name(info.filename) or info.is_dir():
            raise ArchiveError(f"The archive holds a file with an unsafe name: {info.filename!r}.")
        if info.filename in members:
            raise ArchiveError(f"The archive holds {info.filename} twice.")
        if info.flag_bits & 0x1:
            raise ArchiveError("The archive is encrypted; export it again without a password.")
        total += info.file_size
        if info.file_size > RATIO_FLOOR_BYTES and info.file_size > MAX_RATIO * max(
            info.compress_size, 1
        ):
            raise ArchiveError(
                f"{info.filename} would grow {info.file_size // max(info.compress_size, 1)} "
                "times when unpacked; this is not a Halyard export."
            )
        members[info.filename] = info
    if total > max_archive_bytes():
        raise ArchiveError(
            f"The archive unpacks to {total} bytes, more than the limit of "
            f"{max_archive_bytes()} (HALYARD_RESTORE_MAX_BYTES)."
        )
    return members


def _read_manifest(archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo]) -> dict:
    info = members.get(MANIFEST)
    if info is None:
        raise ArchiveError("The archive has no manifest.json; it is not a Halyard export.")
    if info.file_size > MAX_MANIFEST_BYTES:
        raise ArchiveError("manifest.json is too large.")
    try:
        manifest = json.loads(archive.read(info).decode("utf-8"))
    except (ValueError, UnicodeDecodeError, zipfile.BadZipFile, OSError) as exc:
        raise ArchiveError(f"manifest.json cannot be read: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        raise ArchiveError("manifest.json does not describe a Halyard workspace export.")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ArchiveError(
            f"The archive's format version {manifest.get('format_version')!r} is unknown to this "
            f"Halyard (it reads version {FORMAT_VERSION}). Use a Halyard of the same version."
        )
    tables = manifest.get("tables")
    if not isinstance(tables, dict) or not isinstance(manifest.get("files", []), list):
        raise ArchiveError("manifest.json lists no tables.")
    expected = {"users", *TABLE_BY_NAME}
    missing = sorted(expected - set(tables))
    if missing:
        raise ArchiveError(f"manifest.json does not list the tables: {', '.join(missing)}.")
    unknown = sorted(set(tables) - expected)
    if unknown:
        raise ArchiveError(f"manifest.json lists unknown tables: {', '.join(unknown)}.")
    listed = {MANIFEST}
    for name, entry in tables.items():
        if not isinstance(entry, dict) or entry.get("file") != csv_name(name):
            raise ArchiveError(f"manifest.json describes the table {name} wrongly.")
        listed.add(entry["file"])
    for entry in manifest.get("files", []):
        if not isinstance(entry, dict) or not str(entry.get("path", "")).startswith(FILES_DIR):
            raise ArchiveError("manifest.json lists a stored file wrongly.")
        listed.add(entry["path"])
    for name in sorted(listed - set(members)):
        raise ArchiveError(f"The archive is missing {name}, which manifest.json lists.")
    for name in sorted(set(members) - listed):
        raise ArchiveError(f"The archive holds {name}, which manifest.json does not list.")
    return manifest


def _allowed_columns(name: str) -> set[str]:
    if name == "users":
        return set(USER_COLUMNS)
    table = TABLE_BY_NAME[name]
    return set(table.columns())


def _csv_rows(archive: zipfile.ZipFile, name: str, entry: dict) -> Iterator[tuple[int, dict]]:
    """Yield (line, {column: text}) of one CSV, then check its count and SHA-256."""
    reader_raw = _HashingReader(archive.open(entry["file"]))
    text = io.TextIOWrapper(io.BufferedReader(reader_raw), encoding="utf-8", newline="")
    rows = csv.reader(text)
    count = 0
    # The limit is process-wide; the import wizard keeps a lower one for uploaded files.
    previous_limit = csv.field_size_limit(FIELD_LIMIT)
    try:
        header = next(rows, None)
        if not header:
            raise ArchiveError(f"{entry['file']} is empty; it should start with a header row.")
        unknown = [c for c in header if c not in _allowed_columns(name)]
        if unknown or len(set(header)) != len(header):
            raise ArchiveError(f"{entry['file']} has unexpected columns: {', '.join(unknown)}.")
        if name != "users" and TABLE_BY_NAME[name].link is None and "id" not in header:
            raise ArchiveError(f"{entry['file']} has no id column.")
        if name != "users" and TABLE_BY_NAME[name].link is not None:
            needed = {f.attname for f in TABLE_BY_NAME[name].fields()}
            if not needed <= set(header):
                raise ArchiveError(f"{entry['file']} lacks columns: {', '.join(sorted(needed))}.")
        if name == "users" and not {"id", "email"} <= set(header):
            raise ArchiveError(f"{entry['file']} lacks the id and email columns.")
        for cells in rows:
            count += 1
            if len(cells) != len(header):
                raise ArchiveError(
                    f"{entry['file']}, line {rows.line_num}: {len(cells)} cells where the "
                    f"header has {len(header)}."
                )
            yield rows.line_num, dict(zip(header, cells, strict=True))
    except UnicodeDecodeError:
        raise ArchiveError(f"{entry['file']} is not UTF-8 text.") from None
    except csv.Error as exc:
        raise ArchiveError(f"{entry['file']}, line {rows.line_num}: broken CSV ({exc}).") from None
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ArchiveError(f"{entry['file']} cannot be read from the archive: {exc}") from None
    finally:
        csv.field_size_limit(previous_limit)
    if count != entry.get("rows"):
        raise ArchiveError(
            f"{entry['file']} holds {count} rows; manifest.json says {entry.get('rows')}."
        )
    if reader_raw.sha.hexdigest() != entry.get("sha256"):
        raise ArchiveError(f"{entry['file']} does not match its SHA-256 checksum in manifest.json.")


def _check_file(archive: zipfile.ZipFile, entry: dict) -> None:
    sha = hashlib.sha256()
    with archive.open(entry["path"]) as handle:
        while chunk := handle.read(1024 * 1024):
            sha.update(chunk)
    if sha.hexdigest() != entry.get("sha256"):
        raise ArchiveError(f"{entry['path']} does not match its SHA-256 checksum.")


def archive_check(path: Path) -> dict[str, Any]:
    """Read the whole archive once without writing anything; return its manifest or refuse it."""
    with _open_zip(path) as archive:
        members = _check_sizes(archive)
        manifest = _read_manifest(archive, members)
        for name, entry in manifest["tables"].items():
            for _line, _row in _csv_rows(archive, name, entry):
                pass
        for entry in manifest.get("files", []):
            _check_file(archive, entry)
    return manifest


# --- Writing the new workspace -----------------------------------------------------------

# List parameters a saved view may keep that hold ids, and the table of those ids.
OTHER_FILTERS = {
    "owner": "users",
    "pipeline": "pipelines",
    "stage": "stages",
    "company": "companies",
}


def _parse(f: models.Field, text: str) -> Any:
    """Turn a CSV cell back into a field value."""
    if isinstance(f, models.JSONField):
        return json.loads(text)
    if text == "" and (f.null or not isinstance(f, models.CharField | models.TextField)):
        if f.null:
            return None
        if not f.has_default():
            raise ValueError("a value is required")
        return f.get_default()
    if isinstance(f, models.BooleanField):
        if text not in ("true", "false"):
            raise ValueError(f"{text!r} is not true or false")
        return text == "true"
    if isinstance(f, models.DateTimeField):
        value = dt.datetime.fromisoformat(text)
        if timezone.is_naive(value):
            value = value.replace(tzinfo=dt.UTC)
        return value
    if isinstance(f, models.DateField):
        return dt.date.fromisoformat(text)
    if isinstance(f, models.DecimalField):
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"{text!r} is not a number") from None
        if not number.is_finite():
            raise ValueError(f"{text!r} is not a number")
        return number
    if isinstance(f, models.IntegerField | models.ForeignKey | models.AutoField):
        return int(text)
    if isinstance(f, models.CharField) and f.max_length and len(text) > f.max_length:
        raise ValueError(f"longer than {f.max_length} characters")
    return text


class _Restorer:
    def __init__(self, archive: zipfile.ZipFile, manifest: dict, workspace: Workspace) -> None:
        self.archive = archive
        self.manifest = manifest
        self.workspace = workspace
        self.ids: dict[str, dict[int, int]] = {}
        self.counts: dict[str, int] = {}
        self.created_users: list[str] = []
        self.warnings: list[str] = []
        self.warning_count = 0
        self.written_files: list[Path] = []
        self.user_fields: dict[str, list[str]] = {}  # record type -> custom USER keys
        self.parents: list[tuple[int, int]] = []  # (company id, its parent id), old ids
        self.trash_links: list[tuple[int, dict]] = []  # (old company id, links)
        self._old_id: int | None = None
        self.stored = {e["id"]: e for e in manifest.get("files", []) if e.get("table") == "imports"}

    def rows(self, name: str) -> Iterator[tuple[int, dict]]:
        return _csv_rows(self.archive, name, self.manifest["tables"][name])

    def new_id(self, table: str, old: int | None, *, where: str, nullable: bool) -> int | None:
        if old is None:
            return None
        new = self.ids.get(table, {}).get(old)
        if new is None:
            if nullable:
                self.warn(f"{where}: {table} id {old} is not in the archive; left empty")
                return None
            raise ArchiveError(f"{where}: refers to {table} id {old}, which is not in the archive.")
        return new

    def warn(self, message: str) -> None:
        self.warning_count += 1
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(message)

    def users(self) -> None:
        mapping: dict[int, int] = {}
        languages = {code for code, _name in settings.LANGUAGES}
        for line, row in self.rows("users"):
            email = row["email"].strip().lower()
            try:
                old_id = int(row["id"])
                validate_email(email)
            except (ValueError, ValidationError):
                raise ArchiveError(
                    f"users.csv, line {line}: needs a numeric id and a valid e-mail address."
                ) from None
            user = User.objects.filter(email__iexact=email).first()
            if user is None:
                # A member unknown here: an account without a password, which its owner
                # claims with "Forgot password" on that address; the restore sets no secret.
                language = row.get("language", "")
                zone = row.get("timezone", "")
                user = User(
                    email=email,
                    full_name=row.get("full_name", "")[:150],
                    language=language if language in languages else "",
                    timezone=zone if zone in TIME_ZONES else "UTC",
                )
                user.set_unusable_password()
                user.save()
                self.created_users.append(email)
            mapping[old_id] = user.pk
        self.ids["users"] = mapping
        self.counts["users"] = len(mapping)

    def table(self, table: Table) -> None:
        fields = {f.attname: f for f in table.fields()}
        mapping: dict[int, int] = {}
        batch: list[Any] = []
        olds: list[int] = []
        count = 0
        has_workspace = any(f.name == "workspace" for f in table.model._meta.concrete_fields)
        for line, row in self.rows(table.name):
            where = f"{csv_name(table.name)}, line {line}"
            values: dict[str, Any] = {}
            try:
                for column, text in row.items():
                    f = fields.get(column)
                    if f is None or column == TRASH_COLUMN:
                        continue
                    values[column] = _parse(f, text)
            except (ValueError, TypeError) as exc:
                raise ArchiveError(f"{where}, column {column}: {exc}.") from None
            old_id = values.pop("id", None)
            if old_id is None and table.link is None:
                raise ArchiveError(f"{where}: no id.")
            self._old_id = old_id
            for column, f in fields.items():
                if isinstance(f, models.ForeignKey) and column in values:
                    target = TABLE_OF_MODEL.get(f.related_model)
                    if target is None:
                        continue
                    if table.name == "companies" and column == "parent_id":
                        if values[column] is not None and old_id is not None:
                            self.parents.append((old_id, values[column]))
                        values[column] = None
                        continue
                    values[column] = self.new_id(
                        target, values[column], where=where, nullable=f.null
                    )
            self.adjust(table, values, where)
            if has_workspace:
                values["workspace_id"] = self.workspace.pk
            batch.append(table.model(**values))
            olds.append(old_id if old_id is not None else -count)
            count += 1
            if len(batch) >= BATCH:
                self.flush(table, batch, olds, mapping)
        self.flush(table, batch, olds, mapping)
        if table.link is None:
            self.ids[table.name] = mapping
        self.counts[table.name] = count

    def flush(self, table: Table, batch: list[Any], olds: list[int], mapping: dict) -> None:
        if not batch:
            return
        table.model._base_manager.bulk_create(batch)
        if table.link is None:
            for old, obj in zip(olds, batch, strict=True):
                if old in mapping:
                    raise ArchiveError(f"{csv_name(table.name)} holds the id {old} twice.")
                mapping[old] = obj.pk
        batch.clear()
        olds.clear()

    def adjust(self, table: Table, values: dict[str, Any], where: str) -> None:
        """Remap the ids that live inside values rather than in foreign keys."""
        name = table.name
        if name in self.user_fields and values.get("custom"):
            custom = dict(values["custom"])
            for key in self.user_fields[name]:
                if isinstance(custom.get(key), int):
                    custom[key] = self.new_id("users", custom[key], where=where, nullable=True)
            values["custom"] = custom
        if name == "companies" and values.get("trash_links") and self._old_id is not None:
            self.trash_links.append((self._old_id, values["trash_links"]))
            values["trash_links"] = {}
        if name == "saved_views" and isinstance(values.get("filters"), dict):
            values["filters"] = self.adjust_filters(
                values.get("record_type", ""), values["filters"]
            )
        if name == "imports":
            self.adjust_import(values)
        if name == "import_rows" and values.get("record_id") is not None:
            target = {"contact": "contacts", "company": "companies"}.get(values.get("model", ""))
            if target:
                values["record_id"] = self.ids[target].get(values["record_id"])
        if name == "audit_log":
            target = TABLE_OF_LABEL.get(values.get("object_type", ""))
            if target and str(values.get("object_id", "")).isdigit():
                new = self.ids.get(target, {}).get(int(values["object_id"]))
                if new is not None:
                    values["object_id"] = str(new)
            if values.get("object_type") == "workspaces.workspace":
                values["object_id"] = str(self.workspace.pk)
        if name == "roles" and values.get("key"):
            values["name"] = values.get("name") or values["key"]

    def adjust_filters(self, record_type: str, filters: dict[str, Any]) -> dict[str, Any]:
        """Point a saved view's member, pipeline, stage and company filters at the new ids."""
        user_keys = {f"cf_{key}" for key in self.user_fields.get(record_type, [])}
        conditions = []
        for condition in filters.get("conditions") or []:
            if (
                isinstance(condition, list)
                and len(condition) > 2
                and (condition[0] == "owner" or condition[0] in user_keys)
            ):
                condition = [*condition[:2], self._new_key("users", condition[2]), *condition[3:]]
            conditions.append(condition)
        other = {
            param: self._new_key(OTHER_FILTERS[param], value) if param in OTHER_FILTERS else value
            for param, value in (filters.get("other") or {}).items()
        }
        return {**filters, "conditions": conditions, "other": other}

    def _new_key(self, table: str, value: Any) -> Any:
        """Translate an id kept as text in a filter; "me", "none" and unknown ids stay."""
        if isinstance(value, str) and value.isdigit():
            new = self.ids.get(table, {}).get(int(value))
            return str(new) if new is not None else value
        return value

    def adjust_import(self, values: dict[str, Any]) -> None:
        if values.get("status") in BUSY_STATUSES:
            values["status"] = ImportStatus.FAILED
            values["message"] = "Restored from a workspace export while it was still running."
        entry = self.stored.get(self._old_id)
        values["file_path"] = ""
        if entry is None:
            return
        suffix = PurePosixPath(entry["path"]).suffix
        relative = Path("imports") / str(self.workspace.pk) / f"{uuid.uuid4().hex}{suffix}"
        target = Path(settings.VAR_DIR) / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        self.written_files.append(target)
        with self.archive.open(entry["path"]) as src, target.open("wb") as out:
            while chunk := src.read(1024 * 1024):
                out.write(chunk)
        values["file_path"] = str(relative)

    def after_companies(self) -> None:
        model = TABLE_BY_NAME["companies"].model
        ids = self.ids["companies"]
        for old, old_parent in self.parents:
            parent = self.new_id(
                "companies", old_parent, where=f"companies.csv, company {old}", nullable=True
            )
            model._base_manager.filter(pk=ids[old]).update(parent_id=parent)

    def after_deals(self) -> None:
        model = TABLE_BY_NAME["companies"].model
        for old, links in self.trash_links:
            fixed = dict(links)
            for key, table in (("contacts", "contacts"), ("deals", "deals")):
                if isinstance(links.get(key), list):
                    fixed[key] = [
                        self.ids[table][i] for i in links[key] if i in self.ids.get(table, {})
                    ]
            model._base_manager.filter(pk=self.ids["companies"][old]).update(trash_links=fixed)

    def note_user_fields(self) -> None:
        for definition in CustomField._base_manager.filter(
            workspace=self.workspace, field_type=FieldType.USER
        ):
            self.user_fields.setdefault(definition.record_type, []).append(definition.key)


def workspace_restore(
    *,
    path: Path,
    slug: str,
    name: str = "",
    owner_email: str = "",
    progress: Callable[[str], None] | None = None,
) -> RestoreResult:
    """Create a new workspace from an archive, with new ids, or refuse it and write nothing."""
    slug = slug.strip().lower()
    try:
        validate_slug(slug)
    except ValidationError as exc:
        raise ArchiveError(
            f"The address {slug!r} cannot be used: {' '.join(exc.messages)}"
        ) from None
    if Workspace.objects.filter(slug=slug).exists():
        raise ArchiveError(f"A workspace with the address {slug!r} exists already; choose another.")
    owner = None
    if owner_email:
        owner = User.objects.filter(email__iexact=owner_email.strip()).first()
        if owner is None:
            raise ArchiveError(f"No user with the e-mail {owner_email} on this server.")
    if progress:
        progress("checking the archive")
    manifest = archive_check(path)
    source = manifest.get("workspace") or {}
    name = (name or str(source.get("name") or slug)).strip()[:120]
    options = source.get("settings") or {}
    with _open_zip(path) as archive:
        restorer: _Restorer | None = None
        try:
            with transaction.atomic(), scopes_disabled():
                workspace = Workspace(
                    name=name,
                    slug=slug,
                    default_currency=str(options.get("default_currency") or "USD")[:3],
                    default_country=str(options.get("default_country") or "US")[:2],
                    require_2fa=bool(options.get("require_2fa", False)),
                )
                workspace.save()
                restorer = _Restorer(archive, manifest, workspace)
                restorer.users()
                for table in TABLES:
                    if progress:
                        progress(table.name)
                    restorer.table(table)
                    if table.name == "custom_fields":
                        restorer.note_user_fields()
                    elif table.name == "companies":
                        restorer.after_companies()
                    elif table.name == "deals":
                        restorer.after_deals()
                if owner is not None:
                    _make_owner(workspace, owner)
                audit_write(
                    action=AuditAction.CREATE,
                    actor=Actor.system(workspace),
                    obj=workspace,
                    label="halyard import-workspace",
                    changes={
                        "restored_from": [None, source.get("slug")],
                        "exported_at": [None, manifest.get("exported_at")],
                        "rows": [None, restorer.counts],
                    },
                )
                if progress:
                    progress("search index")
                with scope(workspace=workspace):
                    search_rebuild(workspace, [m for m, _r in SEARCHABLE.values()])
        except ArchiveError:
            _remove(restorer)
            raise
        except DatabaseError as exc:
            _remove(restorer)
            raise ArchiveError(f"The archive's rows do not fit together: {exc}") from None
        except BaseException:
            _remove(restorer)
            raise
    return RestoreResult(
        workspace=workspace,
        counts=restorer.counts,
        created_users=restorer.created_users,
        warnings=restorer.warnings,
        warning_count=restorer.warning_count,
    )


def _make_owner(workspace: Workspace, user: User) -> None:
    role = Role.objects.get(workspace=workspace, key="owner")
    Membership.objects.update_or_create(
        workspace=workspace, user=user, defaults={"role": role, "is_active": True}
    )


def _remove(restorer: _Restorer | None) -> None:
    """Delete the files a failed restore wrote (its rows went with the transaction)."""
    if restorer is None:
        return
    for written in restorer.written_files:
        written.unlink(missing_ok=True)
    for folder in {w.parent for w in restorer.written_files}:
        with contextlib.suppress(OSError):  # not empty: other files live there
            folder.rmdir()
