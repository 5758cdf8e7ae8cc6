"""Reading a person's notifications."""

from __future__ import annotations

from typing import Any

from halyard.notifications.models import Notification


def inbox(user: Any, limit: int = 8) -> tuple[list[Notification], int]:
    """Return the newest notifications of a user and how many are unread."""
    latest = list(Notification.objects.filter(user=user).select_related("workspace")[:limit])
    unread = Notification.objects.filter(user=user, read_at__isnull=True).count()
    return latest, unread
