"""Company pages: the shared record pages, the picker search, and deleting with a choice."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from halyard.activities.panel import timeline_context
from halyard.companies import selectors, services
from halyard.companies.forms import CompanyForm
from halyard.companies.models import Company, CompanySize
from halyard.core.columns import Column
from halyard.core.recordviews import RecordViews
from halyard.workspaces import permissions
from halyard.workspaces.access import WorkspaceRequest, record_for_member, workspace_view


class CompanyViews(RecordViews):
    """The shared record pages, plus the picker search and a delete page that asks first."""

    def urls(self) -> list[URLPattern | URLResolver]:
        shared = [p for p in super().urls() if getattr(p, "name", "") != "companies_trash"]
        return [
            path("picker/", workspace_view(self.picker_view), name="companies_picker"),
            path("<int:pk>/delete/", workspace_view(self.trash_view), name="companies_trash"),
            *shared,
        ]

    def form_kwargs(self, request: WorkspaceRequest) -> dict[str, Any]:
        return {
            "country": request.workspace.default_country,
            "picker_url": reverse("companies_picker", args=[request.workspace.slug]),
        }

    def detail_extra(self, request: WorkspaceRequest, record: Any) -> dict[str, Any]:
        return {
            **selectors.company_page(
                record,
                membership=request.membership,
                include_subsidiaries=request.GET.get("subsidiaries") == "1",
            ),
            **timeline_context(request, record, "company"),
        }

    def picker_view(self, request: WorkspaceRequest) -> HttpResponse:
        """Answer the companies matching what was typed into a company picker."""
        permissions.require(request.membership, "companies", "view")
        term = str(request.GET.get("q", ""))
        for key in request.GET:
            if key.endswith("_search"):
                term = str(request.GET.get(key, ""))
        field = "".join(ch for ch in request.GET.get("field", "") if ch.isalnum() or ch in "_-")
        return render(
            request,
            "companies/_picker_options.html",
            {
                "companies": selectors.company_picker(membership=request.membership, term=term),
                "field": field or "company",
            },
        )

    def trash_view(self, request: WorkspaceRequest, pk: int) -> HttpResponse:
        """Ask what happens to the company's contacts and deals, then move it to the trash."""
        company = record_for_member(request, Company, pk, action="delete")
        error = ""
        if request.method == "POST":
            choice = request.POST.get("related", "")
            if choice in (services.RelatedChoice.KEEP, services.RelatedChoice.TRASH):
                services.company_trash(actor=request.actor, company=company, related=choice)
                messages.success(request, _("Moved to the trash. You can restore it from there."))
                return redirect("companies_list", slug=request.workspace.slug)
            error = _("Choose what happens to its contacts and deals.")
        return render(
            request,
            "companies/company_confirm_delete.html",
            {"record": company, "counts": selectors.related_counts(company), "error": error},
            status=400 if error else 200,
        )


def _duplicates(request: WorkspaceRequest, values: dict[str, Any], record: Any) -> list[Any]:
    return selectors.duplicates_for_company(
        domains=[row["domain"] for row in values.get("domains", [])],
        exclude_pk=record.pk if record is not None else None,
        membership=request.membership,
    )


companies = CompanyViews(
    model=Company,
    form_class=CompanyForm,
    name="companies",
    search_fields=["name", "domain", "city"],
    list_related=(),
    create=services.company_create,
    update=services.company_update,
    trash=services.company_trash,
    restore=services.company_restore,
    arg="company",
    detail_hook=lambda request, record: timeline_context(request, record, "company"),
    columns=[
        Column("name", gettext_lazy("Name"), "name", kind="link", filter="text"),
        Column("domain", gettext_lazy("Domain"), "domain", kind="email", filter="text"),
        Column("industry", gettext_lazy("Industry"), "industry", filter="text"),
        Column("phone", gettext_lazy("Phone"), "phone", kind="phone", filter="text", default=False),
        Column(
            "website",
            gettext_lazy("Website"),
            "website",
            kind="email",
            filter="text",
            default=False,
        ),
        Column("city", gettext_lazy("City"), "city", filter="text"),
        Column("country", gettext_lazy("Country"), "country", filter="text", default=False),
        Column(
            "size",
            gettext_lazy("Size"),
            "size",
            kind="choice",
            filter="choice",
            choices=lambda: [(v, str(n)) for v, n in CompanySize.choices],
            default=False,
        ),
        Column(
            "annual_revenue",
            gettext_lazy("Annual revenue"),
            "annual_revenue",
            kind="money",
            currency="revenue_currency",
            filter="number",
            default=False,
        ),
        Column(
            "parent", gettext_lazy("Parent company"), "parent__name", filter="text", default=False
        ),
    ],
    duplicates_hook=_duplicates,
)
