"""The records that activities and tasks attach to, resolved from a record page's URL."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from halyard.companies.models import Company
from halyard.contacts.models import Contact
from halyard.deals.models import Deal
from halyard.leads.models import Lead
from halyard.workspaces.access import WorkspaceRequest, record_for_member

# URL name of the record type -> (model, the link field on an activity or a task)
TARGETS: dict[str, tuple[Any, str]] = {
    "contacts": (Contact, "contact"),
    "companies": (Company, "company"),
    "deals": (Deal, "deal"),
    "leads": (Lead, "lead"),
}


def target_for_member(request: WorkspaceRequest, record_type: str, pk: int) -> tuple[Any, str]:
    """Return the record the member is looking at and the field that links to it, or 404."""
    if record_type not in TARGETS:
        raise Http404
    model, link = TARGETS[record_type]
    return record_for_member(request, model, pk), link
