"""Background work of the duplicate scan."""

from __future__ import annotations

from celery import shared_task
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
