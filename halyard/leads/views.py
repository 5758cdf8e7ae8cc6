"""Lead pages: the shared record views, plus conversion."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, URLResolver, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from halyard.activities.panel import timeline_context
from halyard.core.bulk import BulkChange
from halyard.core.columns import Column
from halyard.core.forms import add_validation_errors
from halyard.core.recordviews import RecordViews
from halyard.deals.models import ContactRole
from halyard.deals.services import pipeline_ensure_default
from halyard.duplicates.selectors import matches_for_lead
from halyard.leads import services
from halyard.leads.forms import LeadConvertForm, LeadForm
from halyard.leads.models import Lead, LeadSource, LeadStatus
from halyard.workspaces import permissions
from halyard.workspaces.access import WorkspaceRequest, record_for_member, workspace_view


class LeadViews(RecordViews):
    """The shared record pages, and the page that converts a lead into customer records."""

    def urls(self) -> list[URLPattern | URLResolver]:
        return [
            path("<int:pk>/convert/", workspace_view(self.convert_view), name="leads_convert"),
            *super().urls(),
        ]

    def detail_extra(self, request: WorkspaceRequest, record: Any) -> dict[str, Any]:
        member = request.membership
        can_convert = (
            not record.is_converted
            and permissions.can_touch(member, "leads", "edit", record)
            and permissions.can(member, "contacts", "create")
        )
        matches = matches_for_lead(
            membership=member, lead=record, country=request.workspace.default_country
        )
        return {
            "can_convert": can_convert,
            "lead_matches": matches,
            **timeline_context(request, record, "lead"),
        }

    def convert_view(self, request: WorkspaceRequest, pk: int) -> HttpResponse:
        lead = record_for_member(request, Lead, pk, action="edit")
        permissions.require(request.membership, "contacts", "create")
        if lead.is_converted:
            messages.info(request, _("This lead has already been converted."))
            return redirect("leads_detail", slug=request.workspace.slug, pk=lead.pk)
        pipeline_ensure_default(actor=request.actor)  # a new deal needs a stage to start in
        match = services.lead_conversion_match(lead)
        form = LeadConvertForm(request.POST or None, lead=lead, match=match)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            create_deal = bool(data.get("create_deal"))
            try:
                result = services.lead_convert(
                    actor=request.actor,
                    lead=lead,
                    company_choice=data["company_choice"],
                    existing_company=match.company,
                    existing_contact=(
                        match.contact if data["contact_choice"] == "existing" else None
                    ),
                    deal_name=data["deal_name"] if create_deal else "",
                    deal_amount=data.get("deal_amount") if create_deal else None,
                    deal_stage=data.get("deal_stage") if create_deal else None,
                    deal_role=data.get("deal_role") or ContactRole.OTHER,
                )
            except ValidationError as exc:
                add_validation_errors(form, exc)
            else:
                messages.success(request, _("Lead converted."))
                return redirect(
                    "contacts_detail", slug=request.workspace.slug, pk=result.contact.pk
                )
        return render(
            request,
            "leads/lead_convert.html",
            {"record": lead, "form": form, "match": match},
        )


def _matches(request: WorkspaceRequest, values: dict[str, Any], record: Any) -> list[Any]:
    """Warn before a new lead is saved when it is already a contact or a company.

    Only the UI warns; the API creates leads as before.
    """
    if record is not None:
        return []
    fields = ("first_name", "last_name", "company_name", "email", "phone", "website")
    lead = Lead(**{name: values.get(name) or "" for name in fields})
    return matches_for_lead(
        membership=request.membership, lead=lead, country=request.workspace.default_country
    )


def _statuses() -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in LeadStatus.choices]


def _sources() -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in LeadSource.choices]


def _set_status(*, actor: Any, record: Lead, value: str) -> Lead:
    return services.lead_update(
        actor=actor, lead=record, expected_version=record.version, values={"status": value}
    )


leads = LeadViews(
    model=Lead,
    form_class=LeadForm,
    name="leads",
    search_fields=["first_name", "last_name", "company_name", "email", "phone"],
    list_related=(),
    create=services.lead_create,
    update=services.lead_update,
    trash=services.lead_trash,
    restore=services.lead_restore,
    arg="lead",
    columns=[
        Column(
            "name",
            gettext_lazy("Name"),
            "last_name",
            kind="link",
            attr="display_name",
            filter="text",
        ),
        Column(
            "company_name",
            gettext_lazy("Company name"),
            "company_name",
            filter="text",
            default=False,
        ),
        Column(
            "status",
            gettext_lazy("Status"),
            "status",
            kind="status",
            css="lead-",
            filter="choice",
            choices=_statuses,
        ),
        Column("email", gettext_lazy("Email"), "email", kind="email", filter="text"),
        Column("phone", gettext_lazy("Phone"), "phone", kind="phone", filter="text", default=False),
        Column(
            "lead_source",
            gettext_lazy("Lead source"),
            "lead_source",
            kind="choice",
            filter="choice",
            choices=_sources,
        ),
        Column("score", gettext_lazy("Score"), "score", kind="number", filter="number"),
        Column("title", gettext_lazy("Job title"), "title", filter="text", default=False),
    ],
    bulk_changes=[BulkChange("status", gettext_lazy("Change status"), _statuses, _set_status)],
    duplicates_hook=_matches,
)
