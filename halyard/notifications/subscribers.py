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
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.mail import send_mail
    from django.utils import timezone, translation
    from django.utils.dateparse import parse_datetime
    from django.utils.translation import gettext as _

    from halyard.core.formatting import format_datetime

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
    # Without EMAIL_URL there is no mail server to speak of: the bell is the reminder.
    if not (created and user is not None and user.email and settings.EMAIL_URL):
        return
    with translation.override(user.language or "en"), timezone.override(user.timezone or "UTC"):
        subject = _("Reminder: %(title)s") % {"title": payload["title"]}
        lines = [subject]
        if payload.get("due_at"):
            due = parse_datetime(payload["due_at"])
            if due is not None:
                lines.append(_("Due: %(when)s") % {"when": format_datetime(due)})
        if payload.get("url"):
            base = getattr(settings, "SITE_URL", "").rstrip("/")
            lines.append(_("Your work: %(url)s") % {"url": base + payload["url"]})
        send_mail(subject, "\n\n".join(lines), None, [user.email])


@subscribe("webhook.paused")
def notify_webhook_owner(event: OutboxEvent) -> None:
    """Tell whoever created a webhook that it was paused; by e-mail too when mail is set up."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.mail import send_mail
    from django.utils import translation
    from django.utils.translation import gettext as _

    payload = event.payload
    if not payload.get("user_id"):
        return
    _notification, created = Notification.objects.get_or_create(
        event=event,
        user_id=payload["user_id"],
        defaults={
            "workspace_id": event.workspace_id,
            "kind": NotificationKind.WEBHOOK_PAUSED,
            "params": {"url": payload["url"]},
            "url": payload.get("link", ""),
        },
    )
    user = get_user_model().objects.filter(pk=payload["user_id"]).first()
    if not (created and user is not None and user.email and settings.EMAIL_URL):
        return
    with translation.override(user.language or "en"):
        subject = str(NotificationKind.WEBHOOK_PAUSED.label) % {"url": payload["url"]}
        lines = [
            subject,
            _("Fix the receiver, then resume the webhook: %(url)s")
            % {"url": settings.SITE_URL.rstrip("/") + payload.get("link", "")},
        ]
        send_mail(subject, "\n\n".join(lines), None, [user.email])
