"""API keys: a sales rep creates a key, uses it against the API, and revokes it; in Persian too."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from e2e.conftest import make_user, make_workspace, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _rep(workspace: Any, email: str, name: str) -> Any:
    from halyard.workspaces.models import Membership, Role

    user = make_user(email, name)
    with scopes_disabled():
        Membership.objects.create(
            workspace=workspace,
            user=user,
            role=Role.objects.get(workspace=workspace, key="sales_rep"),
        )
    return user


def _get(url: str, key: str) -> int:
    # The live server on loopback, over http: the only URLs this helper is given.
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            json.load(response)
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def test_a_rep_creates_uses_and_revokes_a_key(page: Any, live_server: Any) -> None:
    owner = make_user("lan@example.com", "Lan Owner")
    workspace = make_workspace(owner, "Sen Vàng", "sen")
    _rep(workspace, "minh@example.com", "Minh Rep")
    sign_in(page, "minh@example.com")
    page.locator(".sidebar").get_by_role("link", name="API keys").click()
    expect(page.get_by_role("heading", level=2, name="New API key")).to_be_visible()
    page.get_by_label("Name").fill("Website sign-ups")
    page.get_by_label("Access").select_option(label="Read only")
    page.get_by_label("Expires after (days)").fill("90")
    page.get_by_role("button", name="Create key").click()
    expect(page.locator(".api-key-secret")).to_contain_text("It will not be shown again")
    key = page.locator("#new-api-key").input_value()
    assert key.startswith("hk_")
    screenshot(page, "api-keys-created")
    assert _get(f"{live_server.url}/api/v1/contacts", key) == 200

    page.goto(f"{live_server.url}/w/sen/settings/api-keys/")
    expect(page.locator(".api-key-secret")).to_have_count(0)
    row = page.locator("tr", has_text="Website sign-ups")
    expect(row).to_contain_text("Read only")
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Revoke").click()
    expect(page.locator("tr", has_text="Website sign-ups")).to_contain_text("Revoked")
    assert _get(f"{live_server.url}/api/v1/contacts", key) == 401
    screenshot(page, "api-keys-revoked")


def test_the_admin_sees_every_key_in_persian(page: Any, live_server: Any) -> None:
    from conftest import actor_for
    from halyard.api.services import apikey_create

    owner = make_user("lan@example.com", "Lan Owner")
    workspace = make_workspace(owner, "Sen Vàng", "sen")
    rep = _rep(workspace, "minh@example.com", "Minh Rep")
    with scopes_disabled():
        apikey_create(actor=actor_for(workspace, rep), name="ERP", scope="write")
    owner.language = "fa"
    owner.save()
    sign_in(page, "lan@example.com")
    page.goto(f"{live_server.url}/w/sen/settings/api-keys/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("tr", has_text="ERP")).to_contain_text("Minh Rep")
    screenshot(page, "api-keys-fa")


def test_the_api_docs_page_lists_every_operation(page: Any, live_server: Any) -> None:
    page.goto(f"{live_server.url}/api/v1/docs")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Halyard API")
    expect(page.locator("tr", has_text="deals_move")).to_contain_text("/api/v1/deals/{id}/move")
    expect(page.get_by_role("link", name="The OpenAPI 3 document (JSON)")).to_be_visible()
    screenshot(page, "api-docs", full_page=False)
