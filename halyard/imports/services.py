"""Writes of the import wizard: upload, configure, run in chunks, cancel and undo.

Every record is written through the contacts' and companies' own services with an actor whose
source is "import", so validation, permissions, audit and events are theirs.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
import uuid
from collections.abc import Callable, Iterable
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.validators import validate_email
from django.db import DataError, IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from halyard.audit.services import VersionConflict
from halyard.companies.models import Company
from halyard.companies.selectors import duplicates_for_company
from halyard.companies.services import (
    RelatedChoice,
    company_create,
    company_trash,
    company_update,
    domain_normalise,
)
from halyard.contacts.models import Contact
from halyard.contacts.selectors import duplicates_for_contact
from halyard.contacts.services import contact_create, contact_trash, contact_update
from halyard.core.context import Actor, Source
from halyard.core.countries import is_country
from halyard.core.phones import phone_normalise
from halyard.customfields.models import CustomField, FieldType
from halyard.customfields.values import form_field, to_json
from halyard.imports import dates
from halyard.imports import mapping as fields
from halyard.imports.models import (
    ACTIVE_STATUSES,
    BUSY_STATUSES,
    DuplicatePolicy,
    ErrorPolicy,
    Import,
    ImportRow,
    ImportStatus,
    ImportType,
    MappingTemplate,
    RowAction,
)
from halyard.imports.readers import FileUnreadable, read_rows, sniff
from halyard.workspaces import permissions
from halyard.workspaces.models import Membership

MAX_FILE_BYTES = 20 * 1024 * 1024
CHUNK_ROWS = 200
# Files of at least this many rows are written set-based (halyard/imports/bulk.py), a chunk of
# BULK_CHUNK_ROWS at a time; smaller ones go row by row through the record services, where a few
# hundred rows take seconds either way.
BULK_MIN_ROWS = 1000
BULK_CHUNK_ROWS = 2000
ALLOWED_SUFFIXES = {".csv", ".txt", ".tsv", ".xlsx", ".vcf", ".vcard"}
# Failures of one row that become a line of the error report rather than stop the import.
ROW_ERRORS = (ValidationError, PermissionDenied, VersionConflict, DataError, IntegrityError)


def _require_import(actor: Actor, record_type: str) -> None:
    """Refuse members whose role cannot both create and import this record type."""
    if record_type not in ImportType.values:
        raise PermissionDenied(_("This kind of record cannot be imported."))
    permissions.require(actor.membership, record_type, permissions.Action.CREATE)
    permissions.require(actor.membership, record_type, permissions.Action.IMPORT)


def import_dir() -> Path:
    """Return the folder under VAR_DIR where uploads are kept."""
    return Path(settings.VAR_DIR) / "imports"


def import_file_path(job: Import) -> Path:
    """Return the stored upload of an import."""
    return Path(settings.VAR_DIR) / job.file_path


def _store(upload: File, target: Path) -> int:
    """Copy an upload to disk chunk by chunk, refusing it as soon as it passes the limit."""
    size = 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as out:
        for chunk in upload.chunks():
            size += len(chunk)
            if size > MAX_FILE_BYTES:
                out.close()
                target.unlink(missing_ok=True)
                raise ValidationError(
                    {
                        "file": _(
                            "This file is larger than %(limit)s MB. "
                            "Split it and import it in parts."
                        )
                        % {"limit": MAX_FILE_BYTES // (1024 * 1024)}
                    },
                    code="too_large",
                )
            out.write(chunk)
    return size


def import_upload(*, actor: Actor, record_type: str, upload: File) -> Import:
    """Store an uploaded file, read its header row and create the import that will map it."""
    _require_import(actor, record_type)
    name = Path(upload.name or "upload.csv").name[:255]
    suffix = Path(name).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise ValidationError(
            {"file": _("Choose a CSV, Excel (.xlsx) or vCard (.vcf) file.")}, code="file_type"
        )
    relative = Path("imports") / str(actor.workspace.pk) / f"{uuid.uuid4().hex}{suffix}"
    path = Path(settings.VAR_DIR) / relative
    size = _store(upload, path)
    try:
        info = sniff(path)
        if info.file_format == "vcf" and record_type != ImportType.CONTACTS:
            raise FileUnreadable(_("A vCard file holds contacts: import it into Contacts."))
        sheet = info.sheets[0] if info.sheets else ""
        header = _header(path, info.file_format, info.encoding, info.delimiter, sheet)
    except FileUnreadable as exc:
        path.unlink(missing_ok=True)
        raise ValidationError({"file": str(exc)}, code="unreadable") from None
    return Import.objects.create(
        workspace=actor.workspace,
        user=actor.user,
        record_type=record_type,
        file_name=name,
        file_path=str(relative),
        file_size=size,
        file_format=info.file_format,
        encoding=info.encoding,
        delimiter=info.delimiter,
        sheet=sheet,
        headers=header,
        options={"sheets": info.sheets},
    )


def _header(path: Path, file_format: str, encoding: str, delimiter: str, sheet: str) -> list[str]:
    rows = read_rows(
        path, file_format=file_format, encoding=encoding, delimiter=delimiter, sheet=sheet
    )
    header = next(rows, None)
    if not header:
        raise FileUnreadable(_("This file has no rows."))
    if next(rows, None) is None:
        raise FileUnreadable(_("This file has a header row but no data rows under it."))
    return [cell[:200] for cell in header]


def import_choose_sheet(*, actor: Actor, job: Import, sheet: str) -> Import:
    """Read another sheet of an Excel import and take its header row."""
    _require_import(actor, job.record_type)
    if job.status != ImportStatus.UPLOADED or sheet not in job.options.get("sheets", []):
        raise ValidationError({"sheet": _("Choose one of the sheets of this file.")})
    try:
        header = _header(import_file_path(job), job.file_format, "", "", sheet)
    except FileUnreadable as exc:
        raise ValidationError({"sheet": str(exc)}, code="unreadable") from None
    job.sheet, job.headers, job.mapping = sheet, header, {}
    job.save(update_fields=["sheet", "headers", "mapping"])
    return job


def custom_definitions(record_type: str) -> list[CustomField]:
    """Return the custom fields of a record type in the active workspace."""
    return list(CustomField.objects.filter(record_type=record_type))


def import_configure(
    *,
    actor: Actor,
    job: Import,
    mapping: dict[str, str],
    duplicates: str,
    errors: str,
    template_name: str = "",
    on_commit: Callable[[int], None] | None = None,
) -> Import:
    """Set the mapping and policies, save the mapping as a template if named, and queue the run."""
    _require_import(actor, job.record_type)
    if job.status != ImportStatus.UPLOADED:
        raise ValidationError(_("This import has already been started."), code="started")
    known = {
        k
        for k, _label in fields.field_choices(job.record_type, custom_definitions(job.record_type))
    }
    clean: dict[str, str] = {}
    used: set[str] = set()
    for column, field in mapping.items():
        if not field:
            continue
        if field not in known or not column.isdigit() or int(column) >= len(job.headers):
            raise ValidationError({"mapping": _("Choose a field from the list.")})
        if field in used:
            raise ValidationError(
                {"mapping": _("Two columns are mapped to the same field.")}, code="mapped_twice"
            )
        used.add(field)
        clean[column] = field
    required = {"contacts": {"last_name", "full_name"}, "companies": {"name"}}[job.record_type]
    updating = duplicates == DuplicatePolicy.UPDATE and used & {"email", "phone", "domain"}
    if not used & required and not updating:
        message = {
            "contacts": _("Map a column to “Last name” or “Full name”: every contact needs one."),
            "companies": _("Map a column to “Name”: every company needs one."),
        }[job.record_type]
        raise ValidationError({"mapping": message}, code="required")
    if duplicates not in DuplicatePolicy.values or errors not in ErrorPolicy.values:
        raise ValidationError(_("Choose what happens to duplicates and to rows with errors."))
    with transaction.atomic():
        if template_name.strip():
            mapping_template_save(
                actor=actor,
                record_type=job.record_type,
                name=template_name,
                mapping={fields.header_key(job.headers[int(c)]): f for c, f in clean.items()},
            )
        job.mapping = clean
        job.options = {**job.options, "duplicates": duplicates, "errors": errors}
        job.status = ImportStatus.QUEUED
        job.save(update_fields=["mapping", "options", "status"])
        if on_commit is not None:
            pk = job.pk
            transaction.on_commit(lambda: on_commit(pk))
    return job


def mapping_template_save(
    *, actor: Actor, record_type: str, name: str, mapping: dict[str, str]
) -> MappingTemplate:
    """Save (or replace) a named mapping of header names to fields."""
    _require_import(actor, record_type)
    template, _created = MappingTemplate.objects.update_or_create(
        workspace=actor.workspace,
        record_type=record_type,
        name=name.strip()[:80],
        defaults={"mapping": mapping, "created_by": actor.user},
    )
    return template


def import_cancel(*, actor: Actor, job: Import) -> Import:
    """Ask the worker to stop after the chunk it is writing; a queued import stops at once."""
    _require_import(actor, job.record_type)
    with transaction.atomic():
        current = Import.objects.select_for_update().get(pk=job.pk)
        if current.status == ImportStatus.UPLOADED or current.status == ImportStatus.QUEUED:
            current.status = ImportStatus.CANCELLED
            current.finished_at = timezone.now()
            transaction.on_commit(lambda: discard_file(current))
        elif current.status == ImportStatus.RUNNING:
            current.cancel_requested = True
        current.save(update_fields=["status", "finished_at", "cancel_requested"])
    return current


# --- Running -----------------------------------------------------------------------------------


@dataclasses.dataclass
class Outcome:
    """What one row did: its log rows and which counter it moves."""

    action: str
    rows: list[ImportRow]


def _cell_values(job: Import, cells: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for column, field in job.mapping.items():
        index = int(column)
        text = cells[index].strip() if index < len(cells) else ""
        if text:
            values[field] = text
    return values


def _is_cjk(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" for ch in text)


def split_full_name(text: str, country: str) -> tuple[str, str, str]:
    """Return (first, middle, last) of a full name, in the order the name's script uses."""
    text = " ".join(text.split())
    if _is_cjk(text) and " " not in text:
        return text[1:], "", text[:1]  # one-character family names are by far the most common
    words = text.split(" ")
    if len(words) == 1:
        return "", "", words[0]
    if _is_cjk(text) or (country or "").upper() == "VN":
        # Vietnamese and Chinese put the family name first: "Nguyễn Văn An".
        return words[-1], " ".join(words[1:-1]), words[0]
    return words[0], " ".join(words[1:-1]), words[-1]


