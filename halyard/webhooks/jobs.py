"""Celery tasks that send webhook deliveries."""

from __future__ import annotations

from celery import shared_task

from halyard.webhooks.services import delivery_attempt, relay_due


@shared_task(acks_late=True)
def deliver_webhook(delivery_id: int) -> None:
    """Try one delivery; the service schedules its retry (backoff) itself."""
    delivery_attempt(delivery_id)


@shared_task
def relay_deliveries() -> int:
    """Enqueue open deliveries whose message was lost."""
    return relay_due()
