"""Writes on duplicates: storing a scan's pairs, dismissing a pair, merging and unmerging."""

from __future__ import annotations

import datetime
import logging
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope

from halyard.audit.models import AuditAction
from halyard.audit.services import audit_write, field_changes, record_restore, record_trash
from halyard.companies.models import Company, CompanyDomain
from halyard.contacts.models import Contact, ContactEmail, ContactPhone
from halyard.core.context import Actor
from halyard.core.events import event_record
from halyard.core.models import Record
from halyard.customfields.models import CustomField
from halyard.duplicates.models import (
    DuplicatePair,
    DuplicateScan,
    MergeRecord,
    PairStatus,
    RecordType,
    ScanStatus,
)
from halyard.duplicates.scan import scan_records
from halyard.leads.models import Lead
from halyard.search.services import search_sync
from halyard.workspaces import permissions
from halyard.workspaces.models import Workspace

log = logging.getLogger(__name__)


def _field(model: Any, name: str) -> models.Field:
    """Return a concrete field of a model (typed: the caller names only concrete fields)."""
    return cast(models.Field, model._meta.get_field(name))


MODELS: dict[str, type[Record]] = {
    RecordType.CONTACTS: Contact,
    RecordType.COMPANIES: Company,
    RecordType.LEADS: Lead,
}
MAX_MERGE = 10  # records merged at once

# The fields a person chooses between, per record type (one radio per field that differs).
CHOSEN_FIELDS: dict[str, tuple[str, ...]] = {
    RecordType.CONTACTS: (
        "prefix",
        "first_name",
        "middle_name",
        "last_name",
        "title",
        "department",
        "company",
        "company_since",
        "street",
        "city",
        "region",
        "postal_code",
        "country",
        "birthday",
        "language",
        "lifecycle_stage",
        "lead_source",
        "owner",
    ),
    RecordType.COMPANIES: (
        "name",
        "industry",
        "size",
        "annual_revenue",
        "revenue_currency",
        "phone",
        "website",
        "parent",
        "street",
        "city",
        "region",
        "postal_code",
        "country",
        "shipping_street",
        "shipping_city",
        "shipping_region",
        "shipping_postal_code",
        "shipping_country",
        "owner",
    ),
    RecordType.LEADS: (
        "first_name",
        "last_name",
        "company_name",
        "title",
        "email",
        "phone",
        "website",
        "status",
        "lead_source",
        "score",
        "description",
        "owner",
    ),
}
# Consents are united: when any of the records says "do not e-mail", the survivor says it too.
CONSENTS: dict[str, tuple[tuple[str, ...], ...]] = {
    RecordType.CONTACTS: (
        ("do_not_email", "do_not_email_at", "do_not_email_source"),
        ("do_not_call", "do_not_call_at", "do_not_call_source"),
    ),
}
# Child rows that are united (copied onto the survivor), not moved: the losers keep theirs.
CHILD_ROWS: dict[str, tuple[tuple[type[models.Model], str, str, tuple[str, ...]], ...]] = {
    # (model, foreign key, value field, other fields kept)
    RecordType.CONTACTS: (
        (ContactEmail, "contact_id", "email", ()),
        (ContactPhone, "contact_id", "number", ("kind",)),
    ),
    RecordType.COMPANIES: ((CompanyDomain, "company_id", "domain", ()),),
    RecordType.LEADS: (),
}
# The record's column that holds the primary child value (Contact.email …).
PRIMARY_COLUMN: dict[Any, str] = {
    ContactEmail: "email",
    ContactPhone: "phone",
    CompanyDomain: "domain",
}
COPIED: set[Any] = {ContactEmail, ContactPhone, CompanyDomain}


# ---------------------------------------------------------------------------------------------
# Scanning


