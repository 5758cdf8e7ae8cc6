"""Deal pages: list, record pages (shared record views) and the pipeline board."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from halyard.audit.services import VersionConflict
from halyard.contacts.models import Contact
from halyard.core.bulk import BulkChange
from halyard.core.columns import Column
from halyard.core.recordviews import RecordViews, member_choices
from halyard.customfields.models import Tag
from halyard.deals import selectors, services
from halyard.deals.forms import DealContactForm, DealForm, errors_text
from halyard.deals.models import Deal, DealContact, LostReason, Pipeline, Stage, StageKind
from halyard.workspaces import permissions
from halyard.workspaces.access import WorkspaceRequest, record_for_member, workspace_view


class DealViews(RecordViews):
    """The shared record pages, plus the board and the move that its drag and drop posts."""

    def urls(self) -> list[URLPattern | URLResolver]:
        return [
            path("board/", workspace_view(self.board_view), name="deals_board"),
            path(
                "board/<int:stage_id>/more/",
                workspace_view(self.board_more_view),
                name="deals_board_more",
            ),
            path("<int:pk>/move/", workspace_view(require_POST(self.move_view)), name="deals_move"),
            path(
                "<int:pk>/contacts/",
                workspace_view(require_POST(self.contact_add_view)),
                name="deals_contact_add",
            ),
            path(
                "<int:pk>/contacts/<int:link_id>/remove/",
                workspace_view(require_POST(self.contact_remove_view)),
                name="deals_contact_remove",
            ),
            *super().urls(),
        ]

    def form_kwargs(self, request: WorkspaceRequest) -> dict[str, Any]:
        services.pipeline_ensure_default(actor=request.actor)
        return {
            "currency": request.workspace.default_currency,
            "pipeline_id": _int(request.GET.get("pipeline")),
            "picker_url": reverse("companies_picker", args=[request.workspace.slug]),
        }

    def detail_extra(self, request: WorkspaceRequest, record: Any) -> dict[str, Any]:
        from halyard.activities.panel import timeline_context

        contacts = permissions.visible(
            request.membership, "contacts", Contact.objects.alive()
        ).order_by("last_name", "first_name", "pk")
        return {
            "stage_history": selectors.stage_history(record),
            "deal_contacts": DealContact.objects.filter(deal=record).select_related("contact"),
            "contact_form": DealContactForm(contacts=contacts),
            **timeline_context(request, record, "deal"),
        }

    def _board_deals(self, request: WorkspaceRequest) -> tuple[Any, selectors.BoardFilters]:
        deals = permissions.visible(request.membership, "deals", Deal.objects.alive())
        filters = selectors.board_filters(request.GET)
        return selectors.filter_deals(deals, filters, request.user.pk), filters

    def board_view(self, request: WorkspaceRequest) -> HttpResponse:
        permissions.require(request.membership, "deals", "view")
        default = services.pipeline_ensure_default(actor=request.actor)
        pipelines = list(Pipeline.objects.all())
        chosen = request.GET.get("pipeline", "")
        pipeline = next((p for p in pipelines if str(p.pk) == chosen), default)
        deals, filters = self._board_deals(request)
        for error in filters.errors:
            messages.error(request, error)
        currency = request.workspace.default_currency
        columns = selectors.board(pipeline=pipeline, deals=deals, currency=currency)
        open_columns = [c for c in columns if c.stage.kind == StageKind.OPEN]
        summary = {
            "count": sum(c.count for c in open_columns),
            "total": sum((c.total for c in open_columns), Decimal(0)),
            "weighted": sum((c.weighted for c in open_columns), Decimal(0)),
        }
        missing: dict[str, int] = {}
        for column in columns:
            for code, n in column.missing.items():
                missing[code] = missing.get(code, 0) + n
        return render(
            request,
            "deals/board.html",
            {
                "pipeline": pipeline,
                "pipelines": pipelines,
                "columns": columns,
                "stages": [c.stage for c in columns],
                "summary": summary,
                "unrated": set(missing),
                "members": member_choices(request.workspace),
                "filters": filters,
                "filter_query": urlencode(filters.query()),
                "close_choices": selectors.CloseWindow.choices,
                "tags": Tag.objects.all(),
                "currency": currency,
                "missing": sorted(missing.items()),
                "lost_reasons": LostReason.objects.active(),
            },
        )

    def board_more_view(self, request: WorkspaceRequest, stage_id: int) -> HttpResponse:
        permissions.require(request.membership, "deals", "view")
        stage = Stage.objects.filter(pk=stage_id).select_related("pipeline").first()
        if stage is None:
            raise Http404(_("No such stage."))
        deals, filters = self._board_deals(request)
        offset = max(_int(request.GET.get("offset")), 0)
        cards, has_more = selectors.column_cards(deals, stage, offset=offset)
        return render(
            request,
            "deals/_board_cards.html",
            {
                "cards": cards,
                "stage": stage,
                "stages": list(stage.pipeline.stages.all()),
                "next_offset": offset + len(cards) if has_more else None,
                "unrated": selectors.unrated_currencies(
                    {d.currency for d in cards}, request.workspace.default_currency
                ),
                "filter_query": urlencode(filters.query()),
            },
        )

    def move_view(self, request: WorkspaceRequest, pk: int) -> HttpResponse:
        deal = record_for_member(request, Deal, pk, action="edit")
        stage = Stage.objects.filter(pk=_int(request.POST.get("stage"))).first()
        if stage is None:
            raise Http404(_("No such stage."))
        reason_id = request.POST.get("lost_reason", "")
        reason = LostReason.objects.filter(pk=_int(reason_id)).first() if reason_id else None
        try:
            services.deal_move_to_stage(
                actor=request.actor,
                deal=deal,
                stage=stage,
                expected_version=_int(request.POST.get("version")),
                lost_reason=reason,
            )
        except VersionConflict as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("%(deal)s moved to %(stage)s.") % {"deal": deal.name, "stage": stage.name},
            )
        board = reverse("deals_board", kwargs={"slug": request.workspace.slug})
        query = {"pipeline": deal.pipeline_id, **selectors.board_filters(request.GET).query()}
        return redirect(f"{board}?{urlencode(query)}")

    def contact_add_view(self, request: WorkspaceRequest, pk: int) -> HttpResponse:
        deal = record_for_member(request, Deal, pk, action="edit")
        contacts = permissions.visible(request.membership, "contacts", Contact.objects.alive())
        form = DealContactForm(request.POST, contacts=contacts)
        if form.is_valid():
            try:
                services.deal_contact_add(actor=request.actor, deal=deal, **form.cleaned_data)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("Contact added to the deal."))
        else:
            messages.error(
                request,
                errors_text(form),
            )
        return redirect("deals_detail", slug=request.workspace.slug, pk=deal.pk)

    def contact_remove_view(self, request: WorkspaceRequest, pk: int, link_id: int) -> HttpResponse:
        deal = record_for_member(request, Deal, pk, action="edit")
        link = DealContact.objects.filter(deal=deal, pk=link_id).select_related("deal").first()
        if link is None:
            raise Http404(_("No such contact on this deal."))
        services.deal_contact_remove(actor=request.actor, link=link)
        messages.success(request, _("Contact removed from the deal."))
        return redirect("deals_detail", slug=request.workspace.slug, pk=deal.pk)


def _list_totals(request: WorkspaceRequest, deals: Any) -> dict[str, Any]:
    """Sum the listed deals (every page, filters applied) in the workspace's currency."""
    currency = request.workspace.default_currency
    totals = selectors.deal_totals(deals, currency, selectors.exchange_rates(currency))
    return {
        "summary_template": "deals/_list_totals.html",
        "totals": totals,
        "currency": currency,
        "missing": sorted(totals.missing.items()),
    }


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def stage_choices() -> list[tuple[str, str]]:
    """Return every stage as (id, "Pipeline › Stage"), in board order."""
    stages = Stage.objects.select_related("pipeline").order_by(
        "pipeline__position", "pipeline_id", "position", "pk"
    )
    return [(str(s.pk), f"{s.pipeline.name} › {s.name}") for s in stages]


