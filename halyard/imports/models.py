"""Imports: an uploaded file, how its columns map to fields, and what each row did."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from halyard.core.models import WorkspaceScoped


class ImportType(models.TextChoices):
    """Record types the wizard can import (the value is the permission module)."""

    CONTACTS = "contacts", _("Contacts")
    COMPANIES = "companies", _("Companies")


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Waiting for the mapping")  # file read, columns not mapped yet
    QUEUED = "queued", _("Queued")  # mapped, waiting for a worker
    RUNNING = "running", _("Running")
    DONE = "done", _("Finished")
    STOPPED = "stopped", _("Stopped on an error")  # "stop on the first error" met one
    CANCELLED = "cancelled", _("Cancelled")
    FAILED = "failed", _("Failed")  # the file could not be read to the end
    UNDOING = "undoing", _("Being undone")  # the undo runs in the background, in chunks
    UNDONE = "undone", _("Undone")


ACTIVE_STATUSES = (ImportStatus.QUEUED, ImportStatus.RUNNING)
# Statuses a worker still has to move on (an import running, or an undo).
BUSY_STATUSES = (*ACTIVE_STATUSES, ImportStatus.UNDOING)


class DuplicatePolicy(models.TextChoices):
    SKIP = "skip", _("Skip the row")
    UPDATE = "update", _("Update the existing record")
    CREATE = "create", _("Create a new record anyway")


class ErrorPolicy(models.TextChoices):
    SKIP = "skip", _("Skip rows with errors and import the rest")
    STOP = "stop", _("Stop at the first row with an error")


class Import(WorkspaceScoped):
    """One uploaded file being imported into one record type."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    record_type = models.CharField(_("record type"), max_length=16, choices=ImportType.choices)
    file_name = models.CharField(_("file"), max_length=255)
    # Path relative to settings.VAR_DIR; the file itself never goes into the database.
    file_path = models.CharField(max_length=500)
    file_size = models.PositiveBigIntegerField(default=0)
    file_format = models.CharField(max_length=8)  # "csv" or "xlsx"
    encoding = models.CharField(_("encoding"), max_length=32, blank=True)
    delimiter = models.CharField(max_length=1, blank=True)
    sheet = models.CharField(_("sheet"), max_length=100, blank=True)
    headers = models.JSONField(default=list)
    status = models.CharField(
        _("status"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    # {column index as text: field key}; columns absent or "" are ignored.
    mapping = models.JSONField(default=dict)
    # {"duplicates": DuplicatePolicy, "errors": ErrorPolicy}
    options = models.JSONField(default=dict)
    total_rows = models.PositiveIntegerField(null=True, blank=True)
    # Data rows committed so far; a restarted worker carries on from here.
    position = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)
    cancel_requested = models.BooleanField(default=False)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    # Moved on at every committed chunk: an active import that stops moving lost its worker.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["workspace", "created_at"], name="import_ws_created"),
            models.Index(fields=["status", "heartbeat_at"], name="import_status_beat"),
        ]

    def __str__(self) -> str:
        return self.file_name

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def is_busy(self) -> bool:
        return self.status in BUSY_STATUSES

    @property
    def encoding_label(self) -> str:
        """Return the encoding as people know it ("UTF-8", "CP1258")."""
        names = {
            "utf-8-sig": "UTF-8",
            "utf_8": "UTF-8",
            "utf-16-le": "UTF-16",
            "utf-16-be": "UTF-16",
        }
        return names.get(self.encoding.lower(), self.encoding.upper().replace("_", "-"))

    @property
    def delimiter_label(self) -> str:
        """Return the column separator as a word ("comma", "tab")."""
        names = {",": _("commas"), ";": _("semicolons"), "\t": _("tabs"), "|": _("vertical bars")}
        return str(names.get(self.delimiter, self.delimiter))

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == ImportStatus.DONE else 0
        return min(100, self.position * 100 // self.total_rows)


class RowAction(models.TextChoices):
    CREATED = "created", _("Created")
    UPDATED = "updated", _("Updated")
    SKIPPED = "skipped", _("Skipped")
    FAILED = "failed", _("Failed")


class ImportRow(WorkspaceScoped):
    """What one data row did; kept so the error report and undo need not re-read the file."""

    job = models.ForeignKey(Import, on_delete=models.CASCADE, related_name="rows")
    row_number = models.PositiveIntegerField()  # 1 = the first row under the header
    model = models.CharField(max_length=16)  # "contact" or "company"
    action = models.CharField(max_length=8, choices=RowAction.choices)
    record_id = models.BigIntegerField(null=True, blank=True)
    # Values of the fields this row changed, as they were before (for undo of an update).
    before = models.JSONField(default=dict, blank=True)
    values = models.JSONField(default=list, blank=True)  # the original cells, for the report
    error = models.TextField(blank=True)
    undone = models.BooleanField(default=False)

    class Meta:
        ordering = ["row_number", "id"]
        indexes = [models.Index(fields=["job", "action"], name="import_row_action")]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.row_number} {self.action}"


class MappingTemplate(WorkspaceScoped):
    """A saved column mapping, applied to files whose headers match."""

    record_type = models.CharField(max_length=16, choices=ImportType.choices)
    name = models.CharField(_("name"), max_length=80)
    mapping = models.JSONField(default=dict)  # {normalised header: field key}
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "record_type", "name"], name="mapping_template_name"
            )
        ]

    def __str__(self) -> str:
        return self.name