def duplicates_scan_request(*, actor: Actor) -> DuplicateScan:
    """Queue a scan of the actor's workspace (or return the one already queued or running)."""
    if actor.membership is not None and not any(
        permissions.can(actor.membership, module, "edit") for module in RecordType.values
    ):
        raise PermissionDenied(_("Your role does not allow this."))
    recent = timezone.now() - datetime.timedelta(hours=1)
    with transaction.atomic():
        running = (
            DuplicateScan.objects.select_for_update()
            .filter(status__in=[ScanStatus.QUEUED, ScanStatus.RUNNING], created_at__gte=recent)
            .first()
        )
        if running is not None:
            return running
        scan = DuplicateScan.objects.create(workspace=actor.workspace, started_by=actor.user)
        transaction.on_commit(lambda: _enqueue(scan.pk))
    return scan


def _enqueue(scan_id: int) -> None:
    from halyard.duplicates.jobs import run_scan

    try:
        run_scan.delay(scan_id)
    except Exception:  # a broker hiccup must not fail the page; the scan stays queued
        log.warning("duplicate scan %s not queued", scan_id)


def duplicates_scan(
    *,
    workspace: Workspace,
    record_types: list[str] | None = None,
    scan: DuplicateScan | None = None,
) -> DuplicateScan:
    """Scan a workspace for likely duplicates and store the pairs; re-scans update them."""
    with scope(workspace=workspace):
        if scan is None:
            scan = DuplicateScan.objects.create(workspace=workspace)
        scan.status = ScanStatus.RUNNING
        scan.started_at = timezone.now()
        scan.save(update_fields=["status", "started_at"])
        try:
            for record_type in record_types or list(RecordType.values):
                began = time.monotonic()
                result = scan_records(workspace_id=workspace.pk, record_type=record_type)
                new, updated, removed = _store(workspace, record_type, result.pairs, result.scores)
                scan.counts[record_type] = {
                    "records": result.records,
                    "pairs": len(result.pairs),
                    "new": new,
                    "updated": updated,
                    "removed": removed,
                    "skipped_blocks": result.skipped_blocks,
                    "seconds": round(time.monotonic() - began, 2),
                }
        except Exception as exc:
            scan.status = ScanStatus.FAILED
            scan.error = str(exc)[:2000]
            scan.finished_at = timezone.now()
            scan.save(update_fields=["status", "error", "finished_at", "counts"])
            raise
        scan.status = ScanStatus.DONE
        scan.finished_at = timezone.now()
        scan.save(update_fields=["status", "finished_at", "counts"])
    return scan


def _store(
    workspace: Workspace,
    record_type: str,
    found: dict[tuple[int, int], list[dict[str, Any]]],
    scores: dict[tuple[int, int], int],
) -> tuple[int, int, int]:
    """Create new pairs, update known ones (status kept), drop open pairs no longer found."""
    now = timezone.now()
    existing = {
        (first, second): (pk, score, reasons, status)
        for pk, first, second, score, reasons, status in DuplicatePair.objects.filter(
            record_type=record_type
        )
        .values_list("pk", "first_id", "second_id", "score", "reasons", "status")
        .iterator(chunk_size=5000)
    }
    new: list[DuplicatePair] = []
    changed: list[DuplicatePair] = []
    for pair, reasons in found.items():
        known = existing.pop(pair, None)
        if known is None:
            new.append(
                DuplicatePair(
                    workspace=workspace,
                    record_type=record_type,
                    first_id=pair[0],
                    second_id=pair[1],
                    score=scores[pair],
                    reasons=reasons,
                    found_at=now,
                    scanned_at=now,
                )
            )
        elif known[1] != scores[pair] or known[2] != reasons:
            changed.append(
                DuplicatePair(pk=known[0], score=scores[pair], reasons=reasons, scanned_at=now)
            )
    stale = [pk for pk, _score, _reasons, status in existing.values() if status == PairStatus.OPEN]
    with transaction.atomic():
        # A scan started from the command line beside the button's: the later one skips rows.
        DuplicatePair.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
        DuplicatePair.objects.bulk_update(
            changed, ["score", "reasons", "scanned_at"], batch_size=1000
        )
        for start in range(0, len(stale), 1000):
            DuplicatePair.objects.filter(pk__in=stale[start : start + 1000]).delete()
    return len(new), len(changed), len(stale)


