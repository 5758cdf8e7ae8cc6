"""Reads of workspace exports."""

from __future__ import annotations

from django.db.models import QuerySet

from halyard.portability.models import WorkspaceExport


def export_list() -> QuerySet[WorkspaceExport]:
    """Return the active workspace's exports, newest first, with who asked for them."""
    return WorkspaceExport.objects.select_related("requested_by").order_by("-created_at", "-id")