def pipeline_choices() -> list[tuple[str, str]]:
    """Return every pipeline as (id, name)."""
    return [(str(p.pk), p.name) for p in Pipeline.objects.all()]


def move_to_stage(*, actor: Any, record: Deal, value: str) -> Deal:
    """Move one deal to a stage chosen in the bulk menu (refused if not in its pipeline)."""
    stage = Stage.objects.get(pk=int(value))
    return services.deal_move_to_stage(
        actor=actor, deal=record, stage=stage, expected_version=record.version
    )


deals = DealViews(
    model=Deal,
    form_class=DealForm,
    name="deals",
    search_fields=["name", "next_step", "company__name"],
    list_related=("company", "stage", "pipeline"),
    create=services.deal_create,
    update=services.deal_update,
    trash=services.deal_trash,
    restore=services.deal_restore,
    arg="deal",
    columns=[
        Column("name", gettext_lazy("Name"), "name", kind="link", filter="text"),
        Column(
            "stage",
            gettext_lazy("Stage"),
            "stage",
            kind="badge",
            sort="stage__position",
            filter="choice",
            choices=stage_choices,
        ),
        Column("amount", gettext_lazy("Amount"), "amount", kind="money", filter="number"),
        Column(
            "expected_close",
            gettext_lazy("Expected close date"),
            "expected_close",
            kind="date",
            filter="date",
        ),
        Column("company", gettext_lazy("Company"), "company__name", filter="text"),
        Column(
            "pipeline",
            gettext_lazy("Pipeline"),
            "pipeline",
            sort="pipeline__name",
            filter="choice",
            choices=pipeline_choices,
            default=False,
        ),
        Column(
            "probability",
            gettext_lazy("Probability (%)"),
            "probability",
            kind="number",
            filter="number",
            default=False,
        ),
        Column("next_step", gettext_lazy("Next step"), "next_step", filter="text", default=False),
    ],
    summary_hook=_list_totals,
    bulk_changes=[
        BulkChange("stage", gettext_lazy("Change stage"), stage_choices, move_to_stage),
    ],
)
