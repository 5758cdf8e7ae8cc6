"""Workspace settings for deals: pipelines and stages, lost reasons, currencies (admins only)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from halyard.core.forms import add_validation_errors
from halyard.deals import selectors, services
from halyard.deals.forms import (
    ExchangeRateForm,
    NameForm,
    RelocateForm,
    StageForm,
    TransferForm,
    errors_text,
)
from halyard.deals.models import Deal, ExchangeRate, LostReason, Pipeline, Stage
from halyard.workspaces.access import WorkspaceRequest, admin_view


def _errors(request: WorkspaceRequest, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


def _to_pipeline(request: WorkspaceRequest, pipeline_id: int) -> HttpResponse:
    return redirect("pipeline_settings", slug=request.workspace.slug, pipeline_id=pipeline_id)


def _offset(request: WorkspaceRequest) -> int:
    return -1 if request.POST.get("direction") == "up" else 1


@admin_view
def pipelines(request: WorkspaceRequest) -> HttpResponse:
    """List the pipelines; add one."""
    services.pipeline_ensure_default(actor=request.actor)
    form = NameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pipeline = services.pipeline_create(actor=request.actor, name=form.cleaned_data["name"])
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, _("Pipeline added. Now give it its stages."))
            return redirect(
                "pipeline_settings", slug=request.workspace.slug, pipeline_id=pipeline.pk
            )
    rows = list(Pipeline.objects.order_by("position", "pk"))
    counts = selectors.deal_counts_by_pipeline()
    return render(
        request,
        "deals/settings_pipelines.html",
        {
            "form": form,
            "section": "pipelines",
            "pipelines": [(p, counts.get(p.pk, 0)) for p in rows],
        },
    )


@admin_view
def pipeline_settings(request: WorkspaceRequest, pipeline_id: int) -> HttpResponse:
    """Rename a pipeline and edit, add and order its stages."""
    pipeline = get_object_or_404(Pipeline, pk=pipeline_id)
    rename = NameForm(request.POST or None, initial={"name": pipeline.name}, prefix="pipeline")
    new_stage = StageForm(initial={"probability": 50, "kind": "open"}, prefix="stage")
    if request.method == "POST" and rename.is_valid():
        try:
            services.pipeline_rename(
                actor=request.actor, pipeline=pipeline, name=rename.cleaned_data["name"]
            )
        except ValidationError as exc:
            add_validation_errors(rename, exc)
        else:
            messages.success(request, _("Pipeline renamed."))
            return redirect(
                "pipeline_settings", slug=request.workspace.slug, pipeline_id=pipeline.pk
            )
    return _pipeline_page(request, pipeline, rename, new_stage)


def _pipeline_page(
    request: WorkspaceRequest,
    pipeline: Pipeline,
    rename: NameForm,
    new_stage: StageForm,
    status: int = 200,
) -> HttpResponse:
    stages = list(pipeline.stages.order_by("position", "pk"))
    counts = selectors.deal_counts_by_stage(pipeline)
    return render(
        request,
        "deals/settings_pipeline.html",
        {
            "pipeline": pipeline,
            "rename": rename,
            "new_stage": new_stage,
            "section": "pipelines",
            "stages": [(s, counts.get(s.pk, 0)) for s in stages],
            "kinds": StageForm.base_fields["kind"].choices,  # type: ignore[attr-defined]
        },
        status=status,
    )


@admin_view
@require_POST
def pipeline_move(request: WorkspaceRequest, pipeline_id: int) -> HttpResponse:
    """Move a pipeline up or down the list."""
    pipeline = get_object_or_404(Pipeline, pk=pipeline_id)
    services.pipeline_move(actor=request.actor, pipeline=pipeline, offset=_offset(request))
    return redirect("pipelines_settings", slug=request.workspace.slug)


@admin_view
def pipeline_delete(request: WorkspaceRequest, pipeline_id: int) -> HttpResponse:
    """Ask where a pipeline's deals go, then delete it."""
    pipeline = get_object_or_404(Pipeline, pk=pipeline_id)
    holding = Deal.objects.filter(pipeline=pipeline).count()
    form = RelocateForm(request.POST or None, stages=Stage.objects.exclude(pipeline=pipeline))
    if request.method == "POST" and form.is_valid():
        try:
            moved = services.pipeline_delete(
                actor=request.actor,
                pipeline=pipeline,
                target=form.cleaned_data["target"],
                lost_reason=form.cleaned_data["lost_reason"],
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(
                request,
                ngettext(
                    "Pipeline %(name)s deleted; %(n)s deal moved.",
                    "Pipeline %(name)s deleted; %(n)s deals moved.",
                    moved,
                )
                % {"name": pipeline.name, "n": moved},
            )
            return redirect("pipelines_settings", slug=request.workspace.slug)
    return render(
        request,
        "deals/settings_delete.html",
        {
            "form": form,
            "section": "pipelines",
            "subject": pipeline.name,
            "holding": holding,
            "back": pipeline,
        },
        status=400 if form.errors else 200,
    )


@admin_view
@require_POST
def stage_create(request: WorkspaceRequest, pipeline_id: int) -> HttpResponse:
    """Add a stage to a pipeline."""
    pipeline = get_object_or_404(Pipeline, pk=pipeline_id)
    form = StageForm(request.POST, prefix="stage")
    if form.is_valid():
        try:
            services.stage_create(actor=request.actor, pipeline=pipeline, **form.cleaned_data)
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, _("Stage added."))
            return redirect(
                "pipeline_settings", slug=request.workspace.slug, pipeline_id=pipeline.pk
            )
    rename = NameForm(initial={"name": pipeline.name}, prefix="pipeline")
    return _pipeline_page(request, pipeline, rename, form, status=400)


