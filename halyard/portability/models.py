"""Whole-workspace exports that administrators start from Settings → Data."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from halyard.core.models import WorkspaceScoped


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")  # waiting for a worker
    RUNNING = "running", _("Running")  # a worker is writing the zip
    DONE = "done", _("Ready to download")
    FAILED = "failed", _("Failed")  # the worker stopped on an error (see message)
    EXPIRED = "expired", _("Expired")  # the file was deleted after its keeping time


ACTIVE_STATUSES = (ExportStatus.QUEUED, ExportStatus.RUNNING)


class WorkspaceExport(WorkspaceScoped):
    """One zip of the whole workspace, kept in the var folder for a limited time."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=8, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    # Path relative to settings.VAR_DIR; empty until the file is written and after it expires.
    file_path = models.CharField(max_length=500, blank=True)
    file_size = models.PositiveBigIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)  # {table: rows}
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("available until"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "expires_at"], name="export_status_expiry")]

    def __str__(self) -> str:
        return f"export {self.pk} of {self.workspace_id}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def total_rows(self) -> int:
        return sum(n for table, n in (self.counts or {}).items() if table != "users")
