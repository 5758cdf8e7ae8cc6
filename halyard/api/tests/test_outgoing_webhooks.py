"""/api/v1/webhooks: administrators' keys manage webhooks; others get 403, other workspaces 404."""

from __future__ import annotations

from typing import Any

import pytest
from django_scopes import scope, scopes_disabled

from conftest import actor_for
from halyard.api.tests.conftest import ApiClient, key_for, problem
from halyard.contacts.services import contact_create
from halyard.webhooks.models import DeliveryStatus, WebhookSubscription
from halyard.webhooks.services import delivery_attempt
from halyard.webhooks.tests import conftest as webhook_fixtures
from halyard.webhooks.tests.conftest import run_outbox

BASE = "/api/v1/webhooks"
receiver = webhook_fixtures.receiver  # the loopback receiver fixture


def _create(api: ApiClient, url: str, **values: Any) -> dict[str, Any]:
    response = api.post(BASE, {"url": url, **values})
    assert response.status_code == 201, response.content
    return response.json()


def test_create_returns_the_secret_once(acme: Any, alice_api: Any, receiver: Any) -> None:
    body = _create(alice_api, receiver.url, events=["deal.won"], all_events=False)
    assert body["secret"].startswith("whsec_")
    assert body["events"] == ["deal.won"] and body["all_events"] is False
    assert body["state"] == "active"
    read = alice_api.get(f"{BASE}/{body['id']}")
    assert read.status_code == 200 and "secret" not in read.json()
    assert read["ETag"] == '"1"'
    listing = alice_api.get(BASE).json()
    assert [w["id"] for w in listing["results"]] == [body["id"]]
    assert listing["next_cursor"] is None
    assert all("secret" not in w for w in listing["results"])


def test_patch_pause_rotate_and_delete(acme: Any, alice_api: Any, receiver: Any) -> None:
    body = _create(alice_api, receiver.url)
    path = f"{BASE}/{body['id']}"
    changed = alice_api.patch(path, {"description": "ERP", "state": "paused"}, if_match='"1"')
    assert changed.status_code == 200, changed.content
    assert changed.json()["description"] == "ERP" and changed.json()["state"] == "paused"
    problem(alice_api.patch(path, {"description": "Old"}, if_match='"1"'), 412, "version_mismatch")
    rotated = alice_api.post(f"{path}/rotate-secret")
    assert rotated.status_code == 200 and rotated.json()["secret"] != body["secret"]
    problem(alice_api.delete(path, if_match='"1"'), 412, "version_mismatch")
    gone = alice_api.delete(path)
    assert gone.status_code == 200 and gone.json()["id"] == body["id"]
    problem(alice_api.get(path), 404, "not_found")


def test_bad_input_is_a_problem(acme: Any, alice_api: Any) -> None:
    problem(alice_api.post(BASE, {"url": "https://10.0.0.1/x"}), 400, "invalid")
    err = problem(alice_api.post(BASE, {"url": "http://example.com/x"}), 400, "invalid")
    assert "url" in err["errors"]
    err = problem(alice_api.post(BASE, {"url": "https://example.com", "events": ["x.y"]}), 400)
    assert "events.0" in err["errors"] or "events" in err["errors"]
    err = problem(alice_api.post(BASE, {"url": "https://example.com", "secret": "mine"}), 400)
    assert "secret" in err["errors"]
    err = problem(
        alice_api.post(BASE, {"url": "https://example.com", "all_events": False}), 400, "invalid"
    )
    assert "events" in err["errors"]
    problem(alice_api.post(BASE, raw="[1]"), 400)
    problem(alice_api.get(f"{BASE}?nope=1"), 400, "unknown_parameter")
    with scopes_disabled():
        assert not WebhookSubscription.objects.exists()


