"""Reading the audit log: a record's history and the workspace's log."""

from __future__ import annotations

from typing import Any

from django.db import models

from halyard.audit.models import AuditEntry


def record_history(record: models.Model, limit: int = 50) -> list[AuditEntry]:
    """Return the newest audit entries of one record."""
    return list(
        AuditEntry.objects.filter(
            workspace_id=record.workspace_id,  # type: ignore[attr-defined]
            object_type=record._meta.label_lower,
            object_id=str(record.pk),
        ).select_related("actor")[:limit]
    )


def audit_list(
    *, workspace: Any, filters: dict[str, str], before: int | None = None, limit: int = 50
) -> list[AuditEntry]:
    """Return a page of the workspace's audit log, newest first, filtered."""
    from django.db.models import Q

    from halyard.workspaces.models import Membership

    # Account events (sign-in, password, 2FA) have no workspace; admins see their members' ones.
    members = Membership.objects.filter(workspace=workspace).values("user_id")
    qs = AuditEntry.objects.filter(
        Q(workspace=workspace) | Q(workspace__isnull=True, actor_id__in=members)
    ).select_related("actor")
    if filters.get("action"):
        qs = qs.filter(action=filters["action"])
    if filters.get("source"):
        qs = qs.filter(source=filters["source"])
    if filters.get("actor"):
        qs = qs.filter(actor_label__icontains=filters["actor"])
    if filters.get("object_type"):
        qs = qs.filter(object_type=filters["object_type"])
    if filters.get("date_from"):
        qs = qs.filter(created_at__date__gte=filters["date_from"])
    if filters.get("date_to"):
        qs = qs.filter(created_at__date__lte=filters["date_to"])
    if before:
        qs = qs.filter(pk__lt=before)
    return list(qs.order_by("-pk")[:limit])
