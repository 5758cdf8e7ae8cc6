"""The append-only audit log: record changes and security events."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from halyard.core.context import Source


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Moved to trash")
    RESTORE = "restore", _("Restored")
    SIGN_IN = "sign_in", _("Signed in")
    SIGN_IN_FAILED = "sign_in_failed", _("Failed sign-in")
    SIGN_OUT = "sign_out", _("Signed out")
    LOCKED_OUT = "locked_out", _("Locked out")
    PASSWORD_CHANGE = "password_change", _("Password changed")
    PASSWORD_RESET = "password_reset", _("Password reset")
    MFA_ENABLED = "mfa_enabled", _("Two-factor authentication turned on")
    MFA_DISABLED = "mfa_disabled", _("Two-factor authentication turned off")
    RECOVERY_CODES = "recovery_codes", _("Recovery codes renewed")
    ROLE_CHANGE = "role_change", _("Role changed")
    INVITATION = "invitation", _("Invitation sent")
    INVITATION_ACCEPTED = "invitation_accepted", _("Invitation accepted")
    INVITATION_REVOKED = "invitation_revoked", _("Invitation revoked")
    MEMBER_REMOVED = "member_removed", _("Member removed")
    SETTINGS_CHANGE = "settings_change", _("Settings changed")
    EXPORT = "export", _("Export")


SECURITY_ACTIONS = [
    AuditAction.SIGN_IN,
    AuditAction.SIGN_IN_FAILED,
    AuditAction.SIGN_OUT,
    AuditAction.LOCKED_OUT,
    AuditAction.PASSWORD_CHANGE,
    AuditAction.PASSWORD_RESET,
    AuditAction.MFA_ENABLED,
    AuditAction.MFA_DISABLED,
    AuditAction.RECOVERY_CODES,
    AuditAction.ROLE_CHANGE,
    AuditAction.INVITATION,
    AuditAction.INVITATION_ACCEPTED,
    AuditAction.INVITATION_REVOKED,
    AuditAction.MEMBER_REMOVED,
    AuditAction.SETTINGS_CHANGE,
    AuditAction.EXPORT,
]


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("The audit log is append-only.")


class AuditEntry(models.Model):
    """One change or security event; never updated, removed only with its workspace."""

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=32, choices=AuditAction.choices)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["workspace", "-created_at"], name="audit_ws_time"),
            models.Index(fields=["workspace", "object_type", "object_id"], name="audit_object"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("The audit log is append-only.")
