"""Domain events: recorded in the outbox inside the write's transaction, delivered after commit."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from halyard.core.context import Actor
from halyard.core.models import OutboxEvent

Handler = Callable[[OutboxEvent], None]
Interest = Callable[[Any, str], bool]
_SUBSCRIBERS: dict[str, list[Handler]] = defaultdict(list)
_INTERESTS: dict[Handler, Interest] = {}


def subscribe(*names: str, when: Interest | None = None) -> Callable[[Handler], Handler]:
    """Register a handler for the named events ("*" for all); handlers must be idempotent.

    `when(workspace, name)` lets a wide subscriber (webhooks) say cheaply, at record time,
    that it has nothing to do, so an event nobody wants is not queued at all.
    """

    def register(handler: Handler) -> Handler:
        for name in names:
            _SUBSCRIBERS[name].append(handler)
        if when is not None:
            _INTERESTS[handler] = when
        return handler

    return register


def interested(handler: Handler, workspace: Any, name: str) -> bool:
    """Say whether a handler wants an event of this workspace (true unless it said otherwise)."""
    interest = _INTERESTS.get(handler)
    return interest is None or interest(workspace, name)


def event_wanted(workspace: Any, name: str) -> bool:
    """Tell whether any subscriber wants this event of this workspace delivered."""
    return any(interested(h, workspace, name) for h in subscribers_for(name))


def subscribers_for(name: str) -> list[Handler]:
    """Return the handlers for an event name, wildcard handlers included."""
    return [*_SUBSCRIBERS.get(name, []), *_SUBSCRIBERS.get("*", [])]


def handler_key(handler: Handler) -> str:
    """Return the stable name under which a handler's deliveries are recorded."""
    return f"{handler.__module__}.{handler.__qualname__}"


def event_record(*, actor: Actor, name: str, payload: dict[str, Any]) -> OutboxEvent:
    """Record a domain event in the current transaction and schedule its delivery after commit."""
    body = {
        **payload,
        "actor_id": actor.user.pk if actor.user else None,
        "source": actor.source,
    }
    if not event_wanted(actor.workspace, name):  # kept for the record; nothing to deliver
        return OutboxEvent.objects.create(
            workspace=actor.workspace, name=name, payload=body, dispatched_at=timezone.now()
        )
    event = OutboxEvent.objects.create(workspace=actor.workspace, name=name, payload=body)
    transaction.on_commit(lambda: _enqueue(event.pk))
    return event


def _enqueue(event_id: int) -> None:
    from halyard.core.jobs import dispatch_event

    try:
        dispatch_event.delay(event_id)
    except Exception:  # the relay will pick it up; a broker hiccup must not fail the request
        import logging

        logging.getLogger(__name__).warning("event %s not enqueued; the relay will retry", event_id)
