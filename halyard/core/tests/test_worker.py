"""Background work end to end: outbox → broker → a real Celery worker → subscriber.

Two brokers: Redis (production) and the file-system queue that `make run` uses when no broker
is configured. The worker runs in a thread of the test process, so these tests run in the
PostgreSQL pass, where the worker's own database connection sees the committed rows.
"""

import os
import threading

import pytest
from django_scopes import scope

from conftest import actor_for
from halyard.contacts.services import contact_create
from halyard.core import events
from halyard.core.models import EventDelivery, OutboxEvent


def _use_broker(app, url, options):
    """Point the Celery app at another broker, dropping connections made to the old one."""
    app.conf.broker_url = url
    app.conf.broker_transport_options = options
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def redis_broker():
    import redis

    url = os.environ["HALYARD_TEST_REDIS_URL"]
    redis.Redis.from_url(url).flushdb()  # a database of its own, emptied for the test
    return url, {}


@pytest.fixture
def filesystem_broker(tmp_path):
    folders = {name: tmp_path / name for name in ("out", "processed", "control")}
    for folder in folders.values():
        folder.mkdir()
    return "filesystem://", {
        "data_folder_in": str(folders["out"]),
        "data_folder_out": str(folders["out"]),
        "processed_folder": str(folders["processed"]),
        "control_folder": str(folders["control"]),
        "polling_interval": 0.1,
    }


def _deliver_through_worker(broker, workspace, user):
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    delivered = threading.Event()
    attempts = []

    def flaky_subscriber(event):
        attempts.append(event.pk)
        if len(attempts) == 1:
            raise RuntimeError("first attempt fails")
        delivered.set()

    saved = (app.conf.broker_url, app.conf.broker_transport_options)
    _use_broker(app, *broker)
    events.subscribe("contact.created")(flaky_subscriber)
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=10
        ):
            with scope(workspace=workspace):
                contact = contact_create(
                    actor=actor_for(workspace, user), values={"last_name": "Queued"}
                )
            assert delivered.wait(30), "the worker did not deliver the event"
    finally:
        events._SUBSCRIBERS["contact.created"].remove(flaky_subscriber)
        _use_broker(app, *saved)
    event = OutboxEvent.objects.get(name="contact.created", payload__id=contact.pk)
    assert event.dispatched_at is not None and len(attempts) == 2  # retried after a failure
    assert EventDelivery.objects.filter(event=event).count() == 1


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_event_reaches_its_subscriber_through_redis_and_a_worker(acme, alice, redis_broker):
    _deliver_through_worker(redis_broker, acme, alice)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_embedded_file_queue_delivers_events_without_any_server(acme, alice, filesystem_broker):
    _deliver_through_worker(filesystem_broker, acme, alice)
