"""The timeline panel that contact, company and deal pages show, with the record's open tasks."""

from __future__ import annotations

from typing import Any

from halyard.activities import selectors
from halyard.activities.forms import ActivityForm
from halyard.core.recordviews import member_choices
from halyard.tasks.forms import TaskForm
from halyard.tasks.models import Task, TaskStatus


def timeline_context(request: Any, record: Any, link: str) -> dict[str, Any]:
    """Return what a record page needs for its timeline, its log form and its tasks."""
    open_tasks = list(
        Task.objects.alive()
        .filter(status=TaskStatus.OPEN, **{link: record})
        .select_related("owner")
        .order_by("due_at", "pk")[:20]
    )
    return {
        "timeline": selectors.timeline(record, link),
        "activity_form": ActivityForm(),
        "open_tasks": open_tasks,
        "task_form": TaskForm(
            members=member_choices(request.workspace), initial={"owner": request.user.pk}
        ),
    }
