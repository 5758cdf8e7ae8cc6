"""The timeline: a record's activities, finished tasks and audited changes, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.db.models.functions import Coalesce

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


# Order of the timeline's sources among items at the same moment (higher comes first).
SOURCE_RANK = {"activity": 2, "task": 1, "change": 0}


def _after(rank: int, at: str, cursor: tuple[datetime, str, int] | None) -> Q:
    """Return the condition "comes after the cursor" for one source, newest first."""
    if cursor is None:
        return Q()
    moment, kind, pk = cursor
    cursor_rank = SOURCE_RANK[kind]
    if rank < cursor_rank:
        return Q(**{f"{at}__lte": moment})
    if rank > cursor_rank:
        return Q(**{f"{at}__lt": moment})
    return Q(**{f"{at}__lt": moment}) | Q(**{at: moment, "pk__lt": pk})


def timeline_page(
    record: Any,
    link: str,
    member: Membership,
    *,
    after: tuple[datetime, str, int] | None = None,
    limit: int = 50,
) -> tuple[list[TimelineItem], tuple[datetime, str, int] | None]:
    """Return one page of a record's timeline, newest first, and the key of its last item.

    The page continues after `after` (moment, source, id), so paging never skips or repeats
    an item; each source is one query (plus two for meeting attendees) whatever the page.
    """
    activities = permissions.visible(
        member, "activities", Activity.objects.alive().filter(**{link: record})
    )
    tasks = permissions.visible(
        member,
        "tasks",
        Task.objects.alive().filter(**{link: record}).exclude(status__in=ACTIVE_STATUSES),
    ).annotate(timeline_at=Coalesce("completed_at", "updated_at"))
    entries = AuditEntry.objects.filter(
        workspace_id=record.workspace_id,
        object_type=record._meta.label_lower,
        object_id=str(record.pk),
    )
    activity_rows = list(
        activities.filter(_after(SOURCE_RANK["activity"], "occurred_at", after))
        .prefetch_related("attendee_contacts", "attendee_users")
        .order_by("-occurred_at", "-pk")[: limit + 1]
    )
    task_rows = list(
        tasks.filter(_after(SOURCE_RANK["task"], "timeline_at", after)).order_by(
            "-timeline_at", "-pk"
        )[: limit + 1]
    )
    entry_rows = list(
        entries.filter(_after(SOURCE_RANK["change"], "created_at", after)).order_by(
            "-created_at", "-pk"
        )[: limit + 1]
    )
    items = [TimelineItem(at=a.occurred_at, activity=a) for a in activity_rows]
    items += [TimelineItem(at=t.timeline_at, task=t) for t in task_rows]
    items += [TimelineItem(at=e.created_at, entry=e) for e in entry_rows]
    items.sort(key=_item_key, reverse=True)
    more = len(items) > limit
    items = items[:limit]
    last = None
    if more and items:
        moment, rank, pk = _item_key(items[-1])
        last = (moment, next(k for k, r in SOURCE_RANK.items() if r == rank), pk)
    return items, last


def _item_key(item: TimelineItem) -> tuple[datetime, int, int]:
    if item.activity is not None:
        return item.at, SOURCE_RANK["activity"], item.activity.pk
    if item.task is not None:
        return item.at, SOURCE_RANK["task"], item.task.pk
    assert item.entry is not None
    return item.at, SOURCE_RANK["change"], item.entry.pk
