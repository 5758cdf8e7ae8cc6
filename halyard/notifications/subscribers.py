"""Turn domain events into notifications (run by the background worker, after commit)."""

from __future__ import annotations

from halyard.core.events import subscribe
from halyard.core.models import OutboxEvent
from halyard.notifications.models import Notification, NotificationKind


@subscribe("membership.joined")
def notify_inviter(event: OutboxEvent) -> None:
    """Tell whoever sent an invitation that it was accepted."""
    payload = event.payload
    if not payload.get("invited_by"):
        return
    Notification.objects.get_or_create(
        event=event,
        user_id=payload["invited_by"],
        defaults={
            "workspace_id": event.workspace_id,
            "kind": NotificationKind.MEMBER_JOINED,
            "params": {"name": payload["name"], "workspace": payload["workspace"]},
            "url": payload.get("url", ""),
        },
    )


@subscribe("membership.role_changed")
def notify_member(event: OutboxEvent) -> None:
    """Tell a member that their role changed."""
    payload = event.payload
    Notification.objects.get_or_create(
        event=event,
        user_id=payload["user_id"],
        defaults={
            "workspace_id": event.workspace_id,
            "kind": NotificationKind.ROLE_CHANGED,
            "params": {
                "workspace": payload["workspace"],
                "role": payload["role"],
                "role_key": payload.get("role_key", ""),
            },
            "url": payload.get("url", ""),
        },
    )


@subscribe("task.reminder_due")
def remind_assignee(event: OutboxEvent) -> None:
    """Put a task reminder in the assignee's bell and, when mail is set up, their inbox."""
    from django.contrib.auth import get_user_model
    from django.core.mail import send_mail
    from django.utils import translation
    from django.utils.translation import gettext as _

    payload = event.payload
    _notification, created = Notification.objects.get_or_create(
        event=event,
        user_id=payload["user_id"],
        defaults={
            "workspace_id": event.workspace_id,
            "kind": NotificationKind.TASK_DUE,
            "params": {"title": payload["title"]},
            "url": payload.get("url", ""),
        },
    )
    user = get_user_model().objects.filter(pk=payload["user_id"]).first()
    if created and user is not None:
        with translation.override(user.language or "en"):
            subject = _("Reminder: %(title)s") % {"title": payload["title"]}
            send_mail(subject, subject, None, [user.email])