def pair_dismiss(*, actor: Actor, pair: DuplicatePair) -> DuplicatePair:
    """Mark a pair "not a duplicate"; later scans leave it so."""
    model = MODELS[pair.record_type]
    if actor.membership is not None:
        for pk in (pair.first_id, pair.second_id):
            record = model._base_manager.filter(workspace=actor.workspace, pk=pk).first()
            if record is not None:
                permissions.require_touch(actor.membership, model.module, "edit", record)
    with transaction.atomic():
        pair.status = PairStatus.DISMISSED
        pair.decided_at = timezone.now()
        pair.decided_by = actor.user
        pair.save(update_fields=["status", "decided_at", "decided_by"])
    return pair


# ---------------------------------------------------------------------------------------------
# Merging


@dataclass
class MergeField:
    """One field of the merge page: its label, each record's value, and whether they differ."""

    name: str
    label: str
    values: list[tuple[int, Any]]  # (record id, raw value)
    default: int  # the record whose value is kept unless the person chooses another

    @property
    def differs(self) -> bool:
        return len({_raw_key(v) for _pk, v in self.values}) > 1


def _raw_key(value: Any) -> str:
    return repr(value)


def merge_fields(record_type: str, records: list[Record]) -> list[MergeField]:
    """Return the fields a person may choose between; `records[0]` is the survivor."""
    model = MODELS[record_type]
    result = []
    for name in CHOSEN_FIELDS[record_type]:
        field = _field(model, name)
        values = [(r.pk, getattr(r, field.attname)) for r in records]
        result.append(
            MergeField(
                name=name,
                label=str(field.verbose_name).capitalize(),
                values=values,
                default=_default_choice(values),
            )
        )
    for definition in CustomField.objects.filter(record_type=record_type).order_by(
        "position", "pk"
    ):
        values = [(r.pk, (r.custom or {}).get(definition.key)) for r in records]
        result.append(
            MergeField(
                name=f"custom.{definition.key}",
                label=definition.label,
                values=values,
                default=_default_choice(values),
            )
        )
    return result


def _default_choice(values: list[tuple[int, Any]]) -> int:
    """Keep the survivor's value, or the first other record's when the survivor's is empty."""
    for pk, value in values:
        if value not in (None, "", [], {}):
            return pk
    return values[0][0]


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _raw(record: Record, fields: list[str]) -> dict[str, Any]:
    """Return the record's stored values of these fields, as JSON data (attnames)."""
    data: dict[str, Any] = {}
    for name in fields:
        field = _field(record, name)
        data[field.attname] = _jsonable(getattr(record, field.attname))
    data["custom"] = dict(record.custom or {})
    return data


def _field_names(record_type: str) -> list[str]:
    names = list(CHOSEN_FIELDS[record_type])
    for group in CONSENTS.get(record_type, ()):
        names += list(group)
    if record_type != RecordType.LEADS:
        names.append("social")
    for model, _fk, _value, _extra in CHILD_ROWS[record_type]:
        names.append(PRIMARY_COLUMN[model])
    return list(dict.fromkeys(names))


def _set_raw(record: Record, data: dict[str, Any]) -> None:
    for attname, value in data.items():
        if attname == "custom":
            record.custom = dict(value)
            continue
        field = next(f for f in record._meta.concrete_fields if f.attname == attname)
        target = field.target_field if isinstance(field, models.ForeignKey) else field
        setattr(record, attname, None if value is None else target.to_python(value))


def _child_rows(record_type: str, pk: int) -> dict[str, list[dict[str, Any]]]:
    rows: dict[str, list[dict[str, Any]]] = {}
    for model, fk, value, extra in CHILD_ROWS[record_type]:
        rows[model._meta.label_lower] = list(
            model._base_manager.filter(**{fk: pk})
            .order_by("position", "pk")
            .values(value, "is_primary", *extra)
        )
    return rows