@admin_view
@require_POST
def stage_update(request: WorkspaceRequest, stage_id: int) -> HttpResponse:
    """Save a stage's name, probability and kind."""
    stage = get_object_or_404(Stage, pk=stage_id)
    form = StageForm(request.POST)
    if form.is_valid():
        try:
            services.stage_update(actor=request.actor, stage=stage, **form.cleaned_data)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Stage saved."))
    else:
        messages.error(
            request,
            errors_text(form),
        )
    return _to_pipeline(request, stage.pipeline_id)


@admin_view
@require_POST
def stage_move(request: WorkspaceRequest, stage_id: int) -> HttpResponse:
    """Move a stage up or down its pipeline."""
    stage = get_object_or_404(Stage, pk=stage_id)
    services.stage_move(actor=request.actor, stage=stage, offset=_offset(request))
    messages.success(request, _("Stage %(name)s moved.") % {"name": stage.name})
    return _to_pipeline(request, stage.pipeline_id)


@admin_view
def stage_delete(request: WorkspaceRequest, stage_id: int) -> HttpResponse:
    """Ask where a stage's deals go (a stage of the same pipeline), then delete it."""
    stage = get_object_or_404(Stage.objects.select_related("pipeline"), pk=stage_id)
    holding = Deal.objects.filter(stage=stage).count()
    form = RelocateForm(
        request.POST or None,
        stages=Stage.objects.filter(pipeline=stage.pipeline).exclude(pk=stage.pk),
    )
    if request.method == "POST" and form.is_valid():
        try:
            moved = services.stage_delete(
                actor=request.actor,
                stage=stage,
                target=form.cleaned_data["target"],
                lost_reason=form.cleaned_data["lost_reason"],
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(
                request,
                ngettext(
                    "Stage %(name)s deleted; %(n)s deal moved.",
                    "Stage %(name)s deleted; %(n)s deals moved.",
                    moved,
                )
                % {"name": stage.name, "n": moved},
            )
            return _to_pipeline(request, stage.pipeline_id)
    return render(
        request,
        "deals/settings_delete.html",
        {
            "form": form,
            "section": "pipelines",
            "subject": stage.name,
            "holding": holding,
            "back": stage.pipeline,
        },
        status=400 if form.errors else 200,
    )


@admin_view
def stage_transfer(request: WorkspaceRequest, stage_id: int) -> HttpResponse:
    """Move a stage to another pipeline, asking where its deals go (a stage of its own)."""
    stage = get_object_or_404(Stage.objects.select_related("pipeline"), pk=stage_id)
    holding = Deal.objects.filter(stage=stage).count()
    form = TransferForm(
        request.POST or None,
        pipelines=Pipeline.objects.exclude(pk=stage.pipeline_id),
        stages=Stage.objects.filter(pipeline=stage.pipeline).exclude(pk=stage.pk),
    )
    if request.method == "POST" and form.is_valid():
        try:
            moved = services.stage_transfer(actor=request.actor, stage=stage, **form.cleaned_data)
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(
                request,
                ngettext(
                    "Stage %(name)s moved to %(pipeline)s; %(n)s deal stayed behind.",
                    "Stage %(name)s moved to %(pipeline)s; %(n)s deals stayed behind.",
                    moved,
                )
                % {"name": stage.name, "pipeline": stage.pipeline.name, "n": moved},
            )
            return _to_pipeline(request, stage.pipeline_id)
    return render(
        request,
        "deals/settings_transfer.html",
        {"form": form, "section": "pipelines", "stage": stage, "holding": holding},
        status=400 if form.errors else 200,
    )


@admin_view
def lost_reasons(request: WorkspaceRequest) -> HttpResponse:
    """List the lost reasons; add one."""
    form = NameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.lost_reason_create(actor=request.actor, name=form.cleaned_data["name"])
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, _("Reason added."))
            return redirect("lost_reasons_settings", slug=request.workspace.slug)
    return render(
        request,
        "deals/settings_lost_reasons.html",
        {"form": form, "section": "lost_reasons", "reasons": LostReason.objects.all()},
        status=400 if form.errors else 200,
    )


