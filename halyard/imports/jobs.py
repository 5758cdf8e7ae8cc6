"""Background work of imports."""

from __future__ import annotations

import logging

from celery import shared_task

from halyard.imports.services import import_work, stale_imports

log = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def run_import(import_id: int) -> None:
    """Run or undo an import, resuming where it stopped when redelivered after a crash."""
    import_work(import_id)


def enqueue_import(import_id: int) -> None:
    """Queue an import run (called after the transaction that configured it commits)."""
    try:
        run_import.delay(import_id)
    except Exception:  # a broker hiccup must not fail the page; resume_imports queues it later
        log.warning("import %s not queued; resume_imports will queue it", import_id)


@shared_task
def resume_imports() -> int:
    """Queue again the imports a dead worker left half-done; they carry on from their position."""
    ids = stale_imports()
    for import_id in ids:
        run_import.delay(import_id)
    return len(ids)


@shared_task
def remove_abandoned_imports() -> int:
    """Delete uploads that were never mapped and files no import uses (see imports.cleanup)."""
    from halyard.imports.cleanup import abandoned_imports_remove

    return abandoned_imports_remove()
