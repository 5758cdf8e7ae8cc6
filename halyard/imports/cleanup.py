"""Uploads nobody went on with: removed after a day, with their files and stray files too."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django_scopes import scopes_disabled

from halyard.imports.models import Import, ImportStatus
from halyard.imports.services import discard_file, import_dir

ABANDONED_AFTER = timedelta(hours=24)
# Statuses whose upload is still read (mapping, running, or resuming after a crash).
KEEPS_FILE = (ImportStatus.UPLOADED, ImportStatus.QUEUED, ImportStatus.RUNNING)


def abandoned_imports_remove(now: datetime | None = None) -> int:
    """Delete imports uploaded but never started, and upload files no import refers to.

    An upload becomes an import only when its mapping is confirmed; until then it holds a
    customer's file on disk that nobody looks at. After ABANDONED_AFTER both go, and so does
    any file in the uploads folder that no live import reads (left by a crash mid-upload).
    Returns how many imports were removed.
    """
    limit = (now or timezone.now()) - ABANDONED_AFTER
    with scopes_disabled():
        stale = list(Import.objects.filter(status=ImportStatus.UPLOADED, created_at__lt=limit))
        for job in stale:
            discard_file(job)
        Import.objects.filter(pk__in=[j.pk for j in stale]).delete()
        paths = Import.objects.filter(status__in=KEEPS_FILE).values_list("file_path", flat=True)
        known = {(Path(settings.VAR_DIR) / p).resolve() for p in paths}
    root = import_dir()
    if root.is_dir():
        for path in root.rglob("*"):
            if (
                path.is_file()
                and path.resolve() not in known
                and path.stat().st_mtime < limit.timestamp()
            ):
                path.unlink(missing_ok=True)
    return len(stale)
