"""Settings → Webhooks: administrators add, edit, test, pause, rotate and delete webhooks."""

from __future__ import annotations

import re
from typing import Any

from django_scopes import scopes_disabled

from conftest import client_for
from halyard.audit.models import AuditEntry
from halyard.webhooks.models import (
    DeliveryStatus,
    SubscriptionState,
    WebhookDelivery,
    WebhookSubscription,
)
from halyard.webhooks.tests.conftest import run_outbox, subscribe_to

BASE = "/w/acme/settings/webhooks/"


def _hooks() -> list[WebhookSubscription]:
    with scopes_disabled():
        return list(WebhookSubscription.objects.all())


def test_an_admin_adds_a_webhook_and_sees_its_secret_once(
    acme: Any, alice: Any, receiver: Any
) -> None:
    client = client_for(alice)
    assert client.get(BASE).status_code == 200
    response = client.post(
        BASE, {"url": receiver.url, "description": "ERP", "events": ["deal.won", "deal.lost"]}
    )
    assert response.status_code == 302
    (hook,) = _hooks()
    assert (hook.url, hook.all_events, hook.events, hook.owner) == (
        receiver.url,
        False,
        ["deal.lost", "deal.won"],
        alice,
    )
    page = client.get(response["Location"])
    assert page.status_code == 200
    secret = re.search(rb'value="(whsec_[^"]+)"', page.content)
    assert secret is not None and secret.group(1).decode() == hook.secret
    again = client.get(response["Location"])
    assert hook.secret.encode() not in again.content
    listing = client.get(BASE)
    assert receiver.url.encode() in listing.content and hook.secret.encode() not in listing.content
    with scopes_disabled():
        assert AuditEntry.objects.filter(object_type="webhooks.webhooksubscription").exists()


def test_bad_input_is_shown_at_the_field(acme: Any, alice: Any) -> None:
    client = client_for(alice)
    response = client.post(BASE, {"url": "https://10.0.0.1/x"})
    assert response.status_code == 400
    assert "url" in response.context["form"].errors
    response = client.post(BASE, {"url": "https://example.com/x"})  # no event chosen
    assert response.status_code == 400
    assert "events" in response.context["form"].errors
    response = client.post(BASE, {"url": "https://example.com/x", "events": ["nope.nope"]})
    assert response.status_code == 400
    assert _hooks() == []


def test_edit_pause_resume_rotate_and_delete(acme: Any, alice: Any, receiver: Any) -> None:
    hook = subscribe_to(acme, alice, receiver.url)
    client = client_for(alice)
    url = f"{BASE}{hook.pk}/"
    response = client.post(url, {"url": receiver.url + "?v=2", "all_events": "on"})
    assert response.status_code == 302
    hook.refresh_from_db()
    assert hook.url.endswith("?v=2")
    client.post(f"{url}state/", {"action": "pause"})
    hook.refresh_from_db()
    assert hook.state == SubscriptionState.PAUSED
    assert b"Resume" in client.get(url).content
    client.post(f"{url}state/", {"action": "resume"})
    hook.refresh_from_db()
    assert hook.state == SubscriptionState.ACTIVE
    old = hook.secret
    rotated = client.post(f"{url}rotate/")
    hook.refresh_from_db()
    assert hook.secret != old
    assert hook.secret.encode() in client.get(rotated["Location"]).content
    assert client.post(f"{url}delete/").status_code == 302
    assert _hooks() == []


def test_send_test_shows_the_result(acme: Any, alice: Any, receiver: Any) -> None:
    hook = subscribe_to(acme, alice, receiver.url)
    client = client_for(alice)
    response = client.post(f"{BASE}{hook.pk}/test/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b"Test delivered" in response.content and b"200" in response.content
    receiver.answers = [500]
    plain = client.post(f"{BASE}{hook.pk}/test/", follow=True)
    assert b"Test failed" in plain.content
    assert len(receiver.requests) == 2


def test_the_delivery_log_shows_attempts_and_redelivers_a_failed_one(
    acme: Any, alice: Any, receiver: Any, settings: Any
) -> None:
    from halyard.contacts.services import contact_create
    from halyard.webhooks.services import delivery_attempt

    settings.WEBHOOK_RETRY_SCHEDULE = []
    hook = subscribe_to(acme, alice, receiver.url)
    from django_scopes import scope

    from conftest import actor_for

    with scope(workspace=acme):
        contact_create(actor=actor_for(acme, alice), values={"last_name": "Võ"})
    (delivery_id,) = run_outbox()
    receiver.answers = [502]
    delivery_attempt(delivery_id)
    client = client_for(alice)
    page = client.get(f"{BASE}{hook.pk}/")
    assert b"contact.created" in page.content and b"502" in page.content
    assert b"Halyard-Signature" in page.content and b"Send again" in page.content
    response = client.post(f"{BASE}{hook.pk}/deliveries/{delivery_id}/redeliver/")
    assert response.status_code == 302
    with scopes_disabled():
        assert WebhookDelivery.objects.get(pk=delivery_id).status == DeliveryStatus.PENDING
    listing = client.get(BASE)
    assert b"Pending" in listing.content


def test_only_admins_reach_webhooks(acme: Any, alice: Any, bob: Any, receiver: Any) -> None:
    hook = subscribe_to(acme, alice, receiver.url)
    client = client_for(bob)
    assert client.get(BASE).status_code == 403
    assert client.get(f"{BASE}{hook.pk}/").status_code == 403
    assert client.post(f"{BASE}{hook.pk}/delete/").status_code == 403
    assert client.post(f"{BASE}{hook.pk}/test/").status_code == 403
    assert receiver.requests == [] and len(_hooks()) == 1


def test_charlie_gets_404_for_acme_webhooks(
    acme: Any, alice: Any, other: Any, charlie: Any, receiver: Any
) -> None:
    hook = subscribe_to(acme, alice, receiver.url)
    client = client_for(charlie)
    assert client.get(BASE).status_code == 404
    assert client.get(f"/w/other/settings/webhooks/{hook.pk}/").status_code == 404
    assert client.post(f"/w/other/settings/webhooks/{hook.pk}/delete/").status_code == 404
    assert client.post(f"/w/other/settings/webhooks/{hook.pk}/test/").status_code == 404
    assert (
        client.post(f"/w/other/settings/webhooks/{hook.pk}/state/", {"action": "pause"}).status_code
        == 404
    )
    hook.refresh_from_db()
    assert hook.state == SubscriptionState.ACTIVE and receiver.requests == []
