"""The production path of background work: outbox → Redis broker → a real Celery worker."""

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
def redis_celery():
    import redis

    from config.celery import app

    url = os.environ["HALYARD_TEST_REDIS_URL"]
    redis.Redis.from_url(url).flushdb()  # a database of its own, emptied for the test
    saved = (app.conf.broker_url, app.conf.broker_transport_options)
    _use_broker(app, url, {})
    yield app
    _use_broker(app, *saved)


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_event_reaches_its_subscriber_through_redis_and_a_worker(acme, alice, redis_celery):
    from celery.contrib.testing.worker import start_worker

    delivered = threading.Event()
    attempts = []

    def flaky_subscriber(event):
        attempts.append(event.pk)
        if len(attempts) == 1:
            raise RuntimeError("first attempt fails")
        delivered.set()

    events.subscribe("contact.created")(flaky_subscriber)
    try:
        with start_worker(
            redis_celery,
            pool="solo",
            perform_ping_check=False,
            loglevel="WARNING",
            shutdown_timeout=10,
        ):
            with scope(workspace=acme):
                contact = contact_create(
                    actor=actor_for(acme, alice), values={"last_name": "Queued"}
                )
            assert delivered.wait(30), "the worker did not deliver the event"
    finally:
        events._SUBSCRIBERS["contact.created"].remove(flaky_subscriber)
    event = OutboxEvent.objects.get(name="contact.created", payload__id=contact.pk)
    assert event.dispatched_at is not None and len(attempts) == 2
    assert EventDelivery.objects.filter(event=event).count() == 1
