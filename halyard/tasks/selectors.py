"""The "My work" page: a person's overdue, today's and upcoming tasks, and stalled deals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from halyard.deals.models import Deal, StageKind
from halyard.tasks.models import ACTIVE_STATUSES, Task

UPCOMING_DAYS = 7


@dataclass
class MyWork:
    overdue: list[Task]
    today: list[Task]
    upcoming: list[Task]
    no_due: list[Task]
    deals_needing_next_step: list[Deal]
    day: date  # today, in the user's time zone
    # How many there are in each group; a group shows at most `limit` of them.
    counts: dict[str, int]
    limit: int


def my_work(*, user: Any, limit: int = 50) -> MyWork:
    """Return a user's open tasks by due day in their time zone, and deals that need a step."""
    now = timezone.localtime()
    start = timezone.make_aware(datetime.combine(now.date(), time.min), now.tzinfo)
    end = start + timedelta(days=1)
    horizon = start + timedelta(days=UPCOMING_DAYS + 1)
    open_tasks = (
        Task.objects.alive()
        .filter(owner=user, status__in=ACTIVE_STATUSES)
        .select_related("contact", "company", "deal", "lead")
    )
    groups = {
        "overdue": open_tasks.filter(due_at__lt=start).order_by("due_at"),
        "today": open_tasks.filter(due_at__gte=start, due_at__lt=end).order_by("due_at"),
        "upcoming": open_tasks.filter(due_at__gte=end, due_at__lt=horizon).order_by("due_at"),
        "no_due": open_tasks.filter(due_at__isnull=True).order_by("-pk"),
        # Open deals with nothing planned, or whose expected close date has already passed.
        "deals": Deal.objects.alive()
        .filter(owner=user, stage__kind=StageKind.OPEN)
        .filter(Q(next_step="") | Q(expected_close__lt=now.date()))
        .select_related("stage", "company")
        .order_by("expected_close", "pk"),
    }
    rows = {name: list(queryset[: limit + 1]) for name, queryset in groups.items()}
    # Count only the groups that overflow the page (a count is a scan of the person's rows).
    counts = {
        name: len(found) if len(found) <= limit else groups[name].order_by().count()
        for name, found in rows.items()
    }
    return MyWork(
        overdue=rows["overdue"][:limit],
        today=rows["today"][:limit],
        upcoming=rows["upcoming"][:limit],
        no_due=rows["no_due"][:limit],
        deals_needing_next_step=rows["deals"][:limit],
        day=now.date(),
        counts=counts,
        limit=limit,
    )
