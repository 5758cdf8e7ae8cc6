"""Background work of the duplicate scan."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.db.models import Q
from django.utils import timezone
from django_scopes import scopes_disabled

from halyard.duplicates.models import DuplicateScan, ScanStatus
from halyard.duplicates.services import duplicates_scan


@shared_task(acks_late=True, reject_on_worker_lost=True)
def run_scan(scan_id: int) -> None:
    """Run a queued scan (a redelivered one simply scans again: storing pairs is idempotent)."""
    with scopes_disabled():
        scan = DuplicateScan.objects.select_related("workspace").filter(pk=scan_id).first()
    if scan is None or scan.status == ScanStatus.DONE:
        return
    duplicates_scan(workspace=scan.workspace, scan=scan)


@shared_task
def resume_scans() -> int:
    """Queue again the scans a broker hiccup or a dead worker left unfinished."""
    now = timezone.now()
    with scopes_disabled():
        stale = list(
            DuplicateScan.objects.filter(
                Q(status=ScanStatus.QUEUED, created_at__lt=now - timedelta(minutes=2))
                | Q(status=ScanStatus.RUNNING, started_at__lt=now - timedelta(minutes=30)),
                created_at__gte=now - timedelta(hours=1),
            ).values_list("pk", flat=True)
        )
    for scan_id in stale:
        run_scan.delay(scan_id)
    return len(stale)
