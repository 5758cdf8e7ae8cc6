"""Writing the audit log, and the shared record writes: create, update, trash, restore."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from halyard.audit.models import AuditAction, AuditEntry
from halyard.core.context import Actor, Source
from halyard.core.events import event_record
from halyard.core.models import Record
from halyard.search.services import search_sync

if TYPE_CHECKING:
    from halyard.accounts.models import User
    from halyard.workspaces.models import Workspace

R = TypeVar("R", bound=Record)


class VersionConflict(Exception):
    """The record changed since the user loaded it; their edit is refused, not merged."""

    def __init__(self, record: Record) -> None:
        super().__init__(
            _(
                "Someone else changed this record after you opened it. Reload it to see their "
                "changes, then make yours again."
            )
        )
        self.record = record


class ExternalIdTaken(Exception):
    """Another record of the same type in the workspace already has this external id."""

    def __init__(self, record: Record, holder_id: int) -> None:
        super().__init__(
            _("Another %(type)s (id %(id)s) already has the external id “%(value)s”.")
            % {"type": record._meta.verbose_name, "id": holder_id, "value": record.external_id}
        )
        self.holder_id = holder_id
        self.value = record.external_id


def _save(record: Record) -> None:
    """Save the record; a clash on its external id becomes ExternalIdTaken naming the holder."""
    if not record.external_id:
        record.save()
        return
    try:
        with transaction.atomic():  # a savepoint, so the clash does not spoil the transaction
            record.save()
    except IntegrityError:
        holder = (
            type(record)
            ._base_manager.filter(workspace_id=record.workspace_id, external_id=record.external_id)
            .exclude(pk=record.pk)
            .values_list("pk", flat=True)
            .first()
        )
        if holder is None:
            raise
        raise ExternalIdTaken(record, holder) from None


def field_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Return {field: [old, new]} for every field whose value differs; custom fields flattened."""
    changes: dict[str, list[Any]] = {}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if key == "custom":
            for sub in sorted(set(old or {}) | set(new or {})):
                o, n = (old or {}).get(sub), (new or {}).get(sub)
                if o != n:
                    changes[f"custom.{sub}"] = [o, n]
        elif old != new:
            changes[key] = [old, new]
    return changes


def audit_write(
    *,
    action: str,
    actor: Actor | None = None,
    workspace: Workspace | None = None,
    user: User | None = None,
    source: str | None = None,
    ip: str | None = None,
    obj: Any = None,
    changes: dict[str, Any] | None = None,
    label: str = "",
) -> AuditEntry:
    """Append one entry to the audit log (inside the caller's transaction)."""
    if actor is not None:
        workspace = workspace or actor.workspace
        user = user or actor.user
        source = source or actor.source
        ip = ip or actor.ip
    entry = AuditEntry(
        workspace=workspace,
        actor=user if user is not None and user.pk else None,
        actor_label=label or (user.email if user is not None else ""),
        action=action,
        source=source or Source.SYSTEM,
        ip=ip,
        changes=changes or {},
    )
    if obj is not None:
        entry.object_type = obj._meta.label_lower
        entry.object_id = str(obj.pk)
        entry.object_repr = str(obj)[:200]
    entry.save()
    return entry


def _check(actor: Actor, action: str, record: Record) -> None:
    """Apply the member's permissions; work started by the system itself is not restricted."""
    from halyard.workspaces import permissions

    if actor.user is None and actor.membership is None:
        return
    if action == "create":
        permissions.require(actor.membership, record.module, action)
    else:
        permissions.require_touch(actor.membership, record.module, action, record)


def _event_name(record: Record, verb: str) -> str:
    return f"{record._meta.model_name}.{verb}"