def _write_child_rows(
    record_type: str, record: Record, rows: dict[str, list[dict[str, Any]]]
) -> None:
    for model, fk, _value, _extra in CHILD_ROWS[record_type]:
        model._base_manager.filter(**{fk: record.pk}).delete()
        model._base_manager.bulk_create(
            [
                model(workspace_id=record.workspace_id, **{fk: record.pk}, position=i, **row)
                for i, row in enumerate(rows.get(model._meta.label_lower, []))
            ]
        )


def _united_rows(record_type: str, records: list[Record]) -> dict[str, list[dict[str, Any]]]:
    """Return the survivor's child rows followed by the losers' that it lacks; one primary."""
    united: dict[str, list[dict[str, Any]]] = {}
    for model, _fk, value, extra in CHILD_ROWS[record_type]:
        label = model._meta.label_lower
        rows: list[dict[str, Any]] = []
        seen: set[str] = set()
        for record in records:
            own = _child_rows(record_type, record.pk)[label]
            column = getattr(record, PRIMARY_COLUMN[model], "")
            if not own and column:  # a record written before child rows existed
                own = [{value: column, "is_primary": True, **dict.fromkeys(extra, "mobile")}]
            for row in own:
                key = str(row[value]).lower()
                if key in seen:
                    continue
                seen.add(key)
                rows.append({**row, "is_primary": not rows})
        united[label] = rows
    return united


def _lock(actor: Actor, record_type: str, ids: list[int]) -> list[Record]:
    """Return the records in `ids` order, locked; refuse ids that are not live in this workspace."""
    if record_type not in MODELS:
        raise ValidationError(_("These records cannot be merged."), code="merge_type")
    if len(set(ids)) < 2:
        raise ValidationError(_("Choose at least two records to merge."), code="merge_too_few")
    if len(set(ids)) > MAX_MERGE:
        raise ValidationError(
            _("Merge at most %(n)s records at once.") % {"n": MAX_MERGE}, code="merge_too_many"
        )
    model = MODELS[record_type]
    found = {
        r.pk: r
        for r in model._base_manager.select_for_update().filter(
            workspace_id=actor.workspace.pk, pk__in=ids
        )
    }
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise ValidationError(
            _("Some of these records do not exist in this workspace."), code="merge_missing"
        )
    trashed = [found[pk] for pk in ids if found[pk].deleted_at is not None]
    if trashed:
        raise ValidationError(
            _("%(name)s is in the trash; restore it before merging.") % {"name": trashed[0]},
            code="merge_trashed",
        )
    return [found[pk] for pk in dict.fromkeys(ids)]


def _require(actor: Actor, records: list[Record]) -> None:
    """Merging needs the right to edit and to delete every record involved."""
    if actor.user is None and actor.membership is None:
        return
    for record in records:
        for action in ("edit", "delete"):
            if actor.membership is None or not permissions.can_touch(
                actor.membership, record.module, action, record
            ):
                raise PermissionDenied(
                    _("You need the right to edit and delete %(name)s to merge it.")
                    % {"name": record}
                )


def _reverse_relations(model: type[Record]) -> list[Any]:
    """Return the relations pointing at this model whose rows move to the survivor."""
    relations = []
    for rel in model._meta.related_objects:
        if rel.related_model in COPIED or rel.one_to_one:
            continue
        relations.append(rel)
    return relations


def _unique_with(model: type[models.Model], attname: str) -> list[list[str]]:
    """Return the other fields of each unique constraint that includes `attname`."""
    groups: list[list[str]] = []
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields:
            names = [_field(model, f).attname for f in constraint.fields]
            if attname in names:
                groups.append([n for n in names if n != attname])
    for together in model._meta.unique_together:
        names = [_field(model, f).attname for f in together]
        if attname in names:
            groups.append([n for n in names if n != attname])
    return groups


def _row_values(row: models.Model) -> dict[str, Any]:
    return {f.attname: _jsonable(getattr(row, f.attname)) for f in row._meta.concrete_fields}


