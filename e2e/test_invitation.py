"""Invitations: an owner invites a colleague by e-mail, who signs up and joins."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlparse

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from e2e.conftest import PASSWORD, make_user, make_workspace, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_invite_sign_up_and_accept(new_context: Any, live_server: Any, mailoutbox: Any) -> None:
    from halyard.accounts.models import User
    from halyard.workspaces.models import Invitation, Membership, Workspace

    alice = make_user("alice@example.com", "Alice Owner")
    make_workspace(alice, "Acme Trading", "acme")

    # Alice invites Bob from the members page.
    alice_page = new_context().new_page()
    sign_in(alice_page, "alice@example.com")
    expect(alice_page).to_have_url(re.compile(r"/w/acme/$"))
    alice_page.get_by_role("link", name="Settings").click()
    alice_page.locator("nav.settings-nav").get_by_role("link", name="Members").click()
    expect(alice_page).to_have_url(re.compile(r"/w/acme/settings/members/$"))
    expect(alice_page.get_by_role("heading", name="Invite a colleague")).to_be_visible()
    invite = alice_page.locator("section.card form")
    invite.get_by_label("Email").fill("bob@example.com")
    invite.get_by_label("Role").select_option(label="Sales rep")
    invite.get_by_role("button", name="Send invitation").click()
    expect(alice_page.locator(".toast")).to_contain_text("Invitation sent to bob@example.com.")
    pending = alice_page.locator("table").filter(has_text="bob@example.com")
    expect(pending).to_contain_text("Sales rep")
    screenshot(alice_page, "invitation-sent")

    # The invitation e-mail carries a one-time link.
    invitations = [m for m in mailoutbox if "bob@example.com" in m.to]
    assert len(invitations) == 1, [m.subject for m in mailoutbox]
    message = invitations[0]
    assert "Alice Owner" in message.subject and "Acme Trading" in message.subject, message.subject
    match = re.search(r"https?://\S+/invitations/[\w-]+/", message.body)
    assert match, message.body
    link = urlparse(match.group(0)).path  # the mail names SITE_URL; open it on the test server

    # Bob, on his own device, opens the link, creates his account and accepts.
    bob_page = new_context().new_page()
    bob_page.goto(link)
    expect(bob_page.get_by_role("heading", name="Join Acme Trading")).to_be_visible()
    expect(bob_page.locator(".public-card")).to_contain_text("bob@example.com")
    expect(bob_page.locator(".public-card")).to_contain_text("Sales rep")
    screenshot(bob_page, "invitation-landing")
    bob_page.get_by_role("link", name="Create your account").click()
    expect(bob_page).to_have_url(re.compile(r"/accounts/signup/$"))
    bob_page.get_by_label("Your name").fill("Bob Rep")
    bob_page.get_by_label("Email").fill("bob@example.com")
    bob_page.get_by_label("Password:", exact=True).fill(PASSWORD)
    bob_page.get_by_label("Password (again)").fill(PASSWORD)
    # No workspace name: an invited person joins a workspace instead of creating one.
    bob_page.get_by_role("button", name="Sign Up").click()

    expect(bob_page).to_have_url(re.compile(re.escape(link) + "$"))
    expect(bob_page.get_by_role("heading", name="Join Acme Trading")).to_be_visible()
    screenshot(bob_page, "invitation-after-signup")
    bob_page.get_by_role("button", name="Accept invitation").click()

    expect(bob_page).to_have_url(re.compile(r"/w/acme/$"))
    expect(bob_page.locator(".toast")).to_contain_text("Welcome to Acme Trading.")
    expect(bob_page.locator(".sidebar .ws-name")).to_have_text("Acme Trading")
    expect(bob_page.get_by_role("heading", level=1)).to_have_text("Welcome, Bob Rep")
    # A sales rep does not administer the workspace.
    expect(bob_page.locator(".sidebar .nav")).not_to_contain_text("Settings")
    screenshot(bob_page, "invitation-accepted-dashboard")

    with scopes_disabled():
        bob = User.objects.get(email="bob@example.com")
        assert bob.full_name == "Bob Rep"
        memberships = list(Membership.objects.filter(user=bob).select_related("role",
                                                                              "workspace"))
        assert [(m.workspace.slug, m.role.key) for m in memberships] == [("acme", "sales_rep")]
        assert Workspace.objects.count() == 1
        assert Invitation.objects.get(email="bob@example.com").accepted_by == bob

    # Alice now sees Bob among the members, no longer as pending.
    alice_page.reload()
    members_table = alice_page.locator("table").first
    expect(members_table).to_contain_text("Bob Rep")
    expect(alice_page.get_by_role("heading", name="Pending invitations")).to_have_count(0)

    # The link works once.
    bob_page.goto(link)
    expect(bob_page.get_by_role("heading", name="This invitation cannot be used")).to_be_visible()
    expect(bob_page.get_by_text("This invitation has already been used.")).to_be_visible()
    expect(bob_page.get_by_role("button", name="Accept invitation")).to_have_count(0)
    screenshot(bob_page, "invitation-used")

    # Also for somebody who is not signed in.
    stranger = new_context().new_page()
    stranger.goto(link)
    expect(stranger.get_by_text("This invitation has already been used.")).to_be_visible()
    expect(stranger.get_by_role("link", name="Create your account")).to_have_count(0)
