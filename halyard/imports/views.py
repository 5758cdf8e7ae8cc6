"""Pages of the import wizard: upload, map, watch, cancel, undo, error report, history."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from halyard.core.forms import add_validation_errors
from halyard.customfields.models import CustomField, FieldType
from halyard.customfields.services import custom_field_create, custom_field_options_add
from halyard.imports import mapping as fields
from halyard.imports import selectors, services
from halyard.imports.columns import SAMPLE_ROWS, column_profiles, missing_choices
from halyard.imports.forms import MappingForm, UploadForm
from halyard.imports.jobs import enqueue_import
from halyard.imports.models import Import, ImportStatus, ImportType
from halyard.workspaces import permissions
from halyard.workspaces.access import WorkspaceRequest, workspace_view

# Whole phrases, so that each language can word them its own way.
IMPORT_TITLES = {
    "contacts": gettext_lazy("Import contacts"),
    "companies": gettext_lazy("Import companies"),
}


def _job_for_member(request: WorkspaceRequest, pk: int) -> Import:
    """Return an import of this workspace that the member may import into, or 404."""
    job = selectors.import_list(request.membership).filter(pk=pk).first()
    if job is None:
        raise Http404(_("No such import."))
    return job


@workspace_view
def import_list(request: WorkspaceRequest) -> HttpResponse:
    """List the workspace's imports, newest first."""
    types = selectors.importable_types(request.membership)
    if not types:
        raise PermissionDenied(_("Your role does not allow importing."))
    jobs = list(selectors.import_list(request.membership)[:100])
    return render(
        request,
        "imports/import_list.html",
        {"jobs": jobs, "types": [(t, IMPORT_TITLES[t]) for t in types]},
    )


