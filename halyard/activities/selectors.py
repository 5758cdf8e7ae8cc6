"""The timeline: a record's activities, finished tasks and audited changes, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from halyard.activities.models import Activity
from halyard.audit.models import AuditEntry
from halyard.audit.selectors import describe_changes
from halyard.tasks.models import ACTIVE_STATUSES, Task
from halyard.workspaces import permissions
from halyard.workspaces.models import Membership

LINK_RELATED = ("contact", "company", "deal", "lead")


@dataclass
class TimelineItem:
    at: datetime
    activity: Activity | None = None
    entry: AuditEntry | None = None
    task: Task | None = None
    can_edit: bool = False
    can_delete: bool = False


def timeline(
    record: Any, link: str, member: Membership | None = None, limit: int = 50
) -> list[TimelineItem]:
    """Return the newest activities, closed tasks and changes of a record, in a fixed 6 queries."""
    activities = Activity.objects.alive().filter(**{link: record})
    tasks = Task.objects.alive().filter(**{link: record}).exclude(status__in=ACTIVE_STATUSES)
    if member is not None:
        activities = permissions.visible(member, "activities", activities)
        tasks = permissions.visible(member, "tasks", tasks)
    activity_rows = list(
        activities.select_related("owner", "created_by", *LINK_RELATED)
        .prefetch_related("attendee_contacts", "attendee_users")
        .order_by("-occurred_at", "-pk")[:limit]
    )
    task_rows = list(
        tasks.select_related("owner", *LINK_RELATED).order_by("-updated_at", "-pk")[:limit]
    )
    entries = list(
        AuditEntry.objects.filter(
            workspace_id=record.workspace_id,
            object_type=record._meta.label_lower,
            object_id=str(record.pk),
        )
        .select_related("actor")
        .order_by("-created_at", "-pk")[:limit]
    )
    describe_changes(entries)
    items = [TimelineItem(at=a.occurred_at, activity=a) for a in activity_rows]
    items += [TimelineItem(at=t.completed_at or t.updated_at, task=t) for t in task_rows]
    items += [TimelineItem(at=e.created_at, entry=e) for e in entries]
    items.sort(key=lambda item: item.at, reverse=True)
    items = items[:limit]
    if member is not None:
        for item in items:
            obj = item.activity or item.task
            if obj is not None:
                item.can_edit = permissions.can_touch(member, obj.module, "edit", obj)
                item.can_delete = permissions.can_touch(member, obj.module, "delete", obj)
    return items
