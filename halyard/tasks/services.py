"""Writes on tasks."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from halyard.audit.services import (
    record_apply,
    record_event,
    record_insert,
    record_restore,
    record_trash,
)
from halyard.core.context import Actor
from halyard.tasks.models import ACTIVE_STATUSES, Task, TaskStatus
from halyard.workspaces.models import Membership

LINKS = ("contact", "company", "deal", "lead")


def _validate(*, actor: Actor, values: dict[str, Any]) -> None:
    """Check a task's values: a title, records and assignee of the workspace, a sane reminder."""
    if "title" in values and not (values.get("title") or "").strip():
        raise ValidationError({"title": _("Give the task a title.")})
    for name in LINKS:
        record = values.get(name)
        if record is not None and record.workspace_id != actor.workspace.pk:
            raise ValidationError({name: _("Choose a record of this workspace.")})
    owner_id = values.get("owner_id")
    if (
        owner_id is not None
        and not Membership.objects.filter(
            workspace=actor.workspace, user_id=owner_id, is_active=True
        ).exists()
    ):
        raise ValidationError({"owner": _("Choose a member of this workspace.")})
    status = values.get("status")
    if status is not None and status not in TaskStatus.values:
        raise ValidationError({"status": _("Choose a status.")})
    due, remind = values.get("due_at"), values.get("remind_at")
    if due and remind and remind > due:
        raise ValidationError({"remind_at": _("The reminder must come before the due time.")})


def task_create(*, actor: Actor, values: dict[str, Any]) -> Task:
    """Create a task; linked records must belong to the workspace."""
    values = dict(values)
    _validate(actor=actor, values=values)
    if values.get("status") in (TaskStatus.DONE, TaskStatus.CANCELLED):
        values["completed_at"] = timezone.now()  # logged as already closed
    return record_insert(actor=actor, record=Task(**values))


def task_update(*, actor: Actor, task: Task, expected_version: int, values: dict[str, Any]) -> Task:
    """Change a task (title, due time, priority, status, reminder, assignee)."""
    values = {k: v for k, v in values.items() if k not in LINKS}
    _validate(actor=actor, values=values)
    status = values.get("status", task.status)
    if status != task.status:
        closed = status in (TaskStatus.DONE, TaskStatus.CANCELLED)
        values["completed_at"] = timezone.now() if closed else None
    if values.get("remind_at") != task.remind_at and "remind_at" in values:
        # A new reminder time is announced again, even if the old one was.
        values["reminded_at"] = None
    with transaction.atomic():  # the event is recorded with the change, or not at all
        updated = record_apply(
            actor=actor, record=task, expected_version=expected_version, values=values
        )
        if status == TaskStatus.DONE and task.status != TaskStatus.DONE:
            record_event(actor=actor, name="task.completed", record=updated)
    return updated


def task_complete(*, actor: Actor, task: Task) -> Task:
    """Mark a task done and announce it."""
    if task.status == TaskStatus.DONE:
        return task
    with transaction.atomic():  # the event is recorded with the change, or not at all
        task = record_apply(
            actor=actor,
            record=task,
            expected_version=task.version,
            values={"status": TaskStatus.DONE, "completed_at": timezone.now()},
        )
        record_event(actor=actor, name="task.completed", record=task)
    return task


def task_reopen(*, actor: Actor, task: Task) -> Task:
    """Open a done task again."""
    if task.status in ACTIVE_STATUSES:
        return task
    return record_apply(
        actor=actor,
        record=task,
        expected_version=task.version,
        values={"status": TaskStatus.OPEN, "completed_at": None},
    )


def task_trash(*, actor: Actor, task: Task, expected_version: int | None = None) -> Task:
    """Move a task to the trash."""
    return record_trash(actor=actor, record=task, expected_version=expected_version)


def task_restore(*, actor: Actor, task: Task) -> Task:
    """Bring a task back from the trash."""
    return record_restore(actor=actor, record=task)
