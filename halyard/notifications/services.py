"""Writes on notifications."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from halyard.notifications.models import Notification


def notifications_mark_read(*, user: Any) -> int:
    """Mark every unread notification of a user as read."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
