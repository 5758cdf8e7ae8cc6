"""Writes on webhooks: subscriptions, the deliveries the outbox creates, and each attempt."""

from __future__ import annotations

import json
import logging
import secrets
import time
import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from halyard.audit.models import AuditAction
from halyard.audit.services import audit_write
from halyard.core.context import Actor
from halyard.core.events import event_record
from halyard.core.models import OutboxEvent
from halyard.webhooks import transport
from halyard.webhooks.catalogue import EVENT_NAMES, PING
from halyard.webhooks.models import (
    OPEN_STATUSES,
    DeliveryStatus,
    SubscriptionState,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from halyard.workspaces import permissions

log = logging.getLogger(__name__)


class VersionConflict(Exception):
    """The subscription changed since it was read."""

    def __init__(self, subscription: WebhookSubscription) -> None:
        super().__init__(_("This webhook changed since you read it."))
        self.record = subscription


def _require_admin(actor: Actor) -> None:
    if actor.user is None and actor.membership is None:
        return  # work started by the system itself
    if not permissions.is_admin(actor.membership):
        raise PermissionDenied(_("Only administrators can manage webhooks."))


def new_secret() -> str:
    """Return a fresh signing secret."""
    return "whsec_" + secrets.token_urlsafe(32)


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    if "url" in values:
        url = str(values["url"] or "").strip()
        if len(url) > 2000:
            errors["url"] = [_("Keep the address under 2,000 characters.")]
        else:
            try:
                transport.url_check(url)
            except ValidationError as exc:
                errors["url"] = exc.messages
        clean["url"] = url
    if "description" in values:
        clean["description"] = str(values["description"] or "").strip()[:200]
    if "all_events" in values:
        clean["all_events"] = bool(values["all_events"])
    if "events" in values:
        names = list(dict.fromkeys(values["events"] or []))
        unknown = [n for n in names if n not in EVENT_NAMES]
        if unknown:
            errors["events"] = [
                _("Unknown event: %(names)s.") % {"names": ", ".join(map(str, unknown))}
            ]
        clean["events"] = sorted(names)
    if errors:
        raise ValidationError(errors)
    return clean


def _check_events(subscription: WebhookSubscription) -> None:
    if not subscription.all_events and not subscription.events:
        raise ValidationError({"events": [_("Choose at least one event, or all events.")]})


def _snapshot(subscription: WebhookSubscription) -> dict[str, Any]:
    return {
        "url": subscription.url,
        "description": subscription.description,
        "events": "*" if subscription.all_events else ", ".join(subscription.events),
        "state": subscription.state,
    }


def _audit(
    actor: Actor,
    action: str,
    subscription: WebhookSubscription,
    before: dict[str, Any],
    extra: dict[str, Any] | None = None,
) -> None:
    after = _snapshot(subscription) if action != AuditAction.DELETE else {}
    changes = {
        k: [before.get(k), after.get(k)] for k in after or before if before.get(k) != after.get(k)
    }
    changes.update(extra or {})
    audit_write(actor=actor, action=action, obj=subscription, changes=changes)


def subscription_create(*, actor: Actor, values: dict[str, Any]) -> WebhookSubscription:
    """Add a webhook; its new secret is on `.secret` (shown once by the caller)."""
    _require_admin(actor)
    clean = _clean({"url": values.get("url", ""), **values})
    subscription = WebhookSubscription(
        workspace=actor.workspace, owner=actor.user, secret=new_secret(), **clean
    )
    _check_events(subscription)
    with transaction.atomic():
        subscription.save()
        _audit(actor, AuditAction.CREATE, subscription, {})
    return subscription


def subscription_update(
    *,
    actor: Actor,
    subscription: WebhookSubscription,
    values: dict[str, Any],
    expected_version: int | None = None,
) -> WebhookSubscription:
    """Change a webhook's address, description or events."""
    _require_admin(actor)
    clean = _clean(values)
    with transaction.atomic():
        current = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
        if expected_version is not None and current.version != expected_version:
            raise VersionConflict(current)
        before = _snapshot(current)
        for name, value in clean.items():
            setattr(current, name, value)
        _check_events(current)
        if _snapshot(current) == before:
            return current
        current.version += 1
        current.save()
        _audit(actor, AuditAction.UPDATE, current, before)
    return current


def subscription_set_state(
    *, actor: Actor, subscription: WebhookSubscription, active: bool
) -> WebhookSubscription:
    """Pause a webhook, or resume it (its waiting deliveries go out again)."""
    _require_admin(actor)
    with transaction.atomic():
        current = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
        state = SubscriptionState.ACTIVE if active else SubscriptionState.PAUSED
        if current.state == state:
            return current
        before = _snapshot(current)
        current.state = state
        current.paused_reason = ""
        if active:
            current.consecutive_failures = 0
            current.failing_since = None
        current.version += 1
        current.save()
        _audit(actor, AuditAction.UPDATE, current, before)
        if active:
            ids = list(
                WebhookDelivery.objects.filter(subscription=current, status__in=OPEN_STATUSES)
                .order_by("pk")
                .values_list("pk", flat=True)[:1000]
            )
            transaction.on_commit(lambda: _enqueue_all(ids))
    return current


def subscription_rotate_secret(
    *, actor: Actor, subscription: WebhookSubscription
) -> WebhookSubscription:
    """Give a webhook a new secret; deliveries from now on are signed with it."""
    _require_admin(actor)
    with transaction.atomic():
        current = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
        current.secret = new_secret()
        current.version += 1
        current.save(update_fields=["secret", "version"])
        _audit(actor, AuditAction.UPDATE, current, _snapshot(current), {"secret": ["…", "…"]})
    return current


def subscription_delete(*, actor: Actor, subscription: WebhookSubscription) -> None:
    """Delete a webhook and its delivery log."""
    _require_admin(actor)
    with transaction.atomic():
        _audit(actor, AuditAction.DELETE, subscription, _snapshot(subscription))
        subscription.delete()


# Deliveries ---------------------------------------------------------------------------------


def event_body(event: OutboxEvent) -> dict[str, Any]:
    """Return the JSON document a webhook receives for an outbox event."""
    payload = dict(event.payload)
    body: dict[str, Any] = {
        "event": event.name,
        "id": str(event.pk),
        "occurred_at": event.created_at.isoformat(),
        "workspace": {"id": str(event.workspace_id), "slug": event.workspace.slug},
        "data": payload.get("data") or {"id": str(payload.get("id", ""))},
    }
    if "changes" in payload:
        body["changes"] = payload["changes"]
    details = {
        k: v for k, v in payload.items() if k not in ("id", "data", "changes", "actor_id", "source")
    }
    if details:
        body["details"] = details
    actor_id = payload.get("actor_id")
    body["actor"] = {"id": str(actor_id) if actor_id else None, "source": payload.get("source")}
    return body


def _dumps(body: dict[str, Any]) -> str:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def has_subscriptions(workspace: Any, name: str) -> bool:
    """Say whether any active webhook of a workspace could want this event (one query)."""
    if name not in EVENT_NAMES:
        return False
    with scopes_disabled():
        return WebhookSubscription.objects.filter(
            workspace=workspace, state=SubscriptionState.ACTIVE
        ).exists()


def deliveries_create(event: OutboxEvent) -> list[WebhookDelivery]:
    """Create one delivery per active subscription of the event's workspace that wants it."""
    if event.name not in EVENT_NAMES:
        return []
    made = []
    with scopes_disabled():
        subscriptions = [
            s
            for s in WebhookSubscription.objects.filter(
                workspace_id=event.workspace_id, state=SubscriptionState.ACTIVE
            )
            if s.wants(event.name)
        ]
        if not subscriptions:
            return []
        body = _dumps(event_body(event))
        record_key = f"{event.name.split('.')[0]}:{event.payload.get('id', '')}"
        for subscription in subscriptions:
            delivery, created = WebhookDelivery.objects.get_or_create(
                subscription=subscription,
                event=event,
                defaults={
                    "workspace_id": event.workspace_id,
                    "event_name": event.name,
                    "record_key": record_key,
                    "body": body,
                },
            )
            if created:
                made.append(delivery)
    ids = [d.pk for d in made]
    transaction.on_commit(lambda: _enqueue_all(ids))
    return made


def _enqueue_all(ids: list[int]) -> None:
    for pk in ids:
        _enqueue(pk)


def _enqueue(delivery_id: int, eta: Any = None) -> None:
    from halyard.webhooks.jobs import deliver_webhook

    try:
        deliver_webhook.apply_async((delivery_id,), eta=eta)
    except Exception:  # the relay picks it up; a broker hiccup must not fail the caller
        log.warning("webhook delivery %s not enqueued; the relay will retry", delivery_id)


def _headers(delivery: WebhookDelivery, secret: str) -> dict[str, str]:
    return {
        "Halyard-Event": delivery.event_name,
        "Halyard-Delivery": str(delivery.pk),
        "Halyard-Signature": transport.sign(secret, int(time.time()), delivery.body),
    }


def _blocked(delivery: WebhookDelivery) -> bool:
    """Say whether an earlier delivery about the same record is still on its way."""
    if not delivery.record_key:
        return False
    return WebhookDelivery.objects.filter(
        subscription_id=delivery.subscription_id,
        record_key=delivery.record_key,
        status__in=OPEN_STATUSES,
        pk__lt=delivery.pk,
    ).exists()


def delivery_attempt(delivery_id: int) -> WebhookDelivery | None:
    """Try a due delivery once; schedule its retry or mark it done (run by the worker)."""
    now = timezone.now()
    with scopes_disabled(), transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .select_related("subscription")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status not in OPEN_STATUSES:
            return delivery
        if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
            return delivery  # not due yet, or another worker is sending it right now
        if not delivery.subscription.is_active or _blocked(delivery):
            return delivery  # sent on resume, or when the earlier one is done
        # A lease: a duplicate message meanwhile finds the delivery not due.
        lease = now + timedelta(seconds=settings.WEBHOOK_TIMEOUT + 60)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=lease)
        headers = _headers(delivery, delivery.subscription.secret)
    outcome = transport.post(delivery.subscription.url, delivery.body, headers)
    return _record_outcome(delivery.pk, outcome, retry=True)