def _move_relations(
    model: type[Record], survivor: Record, losers: list[Record], merged_ids: set[int]
) -> dict[str, Any]:
    """Point every row that refers to a loser at the survivor; return what moved."""
    moved: list[dict[str, Any]] = []
    deleted: list[dict[str, Any]] = []
    for rel in _reverse_relations(model):
        if rel.many_to_many:
            field = rel.field
            through = field.remote_field.through
            target = field.m2m_reverse_field_name() + "_id"
            source = field.m2m_field_name() + "_id"
            rows_model, attname, others = through, target, [[source]]
        else:
            rows_model, attname = rel.related_model, rel.field.attname
            others = _unique_with(rows_model, attname)
        for loser in losers:
            rows = rows_model._base_manager.filter(**{attname: loser.pk})
            if rows_model is model:  # a company's subsidiaries: not the merged companies
                rows = rows.exclude(pk__in=merged_ids)
            if not others:
                ids = list(rows.values_list("pk", flat=True))
                if ids:
                    rows_model._base_manager.filter(pk__in=ids).update(**{attname: survivor.pk})
                    moved.append(
                        {
                            "model": rows_model._meta.label_lower,
                            "field": attname,
                            "ids": ids,
                            "from": loser.pk,
                        }
                    )
                continue
            ids = []
            for row in rows:
                clash = any(
                    rows_model._base_manager.filter(
                        **{attname: survivor.pk}, **{n: getattr(row, n) for n in group}
                    ).exists()
                    for group in others
                )
                if clash:  # the survivor already has this (a deal role, a meeting seat)
                    deleted.append({"model": rows_model._meta.label_lower, "row": _row_values(row)})
                    row.delete()
                else:
                    ids.append(row.pk)
            if ids:
                rows_model._base_manager.filter(pk__in=ids).update(**{attname: survivor.pk})
                moved.append(
                    {
                        "model": rows_model._meta.label_lower,
                        "field": attname,
                        "ids": ids,
                        "from": loser.pk,
                    }
                )
    return {"moved": moved, "deleted": deleted}


@dataclass
class MergeResult:
    survivor: Record
    merge: MergeRecord