def record_event(
    *,
    actor: Actor,
    name: str,
    record: Record,
    changes: dict[str, Any] | None = None,
    **details: Any,
) -> None:
    """Record a domain event about a record, carrying the record as it is now (in the outbox)."""
    payload: dict[str, Any] = {"id": record.pk, **details, "data": record.event_data()}
    if changes is not None:
        payload["changes"] = changes
    event_record(actor=actor, name=name, payload=payload)


def record_insert(
    *,
    actor: Actor,
    record: R,
    tags: list[Any] | None = None,
    related: Callable[[R], None] | None = None,
) -> R:
    """Save a new record with its provenance, audit it and emit `<model>.created`.

    `related` writes the record's child rows (e-mails, phones…) before the audit snapshot.
    """
    record.workspace = actor.workspace
    _check(actor, "create", record)
    with transaction.atomic():
        record.created_by = actor.user
        if record.owner_id is None and actor.user is not None:
            record.owner = actor.user
        record.source = actor.source
        record.version = 1
        _save(record)
        if tags:
            record.tags.set(tags)
        if related is not None:
            related(record)
        changes = field_changes({}, record.audit_snapshot())
        audit_write(actor=actor, action=AuditAction.CREATE, obj=record, changes=changes)
        search_sync(record)
        record_event(actor=actor, name=_event_name(record, "created"), record=record)
    return record


def record_apply(
    *,
    actor: Actor,
    record: R,
    expected_version: int,
    values: dict[str, Any],
    related: Callable[[R], None] | None = None,
) -> R:
    """Apply new field values to a record unless it changed since `expected_version`.

    `related` rewrites the record's child rows inside the same transaction, after the version
    check and before the audit snapshot, so their changes are audited with the fields'.
    """
    _check(actor, "edit", record)
    with transaction.atomic():
        current = type(record)._base_manager.select_for_update().get(pk=record.pk)
        if current.version != expected_version or current.deleted_at is not None:
            raise VersionConflict(current)
        before = current.audit_snapshot()
        values = dict(values)
        tags = values.pop("tags", None)
        for name, value in values.items():
            setattr(current, name, value)
        if tags is not None:
            current.tags.set(tags)
        if related is not None:
            related(current)
        after = current.audit_snapshot()
        changes = field_changes(before, after)
        if not changes:
            return current
        current.version += 1
        current.updated_at = timezone.now()
        _save(current)
        audit_write(actor=actor, action=AuditAction.UPDATE, obj=current, changes=changes)
        search_sync(current)
        record_event(
            actor=actor, name=_event_name(current, "updated"), record=current, changes=changes
        )
    return current


def record_trash(
    *,
    actor: Actor,
    record: R,
    expected_version: int | None = None,
    changes: dict[str, Any] | None = None,
) -> R:
    """Move a record to the trash (a soft delete that can be restored).

    `changes` lets the caller audit what went with it (e.g. the contacts a company unlinked).
    """
    _check(actor, "delete", record)
    with transaction.atomic():
        current = type(record)._base_manager.select_for_update().get(pk=record.pk)
        if expected_version is not None and current.version != expected_version:
            raise VersionConflict(current)
        if current.deleted_at is not None:
            return current
        current.deleted_at = timezone.now()
        current.version += 1
        current.save(update_fields=["deleted_at", "version"])
        audit_write(actor=actor, action=AuditAction.DELETE, obj=current, changes=changes)
        search_sync(current)
        record_event(actor=actor, name=_event_name(current, "trashed"), record=current)
    return current


def record_restore(*, actor: Actor, record: R) -> R:
    """Bring a record back from the trash."""
    _check(actor, "delete", record)
    with transaction.atomic():
        current = type(record)._base_manager.select_for_update().get(pk=record.pk)
        if current.deleted_at is None:
            return current
        current.deleted_at = None
        current.version += 1
        current.save(update_fields=["deleted_at", "version"])
        audit_write(actor=actor, action=AuditAction.RESTORE, obj=current)
        search_sync(current)
        record_event(actor=actor, name=_event_name(current, "restored"), record=current)
    return current