def _record_outcome(delivery_id: int, outcome: transport.Outcome, retry: bool) -> WebhookDelivery:
    now = timezone.now()
    with scopes_disabled(), transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .select_related("subscription", "subscription__workspace")
            .get(pk=delivery_id)
        )
        subscription = WebhookSubscription.objects.select_for_update().get(
            pk=delivery.subscription_id
        )
        WebhookAttempt.objects.create(
            workspace_id=delivery.workspace_id,
            delivery=delivery,
            number=delivery.attempt_log.count() + 1,
            started_at=now - timedelta(milliseconds=outcome.duration_ms),
            request_headers=outcome.headers,
            status_code=outcome.status_code,
            response_excerpt=outcome.excerpt,
            duration_ms=outcome.duration_ms,
            error=outcome.error,
        )
        delivery.attempts += 1
        delivery.last_status_code = outcome.status_code
        delivery.last_duration_ms = outcome.duration_ms
        delivery.last_error = outcome.error
        schedule = list(settings.WEBHOOK_RETRY_SCHEDULE)
        counts = delivery.event_name != PING  # a test never pauses a webhook
        if outcome.ok:
            delivery.status = DeliveryStatus.SUCCEEDED
            delivery.next_attempt_at = None
            delivery.completed_at = now
            if counts:
                subscription.consecutive_failures = 0
                subscription.failing_since = None
        elif retry and delivery.attempts <= len(schedule):
            delivery.status = DeliveryStatus.RETRYING
            delivery.next_attempt_at = now + timedelta(seconds=schedule[delivery.attempts - 1])
        else:
            delivery.status = DeliveryStatus.FAILED
            delivery.next_attempt_at = None
            delivery.completed_at = now
            if counts:
                subscription.consecutive_failures += 1
        if not outcome.ok and counts and subscription.failing_since is None:
            subscription.failing_since = now
        delivery.save()
        if counts:
            _maybe_pause(subscription, now)
            subscription.save(
                update_fields=["consecutive_failures", "failing_since", "state", "paused_reason"]
            )
        if delivery.status == DeliveryStatus.RETRYING:
            eta = delivery.next_attempt_at
            transaction.on_commit(lambda: _enqueue(delivery_id, eta))
        elif delivery.record_key:
            successor = (
                WebhookDelivery.objects.filter(
                    subscription_id=delivery.subscription_id,
                    record_key=delivery.record_key,
                    status__in=OPEN_STATUSES,
                    pk__gt=delivery.pk,
                )
                .order_by("pk")
                .values_list("pk", flat=True)
                .first()
            )
            if successor is not None:
                transaction.on_commit(lambda: _enqueue(successor))
    return delivery


