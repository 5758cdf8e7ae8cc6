"""The "My work" page: a person's overdue, today's and upcoming tasks, and stalled deals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.utils import timezone

from halyard.deals.models import Deal, StageKind
from halyard.tasks.models import Task, TaskStatus

UPCOMING_DAYS = 7


@dataclass
class MyWork:
    overdue: list[Task]
    today: list[Task]
    upcoming: list[Task]
    no_due: list[Task]
    deals_without_next_step: list[Deal]


def my_work(*, user: Any, limit: int = 100) -> MyWork:
    """Return the open tasks of a user, grouped by due day in their time zone."""
    now = timezone.localtime()
    start = timezone.make_aware(datetime.combine(now.date(), time.min), now.tzinfo)
    end = start + timedelta(days=1)
    horizon = start + timedelta(days=UPCOMING_DAYS + 1)
    open_tasks = (
        Task.objects.alive()
        .filter(owner=user, status=TaskStatus.OPEN)
        .select_related("contact", "company", "deal")
    )
    return MyWork(
        overdue=list(open_tasks.filter(due_at__lt=start).order_by("due_at")[:limit]),
        today=list(open_tasks.filter(due_at__gte=start, due_at__lt=end).order_by("due_at")),
        upcoming=list(
            open_tasks.filter(due_at__gte=end, due_at__lt=horizon).order_by("due_at")[:limit]
        ),
        no_due=list(open_tasks.filter(due_at__isnull=True).order_by("-pk")[:limit]),
        deals_without_next_step=list(
            Deal.objects.alive()
            .filter(owner=user, stage__kind=StageKind.OPEN, next_step="")
            .select_related("stage", "company")
            .order_by("expected_close", "pk")[:limit]
        ),
    )
