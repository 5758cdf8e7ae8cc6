"""Signed deliveries to a real receiver on loopback: retries, order per record, pausing."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from typing import Any

from django.core import mail
from django.test import override_settings
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from conftest import actor_for
from halyard.contacts.services import contact_create, contact_update
from halyard.core.models import OutboxEvent
from halyard.notifications.models import Notification, NotificationKind
from halyard.webhooks import services
from halyard.webhooks.models import DeliveryStatus, SubscriptionState, WebhookDelivery
from halyard.webhooks.services import delivery_attempt
from halyard.webhooks.tests.conftest import run_outbox, subscribe_to


def _verify(secret: str, header: str, body: str) -> bool:
    parts = dict(item.split("=", 1) for item in header.split(","))
    expected = hmac.new(secret.encode(), f"{parts['t']}.{body}".encode(), hashlib.sha256)
    return hmac.compare_digest(expected.hexdigest(), parts["v1"])


def _contact(acme: Any, alice: Any, name: str = "Trần") -> Any:
    with scope(workspace=acme):
        return contact_create(actor=actor_for(acme, alice), values={"last_name": name})


def _due(delivery_id: int) -> None:
    """Bring a scheduled retry forward to now (instead of waiting minutes)."""
    with scopes_disabled():
        WebhookDelivery.objects.filter(pk=delivery_id).update(
            next_attempt_at=timezone.now() - dt.timedelta(seconds=1)
        )


def _delivery(pk: int) -> WebhookDelivery:
    with scopes_disabled():
        return WebhookDelivery.objects.get(pk=pk)


def _attempts(delivery: WebhookDelivery) -> list[Any]:
    with scopes_disabled():
        return list(delivery.attempt_log.all())


def test_a_new_contact_reaches_the_receiver_signed(acme: Any, alice: Any, receiver: Any) -> None:
    hook = subscribe_to(acme, alice, receiver.url)
    contact = _contact(acme, alice)
    (delivery_id,) = run_outbox()
    delivery_attempt(delivery_id)
    (request,) = receiver.requests
    headers = request["headers"]
    assert request["path"] == "/hooks/halyard"
    assert headers["Halyard-Event"] == "contact.created"
    assert headers["Halyard-Delivery"] == str(delivery_id)
    assert headers["Content-Type"] == "application/json"
    assert _verify(hook.secret, headers["Halyard-Signature"], request["body"])
    assert not _verify("whsec_wrong", headers["Halyard-Signature"], request["body"])
    body = receiver.bodies[0]
    assert body["event"] == "contact.created"
    assert body["workspace"] == {"id": str(acme.pk), "slug": "acme"}
    assert body["data"]["id"] == str(contact.pk) and body["data"]["last_name"] == "Trần"
    assert body["actor"] == {"id": str(alice.pk), "source": "web"}
    with scopes_disabled():
        assert body["id"] == str(OutboxEvent.objects.get(name="contact.created").pk)
    done = _delivery(delivery_id)
    assert done.status == DeliveryStatus.SUCCEEDED and done.last_status_code == 200
    (attempt,) = _attempts(done)
    assert attempt.status_code == 200 and attempt.response_excerpt == "ok"
    assert attempt.request_headers["Halyard-Event"] == "contact.created"


def test_no_subscription_no_queue(acme: Any, alice: Any) -> None:
    _contact(acme, alice)
    with scopes_disabled():
        event = OutboxEvent.objects.get(name="contact.created")
    assert event.dispatched_at is not None  # nothing wanted it: never queued


def test_only_chosen_events_are_sent(acme: Any, alice: Any, receiver: Any) -> None:
    subscribe_to(acme, alice, receiver.url, all_events=False, events=["contact.updated"])
    contact = _contact(acme, alice)
    assert run_outbox() == []
    with scope(workspace=acme):
        contact_update(
            actor=actor_for(acme, alice),
            contact=contact,
            expected_version=1,
            values={"title": "CEO"},
        )
    (delivery_id,) = run_outbox()
    delivery_attempt(delivery_id)
    body = receiver.bodies[0]
    assert body["event"] == "contact.updated"
    assert body["changes"]["title"][1] == "CEO"


def test_a_failing_receiver_is_retried_with_backoff(
    acme: Any, alice: Any, receiver: Any, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    scheduled: list[tuple[Any, Any]] = []
    monkeypatch.setattr(services, "_enqueue", lambda pk, eta=None: scheduled.append((pk, eta)))
    subscribe_to(acme, alice, receiver.url)
    _contact(acme, alice)
    (delivery_id,) = run_outbox()
    receiver.answers = [500, 503]
    started = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        delivery_attempt(delivery_id)
    first = _delivery(delivery_id)
    assert first.status == DeliveryStatus.RETRYING and first.attempts == 1
    assert first.last_status_code == 500
    wait = (first.next_attempt_at - started).total_seconds()
    assert 59 <= wait <= 65  # the first retry comes a minute later
    assert scheduled == [(delivery_id, first.next_attempt_at)]  # queued for that moment
    (attempt,) = _attempts(first)
    assert attempt.response_excerpt.startswith("receiver says no")
    assert len(attempt.response_excerpt) <= 2048
    delivery_attempt(delivery_id)  # too early: not sent
    assert len(receiver.requests) == 1
    _due(delivery_id)
    with django_capture_on_commit_callbacks(execute=True):
        delivery_attempt(delivery_id)
    second = _delivery(delivery_id)
    assert second.attempts == 2 and second.last_status_code == 503
    assert 290 <= (second.next_attempt_at - timezone.now()).total_seconds() <= 305  # then 5 min
    _due(delivery_id)
    delivery_attempt(delivery_id)
    third = _delivery(delivery_id)
    assert third.status == DeliveryStatus.SUCCEEDED and third.attempts == 3
    assert [a.status_code for a in _attempts(third)] == [500, 503, 200]
    assert len(receiver.requests) == 3
    assert len({r["headers"]["Halyard-Delivery"] for r in receiver.requests}) == 1


@override_settings(WEBHOOK_RETRY_SCHEDULE=[60, 60])
def test_a_delivery_fails_after_its_last_attempt(acme: Any, alice: Any, receiver: Any) -> None:
    hook = subscribe_to(acme, alice, receiver.url)
    _contact(acme, alice)
    (delivery_id,) = run_outbox()
    receiver.answers = [500, 500, 500]
    for _attempt in range(3):
        _due(delivery_id)
        delivery_attempt(delivery_id)
    failed = _delivery(delivery_id)
    assert failed.status == DeliveryStatus.FAILED and failed.attempts == 3
    hook.refresh_from_db()
    assert hook.consecutive_failures == 1 and hook.state == SubscriptionState.ACTIVE
    # Sent again by hand, it gets a fresh round and succeeds.
    with scope(workspace=acme):
        services.delivery_redeliver(actor=actor_for(acme, alice), delivery=failed)
    delivery_attempt(delivery_id)
    assert _delivery(delivery_id).status == DeliveryStatus.SUCCEEDED
    hook.refresh_from_db()
    assert hook.consecutive_failures == 0


def test_deliveries_about_one_record_go_out_in_order(
    acme: Any, alice: Any, receiver: Any, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    kicked: list[int] = []
    monkeypatch.setattr(services, "_enqueue", lambda pk, eta=None: kicked.append(pk))
    subscribe_to(acme, alice, receiver.url)
    contact = _contact(acme, alice)
    other = _contact(acme, alice, "Lê")
    with scope(workspace=acme):
        contact_update(
            actor=actor_for(acme, alice), contact=contact, expected_version=1, values={"title": "A"}
        )
    created, other_created, updated = run_outbox()
    receiver.answers = [500]
    delivery_attempt(created)  # fails: retrying
    delivery_attempt(updated)  # waits for the earlier one about the same contact
    assert _delivery(updated).status == DeliveryStatus.PENDING
    assert _delivery(updated).attempts == 0
    delivery_attempt(other_created)  # another record is not held up
    assert _delivery(other_created).status == DeliveryStatus.SUCCEEDED
    _due(created)
    with django_capture_on_commit_callbacks(execute=True):
        delivery_attempt(created)
    assert kicked == [updated]  # the waiting one is queued as soon as the earlier is done
    delivery_attempt(updated)
    events = [(b["event"], b["data"]["id"]) for b in receiver.bodies]
    assert events == [
        ("contact.created", str(contact.pk)),
        ("contact.created", str(other.pk)),
        ("contact.created", str(contact.pk)),
        ("contact.updated", str(contact.pk)),
    ]


@override_settings(WEBHOOK_RETRY_SCHEDULE=[], WEBHOOK_PAUSE_AFTER=3, EMAIL_URL="smtp://mail")
def test_repeated_failures_pause_the_webhook_and_tell_its_owner(
    acme: Any, alice: Any, bob: Any, receiver: Any
) -> None:
    hook = subscribe_to(acme, alice, receiver.url)
    receiver.answers = [500] * 10
    for n in range(3):
        _contact(acme, alice, f"Khách {n}")
        for delivery_id in run_outbox():
            delivery_attempt(delivery_id)
    hook.refresh_from_db()
    assert hook.state == SubscriptionState.PAUSED
    assert hook.consecutive_failures == 3
    run_outbox()  # the webhook.paused event reaches the notifications
    with scopes_disabled():
        note = Notification.objects.get(kind=NotificationKind.WEBHOOK_PAUSED)
    assert note.user == alice
    assert receiver.url in note.text
    assert note.url == f"/w/acme/settings/webhooks/{hook.pk}/"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["alice@example.com"]
    # A paused webhook gets no new deliveries; resuming it sends what waits.
    _contact(acme, alice, "Sau")
    assert run_outbox() == []
    with scope(workspace=acme):
        services.subscription_set_state(
            actor=actor_for(acme, alice), subscription=hook, active=True
        )
    hook.refresh_from_db()
    assert hook.state == SubscriptionState.ACTIVE and hook.consecutive_failures == 0


@override_settings(WEBHOOK_PAUSE_AFTER=100)
def test_a_day_of_failures_pauses_the_webhook(acme: Any, alice: Any, receiver: Any) -> None:
    hook = subscribe_to(acme, alice, receiver.url)
    _contact(acme, alice)
    (delivery_id,) = run_outbox()
    receiver.answers = [500, 500]
    delivery_attempt(delivery_id)
    hook.refresh_from_db()
    assert hook.failing_since is not None and hook.state == SubscriptionState.ACTIVE
    with scopes_disabled():
        type(hook).objects.filter(pk=hook.pk).update(
            failing_since=timezone.now() - dt.timedelta(hours=25)
        )
    _due(delivery_id)
    delivery_attempt(delivery_id)
    hook.refresh_from_db()
    assert hook.state == SubscriptionState.PAUSED


def test_a_paused_webhook_holds_its_deliveries(acme: Any, alice: Any, receiver: Any) -> None:
    hook = subscribe_to(acme, alice, receiver.url)
    _contact(acme, alice)
    (delivery_id,) = run_outbox()
    with scope(workspace=acme):
        services.subscription_set_state(
            actor=actor_for(acme, alice), subscription=hook, active=False
        )
    delivery_attempt(delivery_id)
    assert receiver.requests == []
    with scope(workspace=acme):
        services.subscription_set_state(
            actor=actor_for(acme, alice), subscription=hook, active=True
        )
    delivery_attempt(delivery_id)
    assert len(receiver.requests) == 1


def test_a_test_ping_is_sent_now(acme: Any, alice: Any, receiver: Any) -> None:
    hook = subscribe_to(acme, alice, receiver.url)
    with scope(workspace=acme):
        delivery = services.webhook_ping(actor=actor_for(acme, alice), subscription=hook)
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert receiver.bodies[0]["event"] == "ping"
    assert receiver.requests[0]["headers"]["Halyard-Event"] == "ping"
    receiver.answers = [404]
    with scope(workspace=acme):
        failed = services.webhook_ping(actor=actor_for(acme, alice), subscription=hook)
    assert failed.status == DeliveryStatus.FAILED and failed.last_status_code == 404
    hook.refresh_from_db()
    assert hook.consecutive_failures == 0  # a test does not count towards pausing


def test_a_rotated_secret_signs_from_then_on(acme: Any, alice: Any, receiver: Any) -> None:
    hook = subscribe_to(acme, alice, receiver.url)
    old = hook.secret
    with scope(workspace=acme):
        rotated = services.subscription_rotate_secret(
            actor=actor_for(acme, alice), subscription=hook
        )
        services.webhook_ping(actor=actor_for(acme, alice), subscription=hook)
    assert rotated.secret != old and rotated.secret.startswith("whsec_")
    request = receiver.requests[0]
    assert _verify(rotated.secret, request["headers"]["Halyard-Signature"], request["body"])
    assert not _verify(old, request["headers"]["Halyard-Signature"], request["body"])


def test_events_of_one_workspace_never_reach_another(
    acme: Any, alice: Any, other: Any, charlie: Any, receiver: Any
) -> None:
    subscribe_to(other, charlie, receiver.url)
    _contact(acme, alice)
    assert run_outbox() == []
    with scopes_disabled():
        assert OutboxEvent.objects.get(name="contact.created").dispatched_at is not None
    mine = subscribe_to(acme, alice, receiver.url)
    _contact(acme, alice, "Hai")
    (delivery_id,) = run_outbox()
    assert _delivery(delivery_id).subscription_id == mine.pk
    delivery_attempt(delivery_id)
    assert len(receiver.requests) == 1


def test_the_relay_requeues_open_deliveries_whose_message_was_lost(
    acme: Any, alice: Any, receiver: Any, monkeypatch: Any
) -> None:
    queued: list[int] = []
    monkeypatch.setattr(services, "_enqueue", lambda pk, eta=None: queued.append(pk))
    subscribe_to(acme, alice, receiver.url)
    _contact(acme, alice)
    _contact(acme, alice, "Hai")
    fresh, old = run_outbox()
    assert services.relay_due() == 0  # just made: their own messages are still on the way
    with scopes_disabled():
        WebhookDelivery.objects.filter(pk=old).update(
            created_at=timezone.now() - dt.timedelta(minutes=5)
        )
    assert services.relay_due() == 1 and queued == [old]
    with scopes_disabled():
        WebhookDelivery.objects.filter(pk=old).update(
            next_attempt_at=timezone.now() + dt.timedelta(minutes=5)
        )
    assert services.relay_due() == 0  # a retry that is not due yet stays put
    assert fresh != old
