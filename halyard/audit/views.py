"""The workspace audit log and the trash."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from halyard.activities.models import Activity
from halyard.audit.models import AuditAction
from halyard.audit.selectors import audit_list
from halyard.companies.models import Company
from halyard.contacts.models import Contact
from halyard.core.context import Source
from halyard.deals.models import Deal
from halyard.leads.models import Lead
from halyard.tasks.models import Task
from halyard.workspaces import permissions
from halyard.workspaces.access import WorkspaceRequest, admin_view, workspace_view

TRASHABLE = [
    ("companies", Company),
    ("contacts", Contact),
    ("leads", Lead),
    ("deals", Deal),
    ("activities", Activity),
    ("tasks", Task),
]


@admin_view
def audit_log(request: WorkspaceRequest) -> HttpResponse:
    """Show the workspace's audit log with filters (admins only)."""
    filters = {
        k: request.GET.get(k, "").strip()
        for k in ("action", "source", "actor", "object_type", "date_from", "date_to")
    }
    before = request.GET.get("before", "")
    entries = audit_list(
        workspace=request.workspace,
        filters=filters,
        before=int(before) if before.isdigit() else None,
    )
    query = {k: v for k, v in filters.items() if v}
    return render(
        request,
        "audit/audit_log.html",
        {
            "entries": entries,
            "filters": filters,
            "query": query,
            "section": "audit",
            "actions": AuditAction.choices,
            "sources": Source.choices,
            "next_before": entries[-1].pk if len(entries) == 50 else None,
        },
    )


@workspace_view
def trash(request: WorkspaceRequest) -> HttpResponse:
    """List records in the trash that the member may restore."""
    member = request.membership
    groups = []
    for name, model in TRASHABLE:
        if permissions.can(member, name, "delete"):
            rows = permissions.visible(member, name, model.objects.trashed()).order_by(
                "-deleted_at"
            )[:100]
            groups.append((name, model._meta.verbose_name_plural, list(rows)))
    return render(request, "audit/trash.html", {"groups": groups})
