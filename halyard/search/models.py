"""The search index: one row of normalised text per searchable record."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from halyard.core.models import WorkspaceScoped


class SearchEntry(WorkspaceScoped):
    """What a record can be found by, folded for matching (see `normalise`).

    The owner is copied here so that record-scope permissions ("own", "team") filter the index
    itself, without joining every record table.
    """

    record_type = models.CharField(max_length=16)  # the record's module, e.g. "contacts"
    record_id = models.BigIntegerField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "record_type", "record_id"], name="search_entry_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.record_type}:{self.record_id}"
