"""A real HTTP receiver on loopback, and helpers to run the outbox and the deliveries."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test import override_settings
from django_scopes import scope, scopes_disabled

from conftest import actor_for


class Receiver:
    """Records what it receives; answers the statuses queued in `answers` (then 200)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.answers: list[int] = []
        self.url = ""

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r["body"]) for r in self.requests]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            state.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
            status = state.answers.pop(0) if state.answers else 200
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"ok" if status < 300 else b"receiver says no " + b"x" * 4000)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/halyard"
    with override_settings(WEBHOOK_ALLOW_LOOPBACK=True, WEBHOOK_TIMEOUT=5):
        yield state
    server.shutdown()
    server.server_close()


def subscribe_to(workspace: Any, user: Any, url: str, **values: Any) -> Any:
    """Create a webhook through the service."""
    from halyard.webhooks.services import subscription_create

    with scope(workspace=workspace):
        return subscription_create(actor=actor_for(workspace, user), values={"url": url, **values})


def run_outbox() -> list[int]:
    """Deliver every pending outbox event to its subscribers; return the deliveries made."""
    from halyard.core.jobs import event_deliver
    from halyard.core.models import OutboxEvent
    from halyard.webhooks.models import WebhookDelivery

    with scopes_disabled():
        before = set(WebhookDelivery.objects.values_list("pk", flat=True))
        for pk in (
            OutboxEvent.objects.filter(dispatched_at__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        ):
            event_deliver(pk)
        return sorted(set(WebhookDelivery.objects.values_list("pk", flat=True)) - before)
