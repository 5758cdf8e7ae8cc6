"""The timeline: a record's activities and its audited changes, newest first, in one list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from halyard.activities.models import Activity
from halyard.audit.models import AuditEntry
from halyard.audit.selectors import describe_changes


@dataclass
class TimelineItem:
    at: datetime
    activity: Activity | None = None
    entry: AuditEntry | None = None


def timeline(record: Any, link: str, limit: int = 50) -> list[TimelineItem]:
    """Return the newest activities and changes of a record (`link` names the activity key)."""
    activities = list(
        Activity.objects.alive()
        .filter(**{link: record})
        .select_related("owner", "created_by")
        .order_by("-occurred_at", "-pk")[:limit]
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
    items = [TimelineItem(at=a.occurred_at, activity=a) for a in activities]
    items += [TimelineItem(at=e.created_at, entry=e) for e in entries]
    items.sort(key=lambda item: item.at, reverse=True)
    return items[:limit]
