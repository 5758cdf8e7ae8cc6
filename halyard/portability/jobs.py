"""Background work of workspace exports."""

from __future__ import annotations

import logging

from celery import shared_task

from halyard.portability.services import export_run, exports_purge

log = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def run_export(export_id: int) -> None:
    """Write a workspace export's zip (again from the start when redelivered after a crash)."""
    export_run(export_id)


def enqueue_export(export_id: int) -> None:
    """Queue an export (called after the transaction that created it commits)."""
    try:
        run_export.delay(export_id)
    except Exception:  # a broker hiccup must not fail the page; the admin can start it again
        log.warning("workspace export %s not queued", export_id)


@shared_task
def purge_exports() -> int:
    """Delete the export files whose keeping time is over."""
    return exports_purge()
