"""Webhooks: an administrator adds one, tests it, reads the log, redelivers, pauses; in Persian."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from e2e.conftest import make_user, make_workspace, screenshot, sign_in
from halyard.webhooks.tests import conftest as webhook_fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
receiver = webhook_fixtures.receiver  # a real HTTP receiver on loopback


def _signed(secret: str, request: dict[str, Any]) -> bool:
    parts = dict(p.split("=", 1) for p in request["headers"]["Halyard-Signature"].split(","))
    mac = hmac.new(secret.encode(), f"{parts['t']}.{request['body']}".encode(), hashlib.sha256)
    return hmac.compare_digest(mac.hexdigest(), parts["v1"])


def test_an_admin_sets_up_tests_and_runs_a_webhook(
    page: Any, live_server: Any, receiver: Any, settings: Any
) -> None:
    from conftest import actor_for
    from halyard.contacts.services import contact_create
    from halyard.webhooks.services import delivery_attempt

    settings.WEBHOOK_RETRY_SCHEDULE = []  # one attempt, so a failure shows at once
    owner = make_user("lan@example.com", "Lan Owner")
    workspace = make_workspace(owner, "Sen Vàng", "sen")
    sign_in(page, "lan@example.com")
    page.goto(f"{live_server.url}/w/sen/settings/")
    page.locator(".settings-nav").get_by_role("link", name="Webhooks").click()
    expect(page.get_by_role("heading", level=2, name="New webhook")).to_be_visible()
    expect(page.locator("table.webhook-list")).to_contain_text("No webhooks yet.")
    screenshot(page, "webhooks-empty")

    page.get_by_label("Address (URL)").fill("https://10.0.0.8/hook")
    page.get_by_role("button", name="Add webhook").click()
    expect(page.locator(".error").first).to_contain_text("private network")

    page.get_by_label("Address (URL)").fill(receiver.url)
    page.get_by_label("Description").fill("ERP sync")
    page.get_by_label("All events, including ones added later").uncheck()
    page.get_by_label("Contact created").check()
    page.get_by_label("Deal won").check()
    page.get_by_role("button", name="Add webhook").click()
    expect(page.locator(".webhook-secret")).to_contain_text("It will not be shown again")
    secret = page.locator("#webhook-secret").input_value()
    assert secret.startswith("whsec_")
    screenshot(page, "webhooks-created")

    page.get_by_role("button", name="Send test").click()
    expect(page.locator("#webhook-test-result")).to_contain_text("Test delivered")
    assert receiver.bodies[-1]["event"] == "ping"
    assert _signed(secret, receiver.requests[-1])

    # A change in the workspace, refused by the receiver: the log shows it, and it is redelivered.
    with scope(workspace=workspace):
        contact_create(actor=actor_for(workspace, owner), values={"last_name": "Đặng"})
    receiver.answers = [503]
    (delivery_id,) = webhook_fixtures.run_outbox()
    delivery_attempt(delivery_id)
    page.reload()
    row = page.locator("tbody.webhook-delivery", has_text="contact.created")
    expect(row).to_contain_text("Failed")
    expect(row).to_contain_text("503")
    row.get_by_text("Request and response").click()
    expect(row.locator("pre").first).to_contain_text('"event": "contact.created"')
    expect(row).to_contain_text("Halyard-Signature")
    screenshot(page, "webhooks-log")
    row.get_by_role("button", name="Send again").click()
    expect(page.locator("tbody.webhook-delivery", has_text="contact.created")).to_contain_text(
        "Pending"
    )
    delivery_attempt(delivery_id)  # the worker's turn
    page.reload()
    expect(page.locator("tbody.webhook-delivery", has_text="contact.created")).to_contain_text(
        "Delivered"
    )
    assert receiver.bodies[-1]["event"] == "contact.created"

    page.get_by_role("button", name="Pause").click()
    expect(page.locator("h2.webhook-title")).to_contain_text("Paused")
    page.get_by_role("button", name="Resume").click()
    expect(page.locator("h2.webhook-title")).to_contain_text("Active")
    page.locator(".settings-nav").get_by_role("link", name="Webhooks").click()
    expect(page.locator("table.webhook-list")).to_contain_text("ERP sync")
    expect(page.locator("table.webhook-list")).to_contain_text("Delivered")
    screenshot(page, "webhooks-list")

    for language in ("fa", "zh-hans"):
        owner.language = language
        owner.save()
        page.goto(f"{live_server.url}/w/sen/settings/webhooks/")
        if language == "fa":
            expect(page.locator("html")).to_have_attribute("dir", "rtl")
        screenshot(page, f"webhooks-list-{language}")
        page.locator("table.webhook-list a.webhook-url").click()
        page.locator("tbody.webhook-delivery details summary").first.click()
        screenshot(page, f"webhooks-detail-{language}")