def _check_lengths(model: type[models.Model], values: dict[str, Any]) -> None:
    """Refuse text longer than its column, naming the field."""
    for name, value in values.items():
        if not isinstance(value, str):
            continue
        try:
            field = model._meta.get_field(name)
        except Exception:  # noqa: S112 - not a model field (e.g. "company" given by name)
            continue
        limit = getattr(field, "max_length", None)
        if limit and len(value) > limit:
            raise ValidationError(
                _("%(field)s is longer than %(limit)s characters.")
                % {"field": str(getattr(field, "verbose_name", name)).capitalize(), "limit": limit}
            )


def _custom_values(
    definitions: list[CustomField],
    data: dict[str, str],
    date_order: Callable[[CustomField], str] | None = None,
) -> dict[str, Any]:
    custom: dict[str, Any] = {}
    for definition in definitions:
        raw = data.pop(f"{fields.CUSTOM_PREFIX}{definition.key}", None)
        if raw is None:
            continue
        field = form_field(definition)
        value: Any = (
            [v.strip() for v in raw.split(";") if v.strip()]
            if definition.field_type == "multi_select"
            else raw
        )
        try:
            if raw.strip() and definition.field_type == FieldType.DATE:
                order = date_order(definition) if date_order is not None else dates.DMY
                value = dates.parse_date_cell(raw, order)
            elif raw.strip() and definition.field_type == FieldType.NUMBER and THOUSANDS.match(raw):
                sign = "-" if raw.strip().startswith("-") else ""
                value = sign + re.sub(r"\D", "", raw)  # "1.200" in a whole-number column: 1200
            elif raw.strip() and definition.field_type in NUMERIC_TYPES:
                value = _decimal(raw)  # "1.234,5", "1,234.5", "1 234" as written anywhere
            custom[definition.key] = to_json(definition, field.clean(value))
        except ValidationError as exc:
            raise ValidationError(
                f"{definition.label}: {' '.join(exc.messages)}", code="custom_invalid"
            ) from None
    return custom


