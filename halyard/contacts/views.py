"""Contact pages: the shared record pages, with duplicates checked before saving."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponseBase
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from halyard.activities.panel import timeline_context
from halyard.contacts import selectors, services
from halyard.contacts.forms import ContactForm
from halyard.contacts.models import Contact, LeadSource, LifecycleStage
from halyard.contacts.vcards import contacts_vcards
from halyard.core.columns import Column
from halyard.core.export import download
from halyard.core.recordviews import Listing, RecordViews
from halyard.workspaces.access import WorkspaceRequest


class ContactViews(RecordViews):
    """The shared record pages, with the company picker and the contact's page details."""

    def form_kwargs(self, request: WorkspaceRequest) -> dict[str, Any]:
        return {
            "country": request.workspace.default_country,
            "picker_url": reverse("companies_picker", args=[request.workspace.slug]),
        }

    def export_formats(self) -> list[tuple[str, str]]:
        return [*super().export_formats(), ("vcf", _("vCard (.vcf)"))]

    def export_other(
        self, request: WorkspaceRequest, listing: Listing, fmt: str
    ) -> HttpResponseBase | None:
        if fmt != "vcf":
            return None
        cards = contacts_vcards(
            actor=request.actor,
            queryset=listing.queryset,
            sort=listing.sort,
            filters=listing.state.as_json() | {"sort": listing.state.sort},
        )
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        return download(cards, "text/vcard; charset=utf-8", f"contacts-{stamp}.vcf")

    def detail_extra(self, request: WorkspaceRequest, record: Any) -> dict[str, Any]:
        return {
            **selectors.contact_page(record),
            **timeline_context(request, record, "contact"),
        }


def _duplicates(request: WorkspaceRequest, values: dict[str, Any], record: Any) -> list[Any]:
    return selectors.duplicates_for_contact(
        emails=[row["email"] for row in values.get("emails", [])],
        phones=[row["number"] for row in values.get("phones", [])],
        exclude_pk=record.pk if record is not None else None,
        membership=request.membership,
    )


contacts = ContactViews(
    model=Contact,
    form_class=ContactForm,
    name="contacts",
    search_fields=["first_name", "last_name", "email", "phone"],
    list_related=("company",),
    create=services.contact_create,
    update=services.contact_update,
    trash=services.contact_trash,
    restore=services.contact_restore,
    arg="contact",
    detail_hook=lambda request, record: timeline_context(request, record, "contact"),
    columns=[
        Column(
            "name", gettext_lazy("Name"), "last_name", kind="link", attr="full_name", filter="text"
        ),
        Column(
            "first_name", gettext_lazy("First name"), "first_name", filter="text", default=False
        ),
        Column("email", gettext_lazy("Email"), "email", kind="email", filter="text"),
        Column("phone", gettext_lazy("Phone"), "phone", kind="phone", filter="text"),
        Column("title", gettext_lazy("Job title"), "title", filter="text", default=False),
        Column("company", gettext_lazy("Company"), "company__name", filter="text"),
        Column(
            "department", gettext_lazy("Department"), "department", filter="text", default=False
        ),
        Column(
            "lifecycle_stage",
            gettext_lazy("Lifecycle stage"),
            "lifecycle_stage",
            kind="choice",
            filter="choice",
            choices=lambda: [(v, str(n)) for v, n in LifecycleStage.choices],
            default=False,
        ),
        Column(
            "lead_source",
            gettext_lazy("Lead source"),
            "lead_source",
            kind="choice",
            filter="choice",
            choices=lambda: [(v, str(n)) for v, n in LeadSource.choices],
            default=False,
        ),
        Column("city", gettext_lazy("City"), "city", filter="text", default=False),
        Column(
            "birthday",
            gettext_lazy("Birthday"),
            "birthday",
            kind="date",
            filter="date",
            default=False,
        ),
        Column(
            "do_not_email",
            gettext_lazy("Do not email"),
            "do_not_email",
            kind="bool",
            filter="bool",
            default=False,
        ),
        Column(
            "do_not_call",
            gettext_lazy("Do not call"),
            "do_not_call",
            kind="bool",
            filter="bool",
            default=False,
        ),
    ],
    duplicates_hook=_duplicates,
)
