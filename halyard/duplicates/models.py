"""Likely duplicate records found by the scan, and the merges that joined them (with undo data)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from halyard.core.models import WorkspaceScoped


class RecordType(models.TextChoices):
    """The record types the scan and the merge handle (their permission modules)."""

    CONTACTS = "contacts", _("Contacts")
    COMPANIES = "companies", _("Companies")
    LEADS = "leads", _("Leads")


class PairStatus(models.TextChoices):
    OPEN = "open", _("To review")  # found by a scan, nobody decided yet
    DISMISSED = "dismissed", _("Not a duplicate")  # a person said so; scans never reopen it
    MERGED = "merged", _("Merged")  # the two records were merged


class DuplicatePair(WorkspaceScoped):
    """Two records of one type that look like the same person or organisation.

    `first_id` < `second_id`, so a pair is stored once whichever record the scan met first.
    `reasons` is a list of {"code": "email" | "phone" | "domain" | "name" | "company", ...}.
    """

    record_type = models.CharField(max_length=16, choices=RecordType.choices)
    first_id = models.BigIntegerField()
    second_id = models.BigIntegerField()
    score = models.PositiveSmallIntegerField(default=0)
    reasons = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=16, choices=PairStatus.choices, default=PairStatus.OPEN)
    found_at = models.DateTimeField(default=timezone.now)
    scanned_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "record_type", "first_id", "second_id"],
                name="duplicate_pair_once",
            ),
            models.CheckConstraint(
                condition=models.Q(first_id__lt=models.F("second_id")),
                name="duplicate_pair_ordered",
            ),
        ]
        indexes = [
            models.Index(
                fields=["workspace", "record_type", "status", "-score", "id"],
                name="duplicate_pair_queue",
            ),
            models.Index(
                fields=["workspace", "record_type", "second_id"], name="duplicate_pair_2nd"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record_type} {self.first_id}~{self.second_id} ({self.score})"


class ScanStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class DuplicateScan(WorkspaceScoped):
    """One run of the scan over a workspace: when, by whom, and what it found."""

    status = models.CharField(max_length=16, choices=ScanStatus.choices, default=ScanStatus.QUEUED)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # {"contacts": {"pairs": n, "new": n, "seconds": s}, ...}
    counts = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"scan #{self.pk} ({self.status})"


class MergeRecord(WorkspaceScoped):
    """A merge of records into one survivor, with what is needed to undo it.

    `snapshot` holds the survivor's values before the merge, the values the merge wrote, the
    losers' versions in the trash, and the ids of every related row the merge moved.
    """

    record_type = models.CharField(max_length=16, choices=RecordType.choices)
    survivor_id = models.BigIntegerField()
    loser_ids = models.JSONField(default=list)
    snapshot = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["workspace", "record_type", "survivor_id"], name="merge_record_survivor"
            )
        ]

    def __str__(self) -> str:
        return f"merge #{self.pk} into {self.record_type} {self.survivor_id}"

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None