def test_test_ping_and_the_delivery_log(
    acme: Any, alice: Any, alice_api: Any, receiver: Any
) -> None:
    body = _create(alice_api, receiver.url)
    ping = alice_api.post(f"{BASE}/{body['id']}/test")
    assert ping.status_code == 200, ping.content
    assert ping.json()["status"] == "succeeded" and ping.json()["status_code"] == 200
    assert ping.json()["attempt_log"][0]["status_code"] == 200
    with scope(workspace=acme):
        contact_create(actor=actor_for(acme, alice), values={"last_name": "Lý"})
    (delivery_id,) = run_outbox()
    receiver.answers = [500] * 10
    with pytest.MonkeyPatch.context() as mp:
        from django.conf import settings

        mp.setattr(settings, "WEBHOOK_RETRY_SCHEDULE", [])
        delivery_attempt(delivery_id)
    log = alice_api.get(f"{BASE}/{body['id']}/deliveries?limit=1")
    assert log.status_code == 200
    first = log.json()["results"][0]
    assert first["event"] == "contact.created" and first["status"] == "failed"
    assert log.json()["next_cursor"]
    second = alice_api.get(
        f"{BASE}/{body['id']}/deliveries?limit=1&cursor={log.json()['next_cursor']}"
    )
    assert second.json()["results"][0]["event"] == "ping"
    failed = alice_api.get(f"{BASE}/{body['id']}/deliveries?status=failed").json()["results"]
    assert [d["id"] for d in failed] == [str(delivery_id)]
    problem(alice_api.get(f"{BASE}/{body['id']}/deliveries?status=odd"), 400, "invalid_parameter")
    again = alice_api.post(f"{BASE}/{body['id']}/deliveries/{delivery_id}/redeliver")
    assert again.status_code == 200 and again.json()["status"] == DeliveryStatus.PENDING
    problem(alice_api.post(f"{BASE}/{body['id']}/deliveries/{delivery_id}/redeliver"), 400)
    problem(alice_api.post(f"{BASE}/{body['id']}/deliveries/999999/redeliver"), 404)


def test_only_administrators_keys_reach_webhooks(
    acme: Any,
    alice_api: Any,
    bob_api: Any,
    reader_api: Any,
    receiver: Any,
) -> None:
    body = _create(alice_api, receiver.url)
    path = f"{BASE}/{body['id']}"
    for response in (
        bob_api.get(BASE),
        bob_api.post(BASE, {"url": receiver.url}),
        bob_api.get(path),
        bob_api.patch(path, {"description": "x"}),
        bob_api.delete(path),
        bob_api.post(f"{path}/test"),
        bob_api.post(f"{path}/rotate-secret"),
        bob_api.get(f"{path}/deliveries"),
    ):
        problem(response, 403, "forbidden")
    assert reader_api.get(path).status_code == 200  # an admin's read-only key reads
    problem(reader_api.post(f"{path}/test"), 403, "forbidden")
    problem(reader_api.delete(path), 403, "forbidden")
    assert receiver.requests == []


def test_charlie_gets_404_for_acme_webhooks(
    acme: Any,
    other: Any,
    alice_api: Any,
    charlie_api: Any,
    receiver: Any,
) -> None:
    body = _create(alice_api, receiver.url)
    path = f"{BASE}/{body['id']}"
    assert charlie_api.get(BASE).json()["results"] == []
    for response in (
        charlie_api.get(path),
        charlie_api.patch(path, {"description": "x"}),
        charlie_api.delete(path),
        charlie_api.post(f"{path}/test"),
        charlie_api.post(f"{path}/rotate-secret"),
        charlie_api.get(f"{path}/deliveries"),
    ):
        problem(response, 404, "not_found")
    assert receiver.requests == []


def test_a_key_of_the_other_workspace_sees_only_its_own(
    acme: Any,
    alice: Any,
    other: Any,
    charlie: Any,
    receiver: Any,
) -> None:
    _create(ApiClient(key_for(acme, alice)), receiver.url)
    charlie_hook = _create(ApiClient(key_for(other, charlie)), receiver.url)
    listing = ApiClient(key_for(other, charlie)).get(BASE).json()["results"]
    assert [w["id"] for w in listing] == [charlie_hook["id"]]
