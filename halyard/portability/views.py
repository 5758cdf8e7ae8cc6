"""Settings → Data: export everything, watch the export, download the zip (admins only)."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _

from halyard.portability import selectors, services
from halyard.portability.jobs import enqueue_export
from halyard.portability.models import ExportStatus
from halyard.workspaces.access import WorkspaceRequest, admin_view


@admin_view
def data_settings(request: WorkspaceRequest) -> HttpResponse:
    """Show the workspace's exports and start a new one."""
    if request.method == "POST":
        services.export_request(actor=request.actor, on_commit=enqueue_export)
        return redirect("data_settings", request.workspace.slug)
    exports = list(selectors.export_list()[:20])
    for export in exports:
        export.percent = services.export_progress(export)  # type: ignore[attr-defined]
        export.available = services.export_file(export) is not None  # type: ignore[attr-defined]
    template = "portability/settings_data.html"
    if request.htmx and request.GET.get("part") == "exports":
        template += "#exports"
    return render(
        request,
        template,
        {
            "exports": exports,
            "busy": any(e.is_active for e in exports),
            "keep_days": services.KEEP_DAYS,
            "section": "data",
        },
    )


@admin_view
def export_download(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Send a finished export's zip to an administrator of its workspace."""
    export = selectors.export_list().filter(pk=pk, status=ExportStatus.DONE).first()
    file = services.export_file(export) if export is not None else None
    if export is None or file is None:
        raise Http404(_("This export is no longer available. Start a new one."))
    stamp = timezone.localtime(export.finished_at).strftime("%Y%m%d-%H%M")
    response: HttpResponse = FileResponse(  # type: ignore[assignment]
        file.open("rb"),
        as_attachment=True,
        filename=f"halyard-{request.workspace.slug}-{stamp}.zip",
        content_type="application/zip",
    )
    return response


def settings_urls() -> list[URLPattern]:
    return [
        path("data/", data_settings, name="data_settings"),
        path("data/exports/<int:pk>/download/", export_download, name="export_download"),
    ]
