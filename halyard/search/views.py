"""The search page, and the results the top bar shows as you type."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from halyard.search.selectors import search, searchable
from halyard.workspaces.access import WorkspaceRequest, workspace_view


@workspace_view
def search_page(request: WorkspaceRequest) -> HttpResponse:
    """Find records by name, e-mail, phone or domain; `quick=1` answers the top bar's panel."""
    q = request.GET.get("q", "").strip()[:100]
    quick = request.GET.get("quick") == "1"
    groups = search(request.membership, q, per_type=5 if quick else 20)
    context = {"q": q, "groups": groups, "too_short": not searchable(q)}
    if quick:
        return render(request, "search/_quick.html", context)
    template = "search/search.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    return render(request, template, context)
