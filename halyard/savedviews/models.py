"""Saved views: a named list state (filters, columns, sort) of one record type."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from halyard.core.models import WorkspaceScoped


class SavedView(WorkspaceScoped):
    """A list of one record type as someone saved it; shared views show to every member."""

    record_type = models.CharField(_("record type"), max_length=16)
    name = models.CharField(_("name"), max_length=80)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("owner"),
    )
    shared = models.BooleanField(_("shared with the workspace"), default=False)
    # {"q": str, "conditions": [[field, op, value, value2], …], "other": {param: value}}
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    columns = models.JSONField(_("columns"), default=list, blank=True)
    sort = models.CharField(_("sort"), max_length=80, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name", "pk"]
        indexes = [
            models.Index(fields=["workspace", "record_type", "owner"], name="savedview_ws_type"),
        ]

    def __str__(self) -> str:
        return self.name