NUMERIC_TYPES = {FieldType.NUMBER, FieldType.DECIMAL, FieldType.CURRENCY}
# A whole number written with thousands separators of any locale: 1,200 / 1.200 / 1 200 / 1'200.
THOUSANDS = re.compile(r"^\s*-?\d{1,3}(?:[.,\s\u00a0\u202f']\d{3})+\s*$")


def _decimal(text: str) -> Decimal:
    """Parse an amount written with any locale's separators ("1.234,5", "1,234.5", "1 234")."""
    cleaned = re.sub(r"[^\d,.\-]", "", text)
    if "," in cleaned and "." in cleaned:
        decimal_mark = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        cleaned = cleaned.replace(thousands, "").replace(decimal_mark, ".")
    elif cleaned.count(",") == 1 and len(cleaned.split(",")[1]) != 3:
        cleaned = cleaned.replace(",", ".")
    else:
        cleaned = cleaned.replace(",", "")
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        raise ValidationError(
            _("“%(value)s” is not an amount.") % {"value": text}, code="amount_invalid"
        ) from None


def _messages(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return " ".join(m for msgs in exc.message_dict.values() for m in msgs)
        return " ".join(exc.messages)
    if isinstance(exc, DataError | IntegrityError):
        return _("A value is too long or not of the right kind.")
    return str(exc)


class RowContext:
    """What every row of one run shares: the actor, the job and its policies."""

    def __init__(self, actor: Actor, job: Import) -> None:
        self.actor = actor
        self.job = job
        self.policy = job.options.get("duplicates", DuplicatePolicy.SKIP)
        self.country = actor.workspace.default_country
        self.custom = custom_definitions(job.record_type)
        self.date_orders: dict[str, str] = {}
        # Companies found or made by name in this run: most files name the same few many times.
        self.companies: dict[str, Company] = {}
        self.bulk = False  # write chunks set-based (see BULK_MIN_ROWS)

    def date_order(self, definition: CustomField) -> str:
        """Return day-first or month-first for a date column, read once off its first rows."""
        if definition.key not in self.date_orders:
            from halyard.imports.columns import column_profiles

            key = f"{fields.CUSTOM_PREFIX}{definition.key}"
            column = next((c for c, f in self.job.mapping.items() if f == key), None)
            values: list[str] = []
            if column is not None and column.isdigit():
                values = column_profiles(self.job)[int(column)].values
            self.date_orders[definition.key] = dates.date_order(
                values, dates.default_order(self.country)
            )
        return self.date_orders[definition.key]

    def log(self, number: int, model: str, action: str, **extra: Any) -> ImportRow:
        return ImportRow(
            workspace=self.actor.workspace,
            job=self.job,
            row_number=number,
            model=model,
            action=action,
            **extra,
        )

    def in_file(self, model: str, record_id: int) -> int | None:
        """Return the row of this import that created the record, if one did."""
        return (
            ImportRow.objects.filter(
                job=self.job, model=model, record_id=record_id, action=RowAction.CREATED
            )
            .values_list("row_number", flat=True)
            .first()
        )

    def duplicate_note(self, model: str, record: Any) -> str:
        row = self.in_file(model, record.pk)
        if row is not None:
            return _("Same as row %(row)s of this file.") % {"row": row}
        return _("Already in Halyard: %(name)s.") % {"name": str(record)}


def _company_for_name(ctx: RowContext, number: int, name: str) -> tuple[Company, list[ImportRow]]:
    """Find a live company by name, or create it (logged so undo removes it)."""
    key = name.casefold()
    found = ctx.companies.get(key)
    if found is None:
        found = Company.objects.alive().filter(name__iexact=name).order_by("id").first()
    if found is not None:
        ctx.companies[key] = found
        return found, []
    _check_lengths(Company, {"name": name})
    company = company_create(actor=ctx.actor, values={"name": name})
    ctx.companies[key] = company  # _commit_chunk forgets it if the row's savepoint rolls back
    return company, [ctx.log(number, "company", RowAction.CREATED, record_id=company.pk)]


def _write(
    ctx: RowContext,
    number: int,
    model: str,
    existing: Any,
    values: dict[str, Any],
    create: Callable[..., Any],
    update: Callable[..., Any],
    arg: str,
    cells: list[str],
    extra: list[ImportRow],
) -> Outcome:
    """Create the record, or apply the policy to the duplicate `existing`."""
    if existing is None or ctx.policy == DuplicatePolicy.CREATE:
        record = create(actor=ctx.actor, values=values)
        return Outcome(
            RowAction.CREATED,
            [*extra, ctx.log(number, model, RowAction.CREATED, record_id=record.pk)],
        )
    if ctx.policy == DuplicatePolicy.SKIP:
        note = ctx.duplicate_note(model, existing)
        return Outcome(
            RowAction.SKIPPED,
            [
                *extra,
                ctx.log(
                    number,
                    model,
                    RowAction.SKIPPED,
                    record_id=existing.pk,
                    error=note,
                    values=cells,
                ),
            ],
        )
    if values.get("custom"):
        values["custom"] = {**(existing.custom or {}), **values["custom"]}
    before: dict[str, Any] = {}
    for name in values:
        if name == "company":
            before[name] = existing.company_id
        else:
            before[name] = getattr(existing, name)
            if isinstance(before[name], Decimal):
                before[name] = str(before[name])
    version = existing.version
    record = update(actor=ctx.actor, expected_version=version, values=values, **{arg: existing})
    if record.version == version:
        note = _("Nothing to change.")
        return Outcome(
            RowAction.SKIPPED,
            [
                *extra,
                ctx.log(
                    number, model, RowAction.SKIPPED, record_id=record.pk, error=note, values=cells
                ),
            ],
        )
    return Outcome(
        RowAction.UPDATED,
        [*extra, ctx.log(number, model, RowAction.UPDATED, record_id=record.pk, before=before)],
    )


def contact_row_values(ctx: RowContext, cells: list[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Parse, validate and normalise one contact row; return its cleaned data and values.

    `values` is what the contact service receives, with the company still given by name under
    "company"; both import paths use this, so their rules and messages are the same.
    """
    data = _cell_values(ctx.job, cells)
    custom = _custom_values(ctx.custom, data, ctx.date_order)
    if full := data.pop("full_name", ""):
        first, middle, last = split_full_name(full, ctx.country)
        data.setdefault("first_name", first)
        data.setdefault("last_name", last)
        if middle:
            data.setdefault("middle_name", middle)
    if email := data.get("email"):
        data["email"] = email.lower()
        try:
            validate_email(data["email"])
        except ValidationError:
            raise ValidationError(
                _("“%(value)s” is not a valid e-mail address.") % {"value": email}
            ) from None
    if phone := data.get("phone"):
        data["phone"] = phone_normalise(phone, ctx.country)
    if country := data.get("country"):
        if not is_country(country):
            raise ValidationError(
                _("“%(value)s” is not a two-letter country code such as VN.") % {"value": country}
            )
        data["country"] = country.upper()
    _check_lengths(Contact, data)
    values: dict[str, Any] = dict(data)
    if custom:
        values["custom"] = custom
    return data, values


def _contact_row(ctx: RowContext, number: int, cells: list[str]) -> Outcome:
    data, values = contact_row_values(ctx, cells)
    company_name = values.pop("company", "")
    extra: list[ImportRow] = []
    company: Company | None = None
    if company_name:
        company, extra = _company_for_name(ctx, number, company_name)
        values["company"] = company
    existing: Contact | None = None
    if data.get("email") or data.get("phone"):
        found = duplicates_for_contact(
            emails=[data.get("email", "")], phones=[data.get("phone", "")]
        )
        existing = found[0] if found else None
    if existing is None and company is not None and not extra:
        existing = (
            Contact.objects.alive()
            .filter(
                company=company,
                first_name__iexact=data.get("first_name", ""),
                last_name__iexact=data.get("last_name", ""),
            )
            .order_by("id")
            .first()
        )
    if (existing is None or ctx.policy == DuplicatePolicy.CREATE) and not data.get("last_name"):
        raise ValidationError(_("The last name is empty: every contact needs one."))
    return _write(
        ctx,
        number,
        "contact",
        existing,
        values,
        contact_create,
        contact_update,
        "contact",
        cells,
        extra,
    )


def company_row_values(ctx: RowContext, cells: list[str]) -> dict[str, Any]:
    """Parse, validate and normalise one company row into the values the service receives."""
    data: dict[str, Any] = _cell_values(ctx.job, cells)
    custom = _custom_values(ctx.custom, data, ctx.date_order)
    if not data.get("domain") and data.get("website"):
        with contextlib.suppress(ValidationError):
            data["domain"] = domain_normalise(data["website"])
    if data.get("website") and "://" not in data["website"]:
        data["website"] = f"https://{data['website']}"
    if revenue := data.get("annual_revenue"):
        data["annual_revenue"] = _decimal(revenue)
    _check_lengths(Company, data)
    if custom:
        data["custom"] = custom
    return data


def _company_row(ctx: RowContext, number: int, cells: list[str]) -> Outcome:
    data = company_row_values(ctx, cells)
    existing: Company | None = None
    if data.get("domain"):
        found = duplicates_for_company(domains=[domain_normalise(data["domain"])])
        existing = found[0] if found else None
    if existing is None and data.get("name"):
        existing = Company.objects.alive().filter(name__iexact=data["name"]).order_by("id").first()
    if (existing is None or ctx.policy == DuplicatePolicy.CREATE) and not data.get("name"):
        raise ValidationError(_("The name is empty: every company needs one."))
    return _write(
        ctx, number, "company", existing, data, company_create, company_update, "company", cells, []
    )


ROW_WRITERS = {"contacts": _contact_row, "companies": _company_row}


def _rows(job: Import) -> Iterable[tuple[int, list[str]]]:
    rows = read_rows(
        import_file_path(job),
        file_format=job.file_format,
        encoding=job.encoding,
        delimiter=job.delimiter,
        sheet=job.sheet,
    )
    next(rows, None)  # the header
    return enumerate(rows, start=1)


_COUNTERS: dict[str, str] = {
    RowAction.CREATED: "created_count",
    RowAction.UPDATED: "updated_count",
    RowAction.SKIPPED: "skipped_count",
    RowAction.FAILED: "failed_count",
}
_PROGRESS_FIELDS = [
    "position",
    "status",
    "finished_at",
    "message",
    "heartbeat_at",
    *_COUNTERS.values(),
]
# An active import whose worker has not committed a chunk for this long is queued again.
STALE_AFTER_SECONDS = 300


class Superseded(Exception):
    """Another worker moved this import on (a redelivered task); this one stops quietly."""


def _commit_chunk(ctx: RowContext, chunk: list[tuple[int, list[str]]]) -> bool:
    """Write a chunk of rows; when it stops the import, let go of the upload."""
    stop = _write_chunk(ctx, chunk)
    if stop:
        discard_file(ctx.job)
    return stop


def _row_outcomes(ctx: RowContext, chunk: list[tuple[int, list[str]]]) -> list[tuple[int, Outcome]]:
    """Write rows one by one through the record services, each in its own savepoint.

    The log rows of written records are saved here; those of failed rows are returned unsaved.
    Under the "stop" policy the rows after the first failure are left alone.
    """
    writer = ROW_WRITERS[ctx.job.record_type]
    stop_on_error = ctx.job.options.get("errors") == ErrorPolicy.STOP
    outcomes: list[tuple[int, Outcome]] = []
    for number, cells in chunk:
        known = dict(ctx.companies)
        try:
            with transaction.atomic():
                outcome = writer(ctx, number, cells)
                ImportRow.objects.bulk_create(outcome.rows)
                outcome.rows = []
        except ROW_ERRORS as exc:
            ctx.companies = known  # forget a company its rolled-back row created
            outcome = Outcome(
                RowAction.FAILED,
                [ctx.log(number, "", RowAction.FAILED, values=cells, error=_messages(exc))],
            )
        outcomes.append((number, outcome))
        if outcome.action == RowAction.FAILED and stop_on_error:
            break
    return outcomes


def _bulk_outcomes(
    ctx: RowContext, chunk: list[tuple[int, list[str]]]
) -> list[tuple[int, Outcome]] | None:
    """Write a chunk set-based; None if the database refused it (the row path isolates the row)."""
    from halyard.imports import bulk

    known = dict(ctx.companies)
    try:
        with transaction.atomic():
            return bulk.WRITERS[ctx.job.record_type](ctx, chunk)
    except (DataError, IntegrityError, PermissionDenied):
        ctx.companies = known
        return None


def _write_chunk(ctx: RowContext, chunk: list[tuple[int, list[str]]]) -> bool:
    """Write a chunk of rows and the new position in one transaction; say whether to stop."""
    job = ctx.job
    stop = False
    with transaction.atomic():
        locked = Import.objects.select_for_update().get(pk=job.pk)
        if locked.position != job.position or locked.status != ImportStatus.RUNNING:
            raise Superseded
        outcomes = _bulk_outcomes(ctx, chunk) if ctx.bulk else None
        if outcomes is None:
            outcomes = _row_outcomes(ctx, chunk)
        logs: list[ImportRow] = []
        for number, outcome in outcomes:
            logs.extend(outcome.rows)
            counter = _COUNTERS[outcome.action]
            setattr(job, counter, getattr(job, counter) + 1)
            job.position = number
            if outcome.action == RowAction.FAILED and job.options.get("errors") == ErrorPolicy.STOP:
                job.status = ImportStatus.STOPPED
                job.finished_at = timezone.now()
                job.message = _("Stopped at row %(row)s: %(reason)s") % {
                    "row": number,
                    "reason": outcome.rows[-1].error,
                }
                stop = True
                break
        if ctx.bulk:
            from halyard.imports import bulk

            bulk.save_logs(logs)
        else:
            ImportRow.objects.bulk_create(logs)
        job.heartbeat_at = timezone.now()
        job.save(update_fields=_PROGRESS_FIELDS)
    return stop


def _count_rows(job: Import) -> int:
    return sum(1 for _row in _rows(job))


def import_process(import_id: int) -> None:
    """Run (or resume) an import from its last committed row to the end of the file."""
    with scopes_disabled():
        job = Import.objects.select_related("workspace", "user").filter(pk=import_id).first()
    if job is None or job.status not in ACTIVE_STATUSES:
        return
    with scope(workspace=job.workspace):
        membership = (
            Membership.objects.select_related("role")
            .filter(workspace=job.workspace, user=job.user, is_active=True)
            .first()
        )
        if membership is None:
            _finish(job, ImportStatus.FAILED, _("The person who started this import has left."))
            return
        actor = Actor(
            workspace=job.workspace, user=job.user, membership=membership, source=Source.IMPORT
        )
        job.status = ImportStatus.RUNNING
        job.started_at = job.started_at or timezone.now()
        job.heartbeat_at = timezone.now()
        job.save(update_fields=["status", "started_at", "heartbeat_at"])
        try:
            if job.total_rows is None:
                job.total_rows = _count_rows(job)
                job.save(update_fields=["total_rows"])
            ctx = RowContext(actor, job)
            ctx.bulk = job.total_rows >= BULK_MIN_ROWS
            _run(ctx)
        except Superseded:
            return
        except FileUnreadable as exc:
            _finish(job, ImportStatus.FAILED, str(exc))


def _run(ctx: RowContext) -> None:
    job = ctx.job
    chunk: list[tuple[int, list[str]]] = []
    for number, cells in _rows(job):
        if number <= job.position:
            continue
        chunk.append((number, cells))
        if len(chunk) < (BULK_CHUNK_ROWS if ctx.bulk else CHUNK_ROWS):
            continue
        if _commit_chunk(ctx, chunk):
            return
        chunk = []
        if Import.objects.filter(pk=job.pk, cancel_requested=True).exists():
            _finish(job, ImportStatus.CANCELLED)
            return
    if chunk and _commit_chunk(ctx, chunk):
        return
    _finish(job, ImportStatus.DONE)


def stale_imports() -> list[int]:
    """Return the active imports whose worker stopped moving them (crashed or restarted)."""
    limit = timezone.now() - timedelta(seconds=STALE_AFTER_SECONDS)
    with scopes_disabled():
        return list(
            Import.objects.filter(status__in=BUSY_STATUSES)
            .filter(models.Q(heartbeat_at__lt=limit) | models.Q(heartbeat_at__isnull=True))
            .filter(created_at__lt=limit)
            .values_list("pk", flat=True)[:100]
        )


def _finish(job: Import, status: str, message: str = "") -> None:
    job.status = status
    job.message = message
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "message", "finished_at"])
    discard_file(job)


def discard_file(job: Import) -> None:
    """Delete a finished import's upload: the report and undo need only its log rows."""
    import_file_path(job).unlink(missing_ok=True)


def time_left(job: Import) -> float | None:
    """Return the estimated seconds until the import finishes, once some rows are done."""
    if job.status != ImportStatus.RUNNING or not job.started_at or not job.total_rows:
        return None
    done = job.position
    if not done:
        return None
    elapsed = (timezone.now() - job.started_at).total_seconds()
    return max(0.0, elapsed / done * (job.total_rows - done))


# --- Undo --------------------------------------------------------------------------------------


def _restore_values(model: str, before: dict[str, Any]) -> dict[str, Any]:
    values = dict(before)
    if model == "contact" and "company" in values:
        company_id = values.pop("company")
        values["company"] = (
            Company.objects.alive().filter(pk=company_id).first() if company_id else None
        )
    if model == "company" and values.get("annual_revenue") is not None:
        values["annual_revenue"] = Decimal(values["annual_revenue"])
    return values


UNDO_MODELS: dict[str, type[Contact] | type[Company]] = {"contact": Contact, "company": Company}


def import_undo(
    *, actor: Actor, job: Import, on_commit: Callable[[int], None] | None = None
) -> Import:
    """Queue the undo of an import: created records to the trash, updated ones restored."""
    _require_import(actor, job.record_type)
    with transaction.atomic():
        current = Import.objects.select_for_update().get(pk=job.pk)
        if current.status in (*BUSY_STATUSES, ImportStatus.UPLOADED, ImportStatus.UNDONE):
            raise ValidationError(
                _("Only a finished, stopped or cancelled import can be undone."),
                code="not_undoable",
            )
        current.status = ImportStatus.UNDOING
        current.undone_by = actor.user
        current.heartbeat_at = timezone.now()
        current.save(update_fields=["status", "undone_by", "heartbeat_at"])
        if on_commit is not None:
            pk = current.pk
            transaction.on_commit(lambda: on_commit(pk))
    return current


def _undo_row(actor: Actor, row: ImportRow) -> None:
    record = UNDO_MODELS[row.model].objects.filter(pk=row.record_id).first()
    if record is None or record.deleted_at is not None:
        return
    if row.action == RowAction.CREATED:
        if isinstance(record, Contact):
            contact_trash(actor=actor, contact=record)
        else:
            company_trash(actor=actor, company=record, related=RelatedChoice.KEEP)
    elif isinstance(record, Contact):
        contact_update(
            actor=actor,
            contact=record,
            expected_version=record.version,
            values=_restore_values("contact", row.before),
        )
    else:
        company_update(
            actor=actor,
            company=record,
            expected_version=record.version,
            values=_restore_values("company", row.before),
        )


def import_undo_process(import_id: int) -> None:
    """Undo an import in chunks, newest row first; a restarted worker carries on."""
    with scopes_disabled():
        job = Import.objects.select_related("workspace", "undone_by").filter(pk=import_id).first()
    if job is None or job.status != ImportStatus.UNDOING:
        return
    with scope(workspace=job.workspace):
        membership = (
            Membership.objects.select_related("role")
            .filter(workspace=job.workspace, user=job.undone_by, is_active=True)
            .first()
        )
        actor = Actor(
            workspace=job.workspace,
            user=job.undone_by,
            membership=membership,
            source=Source.IMPORT,
        )
        pending = ImportRow.objects.filter(
            job=job, undone=False, action__in=[RowAction.CREATED, RowAction.UPDATED]
        ).order_by("-id")
        problems = 0
        while True:
            with transaction.atomic():
                locked = Import.objects.select_for_update().get(pk=job.pk)
                if locked.status != ImportStatus.UNDOING:
                    return
                chunk = list(pending[:CHUNK_ROWS])
                if not chunk:
                    break
                for row in chunk:
                    try:
                        with transaction.atomic():
                            _undo_row(actor, row)
                    except ROW_ERRORS as exc:
                        problems += 1
                        row.error = _messages(exc)
                    row.undone = True
                ImportRow.objects.bulk_update(chunk, ["undone", "error"])
                Import.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now())
        job.status = ImportStatus.UNDONE
        job.undone_at = timezone.now()
        job.message = (
            _("%(count)s records could not be put back; they changed too much since.")
            % {"count": problems}
            if problems
            else ""
        )
        job.save(update_fields=["status", "undone_at", "message"])


def import_work(import_id: int) -> None:
    """Move an import on: run it, or undo it, whichever its status asks for."""
    with scopes_disabled():
        status = Import.objects.filter(pk=import_id).values_list("status", flat=True).first()
    if status == ImportStatus.UNDOING:
        import_undo_process(import_id)
    else:
        import_process(import_id)
