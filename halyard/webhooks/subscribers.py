"""Turn outbox events into webhook deliveries (run by the background worker, after commit)."""

from __future__ import annotations

from halyard.core.events import subscribe
from halyard.core.models import OutboxEvent
from halyard.webhooks.services import deliveries_create, has_subscriptions


@subscribe("*", when=has_subscriptions)
def queue_webhooks(event: OutboxEvent) -> None:
    """Create one delivery per subscription that wants the event; each is sent by its own task."""
    deliveries_create(event)
