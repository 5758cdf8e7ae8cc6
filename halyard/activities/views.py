"""Logging an activity from a record page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from halyard.activities import services
from halyard.activities.forms import ActivityForm
from halyard.activities.targets import target_for_member
from halyard.core.forms import add_validation_errors
from halyard.workspaces import permissions
from halyard.workspaces.access import WorkspaceRequest, workspace_view


@workspace_view
@require_POST
def log(request: WorkspaceRequest, record_type: str, pk: int) -> HttpResponse:
    """Log a call or a note on a record; errors come back with everything that was typed."""
    record, link = target_for_member(request, record_type, pk)
    permissions.require(request.membership, "activities", "create")
    form = ActivityForm(request.POST)
    if form.is_valid():
        try:
            services.activity_log(actor=request.actor, values={**form.values(), link: record})
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, _("Logged."))
            return redirect(f"{record_type}_detail", slug=request.workspace.slug, pk=record.pk)
    return render(
        request,
        "activities/log.html",
        {"form": form, "record": record, "record_type": record_type},
        status=400,
    )
