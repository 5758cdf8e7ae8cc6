"""Exporting a whole workspace: from the command line, or in the background for an admin."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from halyard.audit.models import AuditAction
from halyard.audit.services import audit_write
from halyard.core.context import Actor, Source
from halyard.portability.archive import Progress, workspace_archive_write
from halyard.portability.models import ExportStatus, WorkspaceExport
from halyard.workspaces import permissions
from halyard.workspaces.models import Workspace

log = logging.getLogger(__name__)
KEEP_DAYS = 7
# An export still queued or running after this long lost its worker.
STALE_AFTER = timedelta(hours=2)


def _audit_export(
    *, workspace: Workspace, manifest: dict[str, Any], actor: Actor | None, label: str
) -> None:
    counts = {name: entry["rows"] for name, entry in manifest["tables"].items()}
    audit_write(
        action=AuditAction.EXPORT,
        actor=actor,
        workspace=workspace,
        source=actor.source if actor else Source.SYSTEM,
        label=label,
        obj=workspace,
        changes={"workspace_export": [None, {"rows": counts, "files": len(manifest["files"])}]},
    )


def workspace_export_to_file(
    *, workspace: Workspace, path: Path, progress: Progress | None = None
) -> dict[str, Any]:
    """Write the workspace to a zip at `path` (operator's command) and audit it."""
    manifest = workspace_archive_write(workspace=workspace, path=path, progress=progress)
    with scopes_disabled():
        _audit_export(
            workspace=workspace, manifest=manifest, actor=None, label="halyard export-workspace"
        )
    return manifest


def export_dir(workspace_id: int) -> Path:
    return Path(settings.VAR_DIR) / "exports" / str(workspace_id)


def _progress_path(export: WorkspaceExport) -> Path:
    return export_dir(export.workspace_id) / f"{export.pk}.progress"


def export_progress(export: WorkspaceExport) -> int:
    """Return how far a running export is, in percent (the worker writes it to a small file)."""
    if export.status == ExportStatus.DONE:
        return 100
    try:
        data = json.loads(_progress_path(export).read_text())
        return min(99, int(data["done"]) * 100 // max(int(data["total"]), 1))
    except (OSError, ValueError, KeyError, TypeError):
        return 0


def export_request(
    *, actor: Actor, on_commit: Callable[[int], None] | None = None
) -> WorkspaceExport:
    """Queue an export of the whole workspace (administrators only); one runs at a time."""
    if not permissions.is_admin(actor.membership):
        raise PermissionDenied(_("Only administrators can export the whole workspace."))
    with transaction.atomic():
        running = WorkspaceExport.objects.filter(
            status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING]
        ).first()
        if running is not None and running.created_at > timezone.now() - STALE_AFTER:
            return running
        if running is not None:  # its worker died or it was never queued: let a new one run
            running.status = ExportStatus.FAILED
            running.message = _("The export stopped responding; a new one was started.")
            running.finished_at = timezone.now()
            running.save(update_fields=["status", "message", "finished_at"])
        export = WorkspaceExport.objects.create(workspace=actor.workspace, requested_by=actor.user)
        if on_commit is not None:
            pk = export.pk
            transaction.on_commit(lambda: on_commit(pk))
    return export


def export_run(export_id: int) -> None:
    """Write a queued export's zip; safe to run twice (a finished export is left alone)."""
    with scopes_disabled():
        export = (
            WorkspaceExport.objects.select_related("workspace", "requested_by")
            .filter(pk=export_id)
            .first()
        )
        if export is None or export.status not in (ExportStatus.QUEUED, ExportStatus.RUNNING):
            return
        export.status = ExportStatus.RUNNING
        export.started_at = timezone.now()
        export.save(update_fields=["status", "started_at"])
        relative = Path("exports") / str(export.workspace_id) / f"{uuid.uuid4().hex}.zip"
        target = Path(settings.VAR_DIR) / relative
        progress_file = _progress_path(export)

        def progress(done: int, total: int, table: str) -> None:
            progress_file.parent.mkdir(parents=True, exist_ok=True)
            progress_file.write_text(json.dumps({"done": done, "total": total, "table": table}))

        try:
            manifest = workspace_archive_write(
                workspace=export.workspace, path=target, progress=progress
            )
        except Exception as exc:
            log.exception("workspace export %s failed", export_id)
            target.unlink(missing_ok=True)
            export.status = ExportStatus.FAILED
            export.message = str(exc)[:2000]
            export.finished_at = timezone.now()
            export.save(update_fields=["status", "message", "finished_at"])
            return
        finally:
            progress_file.unlink(missing_ok=True)
        with transaction.atomic():
            export.status = ExportStatus.DONE
            export.file_path = str(relative)
            export.file_size = target.stat().st_size
            export.counts = {name: entry["rows"] for name, entry in manifest["tables"].items()}
            export.finished_at = timezone.now()
            export.expires_at = export.finished_at + timedelta(days=KEEP_DAYS)
            export.save()
            user = export.requested_by
            actor = Actor(workspace=export.workspace, user=user, membership=None, source=Source.WEB)
            _audit_export(workspace=export.workspace, manifest=manifest, actor=actor, label="")


def export_file(export: WorkspaceExport) -> Path | None:
    """Return the zip of a finished export that has not expired, if it is still on disk."""
    if export.status != ExportStatus.DONE or not export.file_path:
        return None
    if export.expires_at is not None and export.expires_at <= timezone.now():
        return None
    path = Path(settings.VAR_DIR) / export.file_path
    return path if path.is_file() else None


def exports_purge() -> int:
    """Delete the files of exports past their keeping time; return how many expired."""
    now = timezone.now()
    count = 0
    with scopes_disabled():
        expired = WorkspaceExport.objects.filter(status=ExportStatus.DONE, expires_at__lte=now)
        for export in expired.iterator():
            if export.file_path:
                (Path(settings.VAR_DIR) / export.file_path).unlink(missing_ok=True)
            export.status = ExportStatus.EXPIRED
            export.file_path = ""
            export.save(update_fields=["status", "file_path"])
            count += 1
    return count