def records_merge(
    *,
    actor: Actor,
    record_type: str,
    survivor_id: int,
    ids: list[int],
    choices: dict[str, int] | None = None,
    versions: dict[int, int] | None = None,
) -> MergeResult:
    """Merge records of one type into the survivor, in one transaction, keeping undo data.

    `choices` maps a field (or "custom.<key>") to the id of the record whose value is kept;
    `versions` (record id → version the person saw) refuses a merge of records changed since.
    """
    choices = choices or {}
    ids = list(dict.fromkeys([survivor_id, *ids]))
    with transaction.atomic():
        records = _lock(actor, record_type, ids)
        _require(actor, records)
        for record in records:
            if versions and record.pk in versions and versions[record.pk] != record.version:
                raise ValidationError(
                    _("%(name)s changed after you opened this page. Review the merge again.")
                    % {"name": record},
                    code="merge_conflict",
                )
        survivor, losers = records[0], records[1:]
        by_id = {r.pk: r for r in records}
        model = MODELS[record_type]
        names = _field_names(record_type)
        before = _raw(survivor, names)
        audit_before = survivor.audit_snapshot()
        tags_before = set(survivor.tags.values_list("pk", flat=True))
        rows_before = _child_rows(record_type, survivor.pk)
        merge = MergeRecord.objects.create(
            workspace=actor.workspace,
            record_type=record_type,
            survivor_id=survivor.pk,
            loser_ids=[r.pk for r in losers],
            created_by=actor.user,
        )
        # The chosen values.
        for field in merge_fields(record_type, records):
            chosen = choices.get(field.name, field.default)
            source = by_id.get(int(chosen)) if str(chosen).isdigit() else None
            source = source or by_id[field.default]
            if field.name.startswith("custom."):
                key = field.name.removeprefix("custom.")
                custom = dict(survivor.custom or {})
                value = (source.custom or {}).get(key)
                if value in (None, ""):
                    custom.pop(key, None)
                else:
                    custom[key] = value
                survivor.custom = custom
                continue
            attname = _field(model, field.name).attname
            setattr(survivor, attname, getattr(source, attname))
        if record_type == RecordType.COMPANIES and survivor.parent_id in set(ids):  # type: ignore[attr-defined]
            survivor.parent_id = None  # type: ignore[attr-defined]
        # United values: consents, social profiles, child rows, tags.
        for flag, at, why in CONSENTS.get(record_type, ()):
            if not getattr(survivor, flag):
                giver = next((r for r in losers if getattr(r, flag)), None)
                if giver is not None:
                    for name in (flag, at, why):
                        setattr(survivor, name, getattr(giver, name))
        if record_type != RecordType.LEADS:
            social: dict[str, Any] = {}
            for record in reversed(records):
                social.update({k: v for k, v in (record.social or {}).items() if v})  # type: ignore[attr-defined]
            survivor.social = social  # type: ignore[attr-defined]
        united = _united_rows(record_type, records)
        _write_child_rows(record_type, survivor, united)
        for model_rows, _fk, value, _extra in CHILD_ROWS[record_type]:
            rows = united[model_rows._meta.label_lower]
            setattr(survivor, PRIMARY_COLUMN[model_rows], rows[0][value] if rows else "")
        loser_tags = set(
            model.tags.through._base_manager.filter(
                **{f"{model._meta.model_name}_id__in": [r.pk for r in losers]}
            ).values_list("tag_id", flat=True)
        )
        added_tags = sorted(loser_tags - tags_before)
        if added_tags:
            survivor.tags.add(*added_tags)
        relations = _move_relations(model, survivor, losers, set(ids))
        survivor.version += 1
        survivor.updated_at = timezone.now()
        survivor.save()
        after = _raw(survivor, names)
        loser_names = [str(r) for r in losers]
        changes: dict[str, Any] = field_changes(audit_before, survivor.audit_snapshot())
        changes["merge"] = {"id": merge.pk, "losers": loser_names}
        audit_write(actor=actor, action=AuditAction.UPDATE, obj=survivor, changes=changes)
        search_sync(survivor)
        trashed_versions = {}
        for loser in losers:
            gone = record_trash(
                actor=actor,
                record=loser,
                changes={
                    "merge": {"id": merge.pk, "into": survivor.pk, "into_name": str(survivor)}
                },
            )
            trashed_versions[str(loser.pk)] = gone.version
        merge.snapshot = {
            "before": before,
            "after": after,
            "rows_before": rows_before,
            "rows_after": united,
            "tags_added": added_tags,
            "loser_versions": trashed_versions,
            "loser_names": loser_names,
            "survivor_version": survivor.version,
            **relations,
        }
        merge.save(update_fields=["snapshot"])
        _pairs_merged(actor, record_type, ids)
        event_record(
            actor=actor,
            name=f"{model._meta.model_name}.merged",
            payload={
                "id": survivor.pk,
                "merged_ids": [r.pk for r in losers],
                "merge_id": merge.pk,
                "data": survivor.event_data(),
            },
        )
    return MergeResult(survivor=survivor, merge=merge)


def _pairs_merged(actor: Actor, record_type: str, ids: list[int]) -> None:
    DuplicatePair.objects.filter(
        record_type=record_type, first_id__in=ids, second_id__in=ids
    ).update(status=PairStatus.MERGED, decided_at=timezone.now(), decided_by=actor.user)


class UnmergeRefused(Exception):
    """The merge cannot be undone safely; the message says why."""