@admin_view
@require_POST
def lost_reason_edit(request: WorkspaceRequest, reason_id: int) -> HttpResponse:
    """Rename, archive or restore a lost reason."""
    reason = get_object_or_404(LostReason, pk=reason_id)
    action = request.POST.get("action")
    try:
        if action in {"archive", "restore"}:
            services.lost_reason_archive(
                actor=request.actor, reason=reason, archived=action == "archive"
            )
        else:
            form = NameForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Give it a name of at most 80 characters."))
            services.lost_reason_rename(
                actor=request.actor, reason=reason, name=form.cleaned_data["name"]
            )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Reason saved."))
    return redirect("lost_reasons_settings", slug=request.workspace.slug)


@admin_view
def currencies(request: WorkspaceRequest) -> HttpResponse:
    """Show the exchange rates to the default currency; enter a new one."""
    default = request.workspace.default_currency
    form = ExchangeRateForm(request.POST or None, initial={"effective_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.exchange_rate_set(actor=request.actor, **form.cleaned_data)
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, _("Exchange rate saved."))
            return redirect("currencies_settings", slug=request.workspace.slug)
    return render(
        request,
        "deals/settings_currencies.html",
        {
            "form": form,
            "section": "currencies",
            "default": default,
            "current": sorted(selectors.exchange_rates(default).items()),
            "history": ExchangeRate.objects.filter(base_currency=default).select_related(
                "created_by"
            )[:200],
            "unrated": selectors.currencies_without_rate(default),
        },
        status=400 if form.errors else 200,
    )


def settings_urls() -> list[URLPattern]:
    """Return the deal settings pages, to mount under /w/<slug>/settings/."""
    return [
        path("pipelines/", pipelines, name="pipelines_settings"),
        path("pipelines/<int:pipeline_id>/", pipeline_settings, name="pipeline_settings"),
        path("pipelines/<int:pipeline_id>/move/", pipeline_move, name="pipeline_move"),
        path("pipelines/<int:pipeline_id>/delete/", pipeline_delete, name="pipeline_delete"),
        path("pipelines/<int:pipeline_id>/stages/", stage_create, name="stage_create"),
        path("stages/<int:stage_id>/", stage_update, name="stage_update"),
        path("stages/<int:stage_id>/move/", stage_move, name="stage_move"),
        path("stages/<int:stage_id>/delete/", stage_delete, name="stage_delete"),
        path("stages/<int:stage_id>/transfer/", stage_transfer, name="stage_transfer"),
        path("lost-reasons/", lost_reasons, name="lost_reasons_settings"),
        path("lost-reasons/<int:reason_id>/", lost_reason_edit, name="lost_reason_edit"),
        path("currencies/", currencies, name="currencies_settings"),
    ]
