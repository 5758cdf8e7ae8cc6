"""Deal pages: list, record pages (shared record views) and the pipeline board."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from halyard.audit.services import VersionConflict
from halyard.core.recordviews import RecordViews, member_choices
from halyard.deals import selectors, services
from halyard.deals.forms import DealForm
from halyard.deals.models import Deal, Pipeline, Stage
from halyard.workspaces import permissions
from halyard.workspaces.access import WorkspaceRequest, record_for_member, workspace_view


class DealViews(RecordViews):
    """The shared record pages, plus the board and the move that its drag and drop posts."""

    def urls(self) -> list[URLPattern | URLResolver]:
        return [
            path("board/", workspace_view(self.board_view), name="deals_board"),
            path("<int:pk>/move/", workspace_view(require_POST(self.move_view)), name="deals_move"),
            *super().urls(),
        ]

    def form_kwargs(self, request: WorkspaceRequest) -> dict[str, Any]:
        services.pipeline_ensure_default(actor=request.actor)
        return {
            "currency": request.workspace.default_currency,
            "picker_url": reverse("companies_picker", args=[request.workspace.slug]),
        }

    def detail_extra(self, request: WorkspaceRequest, record: Any) -> dict[str, Any]:
        from halyard.activities.panel import timeline_context

        return {
            "stage_history": selectors.stage_history(record),
            **timeline_context(request, record, "deal"),
        }

    def board_view(self, request: WorkspaceRequest) -> HttpResponse:
        permissions.require(request.membership, "deals", "view")
        default = services.pipeline_ensure_default(actor=request.actor)
        pipelines = list(Pipeline.objects.all())
        chosen = request.GET.get("pipeline", "")
        pipeline = next((p for p in pipelines if str(p.pk) == chosen), default)
        deals = permissions.visible(request.membership, "deals", Deal.objects.alive())
        owner = request.GET.get("owner", "")
        if owner.isdigit():
            deals = deals.filter(owner_id=int(owner))
        columns = selectors.board(
            pipeline=pipeline, deals=deals, currency=request.workspace.default_currency
        )
        return render(
            request,
            "deals/board.html",
            {
                "pipeline": pipeline,
                "pipelines": pipelines,
                "columns": columns,
                "members": member_choices(request.workspace),
                "owner": owner,
                "currency": request.workspace.default_currency,
            },
        )

    def move_view(self, request: WorkspaceRequest, pk: int) -> HttpResponse:
        deal = record_for_member(request, Deal, pk, action="edit")
        stage = Stage.objects.filter(pk=_int(request.POST.get("stage"))).first()
        if stage is None:
            raise Http404(_("No such stage."))
        try:
            services.deal_move_to_stage(
                actor=request.actor,
                deal=deal,
                stage=stage,
                expected_version=_int(request.POST.get("version")),
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
        return redirect(f"{board}?pipeline={deal.pipeline_id}")


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


deals = DealViews(
    model=Deal,
    form_class=DealForm,
    name="deals",
    search_fields=["name", "next_step", "company__name"],
    list_related=("company", "stage"),
    create=services.deal_create,
    update=services.deal_update,
    trash=services.deal_trash,
    restore=services.deal_restore,
    arg="deal",
)
