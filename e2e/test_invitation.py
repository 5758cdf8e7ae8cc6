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


def invite_through_ui(
    new_context: Any, mailoutbox: Any, email: str = "bob@example.com"
) -> tuple[Any, str]:
    """Alice signs in and invites `email` as a sales rep; return her page and the link path."""
    alice_page = new_context().new_page()
    sign_in(alice_page, "alice@example.com")
    expect(alice_page).to_have_url(re.compile(r"/w/acme/$"))
    alice_page.locator(".sidebar").get_by_role("link", name="Settings").click()
    alice_page.locator("nav.settings-nav").get_by_role("link", name="Members").click()
    expect(alice_page).to_have_url(re.compile(r"/w/acme/settings/members/$"))
    expect(alice_page.get_by_role("heading", name="Invite a colleague")).to_be_visible()
    invite = alice_page.locator("section.card form")
    invite.get_by_label("Email").fill(email)
    invite.get_by_label("Role").select_option(label="Sales rep")
    invite.get_by_role("button", name="Send invitation").click()
    expect(alice_page.locator(".toast")).to_contain_text(f"Invitation sent to {email}.")
    expect(alice_page.get_by_role("heading", name="Pending invitations")).to_be_visible()
    pending = alice_page.locator("table").filter(has_text=email)
    expect(pending).to_contain_text("Sales rep")
    screenshot(alice_page, "invitation-sent")

    # The invitation e-mail carries a one-time link.
    invitations = [m for m in mailoutbox if email in m.to]
    assert len(invitations) == 1, [(m.to, m.subject) for m in mailoutbox]
    message = invitations[0]
    assert message.subject == "Alice Owner invited you to Acme Trading on Halyard", message.subject
    assert 'Alice Owner invited you to join the workspace "Acme Trading"' in message.body
    match = re.search(r"https?://\S+/invitations/[\w-]+/", message.body)
    assert match, message.body
    return alice_page, urlparse(match.group(0)).path  # the mail names SITE_URL, not this server


def open_invitation_and_go_to_signup(page: Any, link: str) -> None:
    page.goto(link)
    expect(page.get_by_role("heading", name="Join Acme Trading")).to_be_visible()
    card = page.locator(".public-card")
    expect(card).to_contain_text("This invitation is for bob@example.com, as Sales rep.")
    screenshot(page, "invitation-landing")
    page.get_by_role("link", name="Create your account").click()
    expect(page).to_have_url(re.compile(r"/accounts/signup/$"))
    # The page says what they are joining, and asks for no workspace of their own.
    expect(page.locator(".public-card")).to_contain_text(
        "Create your account to join Acme Trading."
    )
    expect(page.get_by_label("Workspace name")).to_have_count(0)
    page.get_by_label("Your name").fill("Bob Rep")
    page.get_by_label("Email").fill("bob@example.com")
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)


def accept(page: Any, link: str) -> None:
    expect(page).to_have_url(re.compile(re.escape(link) + "$"))
    expect(page.get_by_role("heading", name="Join Acme Trading")).to_be_visible()
    page.get_by_role("button", name="Accept invitation").click()
    expect(page).to_have_url(re.compile(r"/w/acme/$"))
    expect(page.locator(".toast")).to_contain_text("Welcome to Acme Trading.")
    expect(page.locator(".sidebar .ws-name")).to_have_text("Acme Trading")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Bob Rep")
    # A sales rep does not administer the workspace.
    expect(page.locator(".sidebar .nav")).not_to_contain_text("Settings")


@pytest.fixture
def acme(live_server: Any) -> Any:
    alice = make_user("alice@example.com", "Alice Owner")
    return make_workspace(alice, "Acme Trading", "acme")


def test_invite_sign_up_accept_and_link_works_once(
    new_context: Any, live_server: Any, mailoutbox: Any, acme: Any
) -> None:
    from halyard.accounts.models import User
    from halyard.workspaces.models import Invitation, Membership

    alice_page, link = invite_through_ui(new_context, mailoutbox)

    # Bob, on his own device, opens the link and creates his account.
    bob_page = new_context().new_page()
    open_invitation_and_go_to_signup(bob_page, link)
    bob_page.get_by_role("button", name="Sign Up").click()

    # After signing up he is back on the invitation and accepts it.
    screenshot(bob_page, "invitation-after-signup")
    accept(bob_page, link)
    screenshot(bob_page, "invitation-accepted-dashboard")

    with scopes_disabled():
        bob = User.objects.get(email="bob@example.com")
        assert bob.full_name == "Bob Rep"
        membership = Membership.objects.select_related("role").get(user=bob, workspace=acme)
        assert membership.role.key == "sales_rep"
        assert Invitation.objects.get(email="bob@example.com").accepted_by == bob

    # Alice now sees Bob among the members, no longer as pending.
    alice_page.reload()
    expect(alice_page.locator("table").first).to_contain_text("Bob Rep")
    expect(alice_page.get_by_role("heading", name="Pending invitations")).to_have_count(0)

    # The link works once: for Bob ...
    bob_page.goto(link)
    expect(bob_page.get_by_role("heading", name="This invitation cannot be used")).to_be_visible()
    expect(bob_page.get_by_text("This invitation has already been used.")).to_be_visible()
    expect(bob_page.get_by_role("button", name="Accept invitation")).to_have_count(0)
    screenshot(bob_page, "invitation-used")

    # ... and for anybody else who finds it.
    stranger = new_context().new_page()
    stranger.goto(link)
    expect(stranger.get_by_text("This invitation has already been used.")).to_be_visible()
    expect(stranger.get_by_role("link", name="Create your account")).to_have_count(0)


def test_invited_person_signs_up_without_a_workspace_of_their_own(
    new_context: Any, live_server: Any, mailoutbox: Any, acme: Any
) -> None:
    from halyard.accounts.models import User
    from halyard.workspaces.models import Membership, Workspace

    _, link = invite_through_ui(new_context, mailoutbox)
    bob_page = new_context().new_page()
    open_invitation_and_go_to_signup(bob_page, link)
    bob_page.get_by_role("button", name="Sign Up").click()  # workspace fields left empty
    try:
        expect(bob_page.locator("form ul.errorlist")).to_have_count(0, timeout=3000)
    finally:
        screenshot(bob_page, "invitation-signup-without-workspace")
    accept(bob_page, link)
    with scopes_disabled():
        bob = User.objects.get(email="bob@example.com")
        assert [m.workspace.slug for m in Membership.objects.filter(user=bob)] == ["acme"]
        assert Workspace.objects.count() == 1