def merge_undo(*, actor: Actor, merge: MergeRecord) -> MergeRecord:
    """Undo a merge: restore the losers, move back what moved, and the survivor's old values.

    Fields of the survivor edited since the merge keep their new values.
    """
    model = MODELS[merge.record_type]
    with transaction.atomic():
        merge = MergeRecord.objects.select_for_update().get(pk=merge.pk)
        if merge.is_undone:
            raise UnmergeRefused(_("This merge has already been undone."))
        survivor = model._base_manager.select_for_update().filter(pk=merge.survivor_id).first()
        if survivor is None:
            raise UnmergeRefused(
                _("The merged record has been deleted for good; the merge cannot be undone.")
            )
        if survivor.deleted_at is not None:
            raise UnmergeRefused(
                _("%(name)s is in the trash. Restore it first, then undo the merge.")
                % {"name": survivor}
            )
        losers = {
            r.pk: r for r in model._base_manager.select_for_update().filter(pk__in=merge.loser_ids)
        }
        names = merge.snapshot.get("loser_names", [])
        for i, pk in enumerate(merge.loser_ids):
            if pk not in losers:
                name = names[i] if i < len(names) else str(pk)
                raise UnmergeRefused(
                    _(
                        "%(name)s has been deleted for good since the merge (emptied from the "
                        "trash), so the merge cannot be undone."
                    )
                    % {"name": name}
                )
        _require(actor, [survivor, *losers.values()])
        snap = merge.snapshot
        audit_before = survivor.audit_snapshot()
        # The survivor's fields: back to their old values unless someone changed them since.
        current = _raw(survivor, [n for n in _field_names(merge.record_type)])
        restore: dict[str, Any] = {}
        for attname, old in snap["before"].items():
            if attname == "custom":
                continue
            if current.get(attname) == snap["after"].get(attname):
                restore[attname] = old
        custom = dict(survivor.custom or {})
        for key in set(snap["before"]["custom"]) | set(snap["after"]["custom"]):
            if custom.get(key) == snap["after"]["custom"].get(key):
                if key in snap["before"]["custom"]:
                    custom[key] = snap["before"]["custom"][key]
                else:
                    custom.pop(key, None)
        restore["custom"] = custom
        _set_raw(survivor, restore)
        if _child_rows(merge.record_type, survivor.pk) == snap["rows_after"]:
            _write_child_rows(merge.record_type, survivor, snap["rows_before"])
        if snap.get("tags_added"):
            survivor.tags.remove(*snap["tags_added"])
        # Rows the merge moved go back, unless they were moved elsewhere since.
        for move in snap.get("moved", []):
            rows_model = _model(move["model"])
            rows_model._base_manager.filter(
                pk__in=move["ids"], **{move["field"]: survivor.pk}
            ).update(**{move["field"]: move["from"]})
        for gone in snap.get("deleted", []):
            rows_model = _model(gone["model"])
            try:
                with transaction.atomic():
                    rows_model._base_manager.create(**gone["row"])
            except IntegrityError:  # the row's other end is gone; nothing to link back
                log.info("merge %s: %s row not restored", merge.pk, gone["model"])
        survivor.version += 1
        survivor.updated_at = timezone.now()
        survivor.save()
        changes: dict[str, Any] = field_changes(audit_before, survivor.audit_snapshot())
        changes["unmerge"] = {"id": merge.pk, "losers": names}
        audit_write(actor=actor, action=AuditAction.UPDATE, obj=survivor, changes=changes)
        search_sync(survivor)
        for pk in merge.loser_ids:
            record_restore(actor=actor, record=losers[pk])
        merge.undone_at = timezone.now()
        merge.undone_by = actor.user
        merge.save(update_fields=["undone_at", "undone_by"])
        ids = [merge.survivor_id, *merge.loser_ids]
        DuplicatePair.objects.filter(
            record_type=merge.record_type, first_id__in=ids, second_id__in=ids
        ).update(status=PairStatus.OPEN, decided_at=None, decided_by=None)
        event_record(
            actor=actor,
            name=f"{model._meta.model_name}.unmerged",
            payload={
                "id": survivor.pk,
                "restored_ids": merge.loser_ids,
                "merge_id": merge.pk,
                "data": survivor.event_data(),
            },
        )
    return merge


def _model(label: str) -> type[models.Model]:
    from django.apps import apps

    return apps.get_model(label)
