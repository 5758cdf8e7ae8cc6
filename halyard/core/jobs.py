"""Background delivery of domain events to their subscribers."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from halyard.core.events import handler_key, interested, subscribers_for
from halyard.core.models import EventDelivery, OutboxEvent

log = logging.getLogger(__name__)


class DeliveryFailed(Exception):
    """At least one subscriber failed; the event is retried for those that did not succeed."""


@shared_task(
    bind=True,
    autoretry_for=(DeliveryFailed,),
    retry_backoff=2,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=10,
)
def dispatch_event(self, event_id: int) -> None:
    """Run every subscriber of an event once; failed ones are retried with backoff."""
    event_deliver(event_id)


def event_deliver(event_id: int) -> None:
    """Deliver one event to each subscriber that has not handled it yet."""
    event = OutboxEvent.objects.filter(pk=event_id).first()
    if event is None or event.dispatched_at is not None:
        return
    done = set(EventDelivery.objects.filter(event=event).values_list("subscriber", flat=True))
    failures = []
    for handler in subscribers_for(event.name):
        key = handler_key(handler)
        if key in done or not interested(handler, event.workspace_id, event.name):
            continue
        try:
            with transaction.atomic():
                handler(event)
                EventDelivery.objects.create(event=event, subscriber=key)
        except IntegrityError:
            continue  # another worker delivered it first
        except Exception as exc:
            log.exception("subscriber %s failed on event %s", key, event.pk)
            failures.append(f"{key}: {exc}")
    OutboxEvent.objects.filter(pk=event.pk).update(
        attempts=event.attempts + 1,
        last_error="\n".join(failures)[:4000],
        dispatched_at=None if failures else timezone.now(),
    )
    if failures:
        raise DeliveryFailed("; ".join(failures))


@shared_task
def relay_outbox() -> int:
    """Enqueue events whose delivery was never enqueued or was lost (a process died)."""
    now = timezone.now()
    # Events still waiting in the queue are not sent again: only those never relayed, or
    # relayed long enough ago that their message must have been lost.
    ids = list(
        OutboxEvent.objects.filter(
            dispatched_at__isnull=True, created_at__lt=now - timedelta(seconds=30), attempts__lt=10
        )
        .filter(Q(relayed_at__isnull=True) | Q(relayed_at__lt=now - timedelta(minutes=15)))
        .order_by("created_at")
        .values_list("pk", flat=True)[:500]
    )
    OutboxEvent.objects.filter(pk__in=ids).update(relayed_at=now)
    for event_id in ids:
        dispatch_event.delay(event_id)
    return len(ids)
