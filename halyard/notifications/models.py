"""In-app notifications: what the bell in the top bar shows."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    """What happened; each kind has a sentence, translated when it is shown."""

    MEMBER_JOINED = "member_joined", _("%(name)s accepted your invitation to %(workspace)s.")
    ROLE_CHANGED = "role_changed", _("Your role in %(workspace)s is now %(role)s.")
    TASK_DUE = "task_due", _("Reminder: %(title)s")
    WEBHOOK_PAUSED = (
        "webhook_paused",
        _("The webhook to %(url)s was paused: its deliveries kept failing."),
    )


class Notification(models.Model):
    """One message for one person, about one workspace."""

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=32, choices=NotificationKind.choices)
    params = models.JSONField(default=dict)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # The event that caused it: a redelivered event never notifies twice.
    event = models.ForeignKey(
        "core.OutboxEvent", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "read_at", "-created_at"], name="notification_inbox")
        ]
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="notification_once_per_event")
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        """Return the sentence in the active language."""
        template = NotificationKind(self.kind).label
        from halyard.workspaces.permissions import BUILTIN_ROLES

        params: dict[str, Any] = {k: str(v) for k, v in self.params.items()}
        if self.params.get("role_key") in BUILTIN_ROLES:  # a built-in role, in the reader's words
            params["role"] = str(BUILTIN_ROLES[self.params["role_key"]][0])
        try:
            return str(template) % params
        except (KeyError, TypeError, ValueError):
            return str(template)
