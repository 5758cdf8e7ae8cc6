"""Writes on tasks."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from halyard.audit.services import record_apply, record_insert
from halyard.core.context import Actor
from halyard.core.events import event_record
from halyard.tasks.models import Task, TaskStatus


def task_create(*, actor: Actor, values: dict[str, Any]) -> Task:
    """Create a task; linked records must belong to the workspace."""
    values = dict(values)
    if not (values.get("title") or "").strip():
        raise ValidationError({"title": _("Give the task a title.")})
    for name in ("contact", "company", "deal", "lead"):
        record = values.get(name)
        if record is not None and record.workspace_id != actor.workspace.pk:
            raise ValidationError({name: _("Choose a record of this workspace.")})
    due, remind = values.get("due_at"), values.get("remind_at")
    if due and remind and remind > due:
        raise ValidationError({"remind_at": _("The reminder must come before the due time.")})
    return record_insert(actor=actor, record=Task(**values))


def task_complete(*, actor: Actor, task: Task) -> Task:
    """Mark a task done and announce it."""
    if task.status == TaskStatus.DONE:
        return task
    task = record_apply(
        actor=actor,
        record=task,
        expected_version=task.version,
        values={"status": TaskStatus.DONE, "completed_at": timezone.now()},
    )
    event_record(actor=actor, name="task.completed", payload={"id": task.pk})
    return task


def task_reopen(*, actor: Actor, task: Task) -> Task:
    """Open a done task again."""
    return record_apply(
        actor=actor,
        record=task,
        expected_version=task.version,
        values={"status": TaskStatus.OPEN, "completed_at": None},
    )
