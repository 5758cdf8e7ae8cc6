"""Workspace switcher: a member of two workspaces moves between them from the sidebar."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django_scopes import scope, scopes_disabled
from playwright.sync_api import expect

from e2e.conftest import make_user, make_workspace, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def add_contact(workspace: Any, user: Any, first: str, last: str) -> Any:
    from halyard.contacts.services import contact_create
    from halyard.core.context import Actor
    from halyard.workspaces.models import Membership

    with scope(workspace=workspace):
        membership = Membership.objects.select_related("role").get(workspace=workspace, user=user)
        actor = Actor(workspace=workspace, user=user, membership=membership)
        return contact_create(actor=actor, values={"first_name": first, "last_name": last})


def switch_to(page: Any, name: str) -> None:
    switcher = page.locator(".sidebar details.switcher")
    switcher.locator("summary").click()
    expect(switcher).to_have_attribute("open", "")
    switcher.locator(".menu").get_by_role("link", name=name, exact=True).click()


def test_switch_between_two_workspaces(page: Any, live_server: Any) -> None:
    from halyard.workspaces.models import Membership, Role

    hana = make_user("hana@example.com", "Hana Both")
    other_owner = make_user("ivan@example.com", "Ivan Other")
    alpha = make_workspace(hana, "Alpha Imports", "alpha")
    beta = make_workspace(other_owner, "Beta Exports", "beta")
    with scopes_disabled():
        Membership.objects.create(
            workspace=beta, user=hana, role=Role.objects.get(workspace=beta, key="sales_manager")
        )
    add_contact(alpha, hana, "Anh", "Nguyen")
    add_contact(beta, other_owner, "Bahram", "Tehrani")

    sign_in(page, "hana@example.com")
    expect(page).to_have_url(re.compile(r"/w/alpha/$"))
    sidebar = page.locator(".sidebar")
    expect(sidebar.locator(".ws-name")).to_have_text("Alpha Imports")
    expect(page.locator("main")).to_contain_text("Anh Nguyen")
    expect(page.locator("main")).not_to_contain_text("Bahram Tehrani")

    # The switcher lists both workspaces and marks the current one.
    sidebar.locator("details.switcher summary").click()
    menu = sidebar.locator("details.switcher .menu")
    expect(menu.get_by_role("link", name="Alpha Imports")).to_have_attribute("aria-current", "true")
    expect(menu.get_by_role("link", name="Beta Exports")).to_be_visible()
    expect(menu.get_by_role("link", name="+ New workspace")).to_be_visible()
    screenshot(page, "switcher-open", full_page=False)
    sidebar.locator("details.switcher summary").click()  # close it again

    switch_to(page, "Beta Exports")
    expect(page).to_have_url(re.compile(r"/w/beta/$"))
    expect(sidebar.locator(".ws-name")).to_have_text("Beta Exports")
    expect(page.locator("main")).to_contain_text("Bahram Tehrani")
    expect(page.locator("main")).not_to_contain_text("Anh Nguyen")
    # Hana is a sales manager here, not an administrator.
    expect(sidebar.locator(".nav")).not_to_contain_text("Settings")
    screenshot(page, "switcher-beta-dashboard")

    # The contact list of Beta shows Beta's people only.
    sidebar.get_by_role("link", name="Contacts").click()
    expect(page).to_have_url(re.compile(r"/w/beta/contacts/"))
    rows = page.locator("#results tbody")
    expect(rows).to_contain_text("Bahram Tehrani")
    expect(rows).not_to_contain_text("Anh Nguyen")

    # Halyard remembers the last workspace: the home page leads back to Beta.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/w/beta/$"))

    switch_to(page, "Alpha Imports")
    expect(page).to_have_url(re.compile(r"/w/alpha/$"))
    expect(sidebar.locator(".ws-name")).to_have_text("Alpha Imports")
    expect(page.locator("main")).to_contain_text("Anh Nguyen")
    expect(sidebar.locator(".nav")).to_contain_text("Settings")  # owner of Alpha


def test_create_another_workspace_from_the_switcher(page: Any, live_server: Any) -> None:
    from halyard.workspaces.models import Membership

    jo = make_user("jo@example.com", "Jo Founder")
    make_workspace(jo, "Alpha Imports", "alpha")

    sign_in(page, "jo@example.com")
    expect(page).to_have_url(re.compile(r"/w/alpha/$"))
    switch_to(page, "+ New workspace")
    expect(page).to_have_url(re.compile(r"/workspaces/new/$"))
    expect(page.get_by_role("heading", name="New workspace")).to_be_visible()
    page.get_by_label("Workspace name").fill("Gamma Freight")
    page.get_by_role("button", name="Create workspace").click()

    expect(page).to_have_url(re.compile(r"/w/gamma-freight/$"))  # address derived from the name
    expect(page.locator(".toast")).to_contain_text("Workspace created.")
    expect(page.locator(".sidebar .ws-name")).to_have_text("Gamma Freight")
    expect(page.locator("main")).to_contain_text("No contacts yet.")
    page.locator(".sidebar details.switcher summary").click()
    links = page.locator(".sidebar details.switcher .menu a")
    expect(links).to_have_text(["Alpha Imports", "Gamma Freight", "+ New workspace"])
    page.locator(".sidebar details.switcher summary").click()  # close it again

    with scopes_disabled():
        roles = {
            m.workspace.slug: m.role.key
            for m in Membership.objects.filter(user=jo).select_related("workspace", "role")
        }
    assert roles == {"alpha": "owner", "gamma-freight": "owner"}

    switch_to(page, "Alpha Imports")
    expect(page.locator(".sidebar .ws-name")).to_have_text("Alpha Imports")
