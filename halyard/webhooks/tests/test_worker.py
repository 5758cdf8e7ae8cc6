"""The whole path through a real Celery worker: a change → the outbox → a signed POST.

The worker runs in a thread of the test process on the file-system queue, so this runs in the
PostgreSQL pass, where the worker's own database connection sees the committed rows.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from django_scopes import scope, scopes_disabled

from conftest import actor_for
from halyard.contacts.services import contact_create
from halyard.core.tests.test_worker import _use_broker, filesystem_broker  # noqa: F401
from halyard.webhooks.models import DeliveryStatus, WebhookDelivery
from halyard.webhooks.tests.conftest import subscribe_to


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_change_is_posted_by_the_worker(
    acme: Any,
    alice: Any,
    receiver: Any,
    filesystem_broker: Any,  # noqa: F811
) -> None:
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    hook = subscribe_to(acme, alice, receiver.url)
    saved = (app.conf.broker_url, app.conf.broker_transport_options)
    _use_broker(app, *filesystem_broker)
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=10
        ):
            with scope(workspace=acme):
                contact = contact_create(actor=actor_for(acme, alice), values={"last_name": "Mai"})
            deadline = time.monotonic() + 30
            while not receiver.requests and time.monotonic() < deadline:
                time.sleep(0.1)
    finally:
        _use_broker(app, *saved)
    assert receiver.requests, "the worker did not send the webhook"
    body = receiver.bodies[0]
    assert body["event"] == "contact.created" and body["data"]["id"] == str(contact.pk)
    with scopes_disabled():
        delivery = WebhookDelivery.objects.get(subscription=hook)
    assert delivery.status == DeliveryStatus.SUCCEEDED
