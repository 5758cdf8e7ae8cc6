"""The bell's contents for every signed-in page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from halyard.notifications.selectors import inbox


def notifications(request: HttpRequest) -> dict[str, Any]:
    if not request.user.is_authenticated:
        return {}
    latest, unread = inbox(request.user)
    return {"notifications": latest, "unread_notifications": unread}
