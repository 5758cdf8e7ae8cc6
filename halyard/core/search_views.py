"""Global search across the records a member can see (issue 3 brings the search service)."""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render

from halyard.companies.models import Company
from halyard.contacts.models import Contact
from halyard.workspaces import permissions
from halyard.workspaces.access import WorkspaceRequest, workspace_view


@workspace_view
def search(request: WorkspaceRequest) -> HttpResponse:
    """Find companies and contacts by name, e-mail, phone or domain."""
    q = request.GET.get("q", "").strip()[:100]
    member = request.membership
    contacts, companies = [], []
    if len(q) >= 2:
        contacts = list(
            permissions.visible(member, "contacts", Contact.objects.alive())
            .filter(
                Q(first_name__icontains=q)
                | Q(last_name__icontains=q)
                | Q(email__icontains=q)
                | Q(phone__icontains=q)
            )
            .select_related("company")
            .order_by("-pk")[:10]
        )
        companies = list(
            permissions.visible(member, "companies", Company.objects.alive())
            .filter(Q(name__icontains=q) | Q(domain__icontains=q))
            .order_by("-pk")[:10]
        )
    template = (
        "core/search.html#results"
        if request.htmx and not request.htmx.boosted
        else "core/search.html"
    )
    return render(request, template, {"q": q, "contacts": contacts, "companies": companies})