def _maybe_pause(subscription: WebhookSubscription, now: Any) -> None:
    if not subscription.is_active:
        return
    failing_long = subscription.failing_since is not None and (
        now - subscription.failing_since >= timedelta(hours=24)
    )
    if subscription.consecutive_failures < settings.WEBHOOK_PAUSE_AFTER and not failing_long:
        return
    subscription.state = SubscriptionState.PAUSED
    subscription.paused_reason = "failing_24h" if failing_long else "failures"
    workspace = subscription.workspace
    audit_write(
        actor=Actor.system(workspace),
        action=AuditAction.UPDATE,
        obj=subscription,
        changes={"state": [SubscriptionState.ACTIVE.value, SubscriptionState.PAUSED.value]},
    )
    event_record(
        actor=Actor.system(workspace),
        name="webhook.paused",
        payload={
            "id": subscription.pk,
            "url": subscription.url,
            "user_id": subscription.owner_id,
            "failures": subscription.consecutive_failures,
            "link": reverse(
                "webhook_detail", kwargs={"slug": workspace.slug, "webhook_id": subscription.pk}
            ),
        },
    )


def webhook_ping(*, actor: Actor, subscription: WebhookSubscription) -> WebhookDelivery:
    """Send a `ping` event now and return its delivery with the result (no retries)."""
    _require_admin(actor)
    subscription = WebhookSubscription.objects.get(pk=subscription.pk)  # its current secret
    body = {
        "event": PING,
        "id": f"ping_{uuid.uuid4().hex}",
        "occurred_at": timezone.now().isoformat(),
        "workspace": {"id": str(actor.workspace.pk), "slug": actor.workspace.slug},
        "data": {"webhook": str(subscription.pk), "url": subscription.url},
    }
    delivery = WebhookDelivery.objects.create(
        workspace=actor.workspace,
        subscription=subscription,
        event_name=PING,
        body=_dumps(body),
    )
    headers = _headers(delivery, subscription.secret)
    outcome = transport.post(subscription.url, delivery.body, headers)
    return _record_outcome(delivery.pk, outcome, retry=False)


def delivery_redeliver(*, actor: Actor, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a failed delivery again, with a fresh round of retries."""
    _require_admin(actor)
    if delivery.status != DeliveryStatus.FAILED:
        raise ValidationError(_("Only a failed delivery can be sent again."))
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=None, completed_at=None
        )
        transaction.on_commit(lambda: _enqueue(delivery.pk))
    delivery.refresh_from_db()
    return delivery


def relay_due() -> int:
    """Enqueue open deliveries whose message was lost (a process died); return how many."""
    now = timezone.now()
    with scopes_disabled():
        ids = list(
            WebhookDelivery.objects.filter(
                status__in=OPEN_STATUSES,
                subscription__state=SubscriptionState.ACTIVE,
                created_at__lt=now - timedelta(seconds=60),
            )
            .exclude(next_attempt_at__gt=now)
            .order_by("pk")
            .values_list("pk", flat=True)[:500]
        )
    for pk in ids:
        _enqueue(pk)
    return len(ids)