@workspace_view
def import_upload(request: WorkspaceRequest, record_type: str) -> HttpResponse:
    """Take the file to import into a record type."""
    if record_type not in ImportType.values:
        raise Http404(_("No such record type."))
    if record_type not in selectors.importable_types(request.membership):
        raise PermissionDenied(_("Your role does not allow importing these records."))
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.import_upload(
                actor=request.actor, record_type=record_type, upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            return redirect("imports_detail", request.workspace.slug, job.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "imports/import_upload.html",
        {
            "form": form,
            "record_type": record_type,
            "title": IMPORT_TITLES[record_type],
        },
        status=status,
    )


@dataclass
class ColumnRow:
    """One column on the mapping page: its select, first values, and field helpers."""

    field: Any
    samples: list[str]
    position: str
    new_label: str = ""
    new_type: str = FieldType.TEXT
    new_options: str = ""
    new_error: str = ""
    missing: list[str] = dc_field(default_factory=list)
    missing_field: CustomField | None = None


def _kept_mapping(request: WorkspaceRequest, job: Import) -> dict[str, str]:
    """Return the mapping the member had chosen on the page they posted."""
    return {str(i): request.POST.get(f"col_{i}", "") for i in range(len(job.headers))}


def _kept_options(request: WorkspaceRequest) -> dict[str, str]:
    names = ("duplicates", "on_error", "save_as")
    return {k: request.POST[k] for k in names if k in request.POST}


def _field_action(request: WorkspaceRequest, job: Import) -> tuple[dict[str, str], dict[str, str]]:
    """Create a custom field from a column, or add a select field's missing choices.

    Returns the mapping to show again (with the new field chosen for its column) and errors by
    column. The rest of what the member chose on the page is kept.
    """
    mapping = _kept_mapping(request, job)
    errors: dict[str, str] = {}
    column = request.POST.get("new_field") or request.POST.get("add_options") or ""
    if column not in mapping:
        return mapping, errors
    try:
        if "new_field" in request.POST:
            definition = custom_field_create(
                actor=request.actor,
                record_type=job.record_type,
                label=request.POST.get(f"nf_label_{column}", "")[:80],
                field_type=request.POST.get(f"nf_type_{column}", ""),
                options=request.POST.get(f"nf_options_{column}", "").splitlines(),
            )
            mapping = {
                c: f for c, f in mapping.items() if f != f"{fields.CUSTOM_PREFIX}{definition.key}"
            }
            mapping[column] = f"{fields.CUSTOM_PREFIX}{definition.key}"
            messages.success(
                request,
                _("The field “%(label)s” was created and this column goes into it.")
                % {"label": definition.label},
            )
        else:
            key = mapping[column].removeprefix(fields.CUSTOM_PREFIX)
            select = CustomField.objects.filter(record_type=job.record_type, key=key).first()
            if select is None:
                raise ValidationError(_("Choose a select field for this column first."))
            added = missing_choices(column_profiles(job)[int(column)], select)
            custom_field_options_add(actor=request.actor, definition=select, options=added)
            messages.success(
                request,
                ngettext(
                    "%(count)s choice was added to “%(label)s”.",
                    "%(count)s choices were added to “%(label)s”.",
                    len(added),
                )
                % {"count": len(added), "label": select.label},
            )
    except ValidationError as exc:
        errors[column] = " ".join(exc.messages)
    except PermissionDenied as exc:
        errors[column] = str(exc)
    return mapping, errors


def _mapping_page(request: WorkspaceRequest, job: Import) -> HttpResponse:
    templates = selectors.templates_for(job.record_type)
    chosen = request.GET.get("template", "")
    template = next((t for t in templates if str(t.pk) == chosen), None)
    if template is None and not chosen:
        template = selectors.best_template(job, templates)
    field_errors: dict[str, str] = {}
    helper_post = request.method == "POST" and (
        "new_field" in request.POST or "add_options" in request.POST
    )
    if helper_post:
        initial_mapping, field_errors = _field_action(request, job)
    else:
        initial_mapping = selectors.mapping_suggestion(job, template)
    custom = services.custom_definitions(job.record_type)
    bound = request.method == "POST" and not helper_post
    form = MappingForm(
        request.POST if bound else None,
        headers=job.headers,
        choices=fields.field_choices(job.record_type, custom),
        initial_mapping=initial_mapping,
        initial={
            k: request.POST.get(k)
            for k in ("duplicates", "on_error", "save_as")
            if k in request.POST
        }
        if helper_post
        else None,
    )
    if request.method == "POST" and "sheet" in request.POST:
        try:
            services.import_choose_sheet(actor=request.actor, job=job, sheet=request.POST["sheet"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("imports_detail", request.workspace.slug, job.pk)
    if bound and form.is_valid():
        try:
            services.import_configure(
                actor=request.actor,
                job=job,
                mapping=form.mapping(),
                duplicates=form.cleaned_data["duplicates"],
                errors=form.cleaned_data["on_error"],
                template_name=form.cleaned_data["save_as"],
                on_commit=enqueue_import,
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            return redirect("imports_detail", request.workspace.slug, job.pk)
    rows = selectors.preview_rows(job)
    profiles = column_profiles(job)
    selects = {
        f"{fields.CUSTOM_PREFIX}{d.key}": d
        for d in custom
        if d.field_type in {FieldType.SELECT, FieldType.MULTI_SELECT}
    }
    current = form.data if bound else None
    columns = []
    for column, name in form.columns:
        profile = profiles[int(column)]
        row = ColumnRow(
            field=form[name],
            samples=[r[int(column)] if int(column) < len(r) else "" for r in rows],
            position=column,
            new_label=request.POST.get(f"nf_label_{column}", "") if column in field_errors else "",
            new_error=field_errors.get(column, ""),
        )
        if column not in field_errors:
            row.new_label = job.headers[int(column)][:80]
            row.new_type = profile.field_type
            row.new_options = "\n".join(profile.choices)
        else:
            row.new_type = request.POST.get(f"nf_type_{column}", FieldType.TEXT)
            row.new_options = request.POST.get(f"nf_options_{column}", "")
        chosen_field = (current or {}).get(name) if current else initial_mapping.get(column, "")
        if chosen_field in selects:
            row.missing_field = selects[chosen_field]
            row.missing = missing_choices(profile, row.missing_field)
        columns.append(row)
    return render(
        request,
        "imports/import_map.html",
        {
            "job": job,
            "form": form,
            "columns": columns,
            "templates": templates,
            "template": template,
            "sheets": job.options.get("sheets", []),
            "can_define_fields": permissions.is_admin(request.membership),
            "field_types": [(v, label) for v, label in FieldType.choices if v != FieldType.USER],
            "sample_rows": SAMPLE_ROWS,
        },
        status=400 if (bound or field_errors) else 200,
    )


@workspace_view
def import_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Map the columns of a new import, or show the progress and results of a started one."""
    job = _job_for_member(request, pk)
    if job.status == ImportStatus.UPLOADED:
        return _mapping_page(request, job)
    template = "imports/import_detail.html"
    if request.htmx:
        template += "#progress"
    return render(request, template, {"job": job, "time_left": services.time_left(job)})


@workspace_view
@require_POST
def import_cancel(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Stop an import after the rows it is writing."""
    job = _job_for_member(request, pk)
    services.import_cancel(actor=request.actor, job=job)
    messages.success(request, _("The import is being stopped."))
    return redirect("imports_detail", request.workspace.slug, job.pk)


@workspace_view
@require_POST
def import_undo(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Undo an import: created records go to the trash, updated ones get their values back."""
    job = _job_for_member(request, pk)
    try:
        services.import_undo(actor=request.actor, job=job, on_commit=enqueue_import)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("The import is being undone."))
    return redirect("imports_detail", request.workspace.slug, job.pk)


@workspace_view
def import_errors(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Download the rows that failed or were skipped, with the reason, as CSV."""
    job = _job_for_member(request, pk)
    response: HttpResponse = StreamingHttpResponse(  # type: ignore[assignment]
        selectors.error_report(job), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
    return response


def urls() -> list[URLPattern]:
    """Return the import pages, mounted under /w/<slug>/imports/."""
    return [
        path("", import_list, name="imports_list"),
        path("new/<str:record_type>/", import_upload, name="imports_upload"),
        path("<int:pk>/", import_detail, name="imports_detail"),
        path("<int:pk>/cancel/", import_cancel, name="imports_cancel"),
        path("<int:pk>/undo/", import_undo, name="imports_undo"),
        path("<int:pk>/errors.csv", import_errors, name="imports_errors"),
    ]
