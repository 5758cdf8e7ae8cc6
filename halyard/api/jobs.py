"""Background work of the API: forgetting idempotency keys once they expire."""

from __future__ import annotations

from celery import shared_task

from halyard.api.idempotency import idempotency_purge


@shared_task
def purge_idempotency_keys() -> int:
    """Delete the stored answers of idempotency keys that have expired."""
    return idempotency_purge()
