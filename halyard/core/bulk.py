"""Bulk actions on records: each record goes through its own services, one at a time."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from halyard.audit.services import VersionConflict
from halyard.core.context import Actor
from halyard.core.models import Record
from halyard.workspaces import permissions

MAX_BULK = 500


@dataclass(frozen=True)
class BulkChange:
    """A field bulk actions can set on a record type, e.g. a deal's stage or a lead's status."""

    key: str
    label: Any  # the menu heading, e.g. "Change stage"
    choices: Callable[[], list[tuple[str, str]]]  # (value, label) offered in the menu
    # Called as apply(actor=, record=, value=) with a value from `choices`; must use services.
    apply: Callable[..., Any]


@dataclass
class BulkResult:
    """How many of the chosen records changed, and how many were skipped and why."""

    changed: int = 0
    skipped: int = 0
    reason: str = ""


def records_bulk_apply(
    *,
    actor: Actor,
    model: type[Record],
    ids: Sequence[int],
    operation: Callable[[Record], Any],
) -> BulkResult:
    """Run one operation on each chosen record the actor can see; count what was skipped."""
    # Each record is changed by its own service call (permission check, audit row, event and
    # version each time), so a record that fails is skipped without undoing the others.
    if actor.membership is None:
        raise PermissionDenied
    wanted = list(dict.fromkeys(ids))[:MAX_BULK]
    queryset = permissions.visible(actor.membership, model.module, model.objects.alive())
    records = list(queryset.filter(pk__in=wanted).prefetch_related("tags").order_by("pk"))
    result = BulkResult(skipped=len(wanted) - len(records))
    for record in records:
        try:
            operation(record)
        except (PermissionDenied, ValidationError, VersionConflict) as exc:
            result.skipped += 1
            if not result.reason:
                result.reason = " ".join(exc.messages) if isinstance(exc, ValidationError) else ""
                result.reason = result.reason or str(exc)
        else:
            result.changed += 1
    return result
