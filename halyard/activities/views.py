"""Logging an activity from a record page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from halyard.activities import services
from halyard.activities.forms import ActivityForm
from halyard.companies.models import Company
from halyard.contacts.models import Contact
from halyard.deals.models import Deal
from halyard.workspaces import permissions
from halyard.workspaces.access import WorkspaceRequest, record_for_member, workspace_view

# URL name of the record type -> (model, the activity's link field)
LINKS: dict[str, tuple[Any, str]] = {
    "contacts": (Contact, "contact"),
    "companies": (Company, "company"),
    "deals": (Deal, "deal"),
}


@workspace_view
@require_POST
def log(request: WorkspaceRequest, record_type: str, pk: int) -> HttpResponse:
    """Log a call or a note on a record; errors come back with everything that was typed."""
    if record_type not in LINKS:
        raise Http404
    model, link = LINKS[record_type]
    record = record_for_member(request, model, pk)
    permissions.require(request.membership, "activities", "create")
    form = ActivityForm(request.POST)
    if form.is_valid():
        try:
            services.activity_log(actor=request.actor, values={**form.values(), link: record})
        except ValidationError as exc:
            errors = exc.error_dict if hasattr(exc, "error_dict") else {"": exc.error_list}
            for field, messages_ in errors.items():
                form.add_error(field if field in form.fields else None, messages_)
        else:
            messages.success(request, _("Logged."))
            return redirect(f"{record_type}_detail", slug=request.workspace.slug, pk=record.pk)
    return render(
        request,
        "activities/log.html",
        {"form": form, "record": record, "record_type": record_type},
        status=400,
    )
