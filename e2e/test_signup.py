"""Sign-up: a new person creates their account and first workspace in one form."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from e2e.conftest import PASSWORD, make_user, make_workspace, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_signup(
    page: Any, *, email: str, password: str, name: str, workspace: str, slug: str = ""
) -> None:
    page.goto("/accounts/signup/")
    expect(page.get_by_role("heading", name="Sign Up")).to_be_visible()
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password:", exact=True).fill(password)
    page.get_by_label("Password (again)").fill(password)
    page.get_by_label("Workspace name").fill(workspace)
    page.get_by_label("Workspace address").fill(slug)
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_load_state()


def test_signup_creates_account_and_workspace(page: Any, live_server: Any) -> None:
    from halyard.accounts.models import User
    from halyard.workspaces.models import Membership, Workspace

    fill_signup(
        page,
        email="dana@example.com",
        password=PASSWORD,
        name="Dana Seller",
        workspace="Acme Trading",
        slug="acme",
    )

    expect(page).to_have_url(re.compile(r"/w/acme/$"))
    expect(page.locator(".sidebar .switcher .ws-name")).to_have_text("Acme Trading")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Dana Seller")
    expect(page.locator(".sidebar .nav")).to_contain_text("Contacts")
    expect(page.locator(".stats")).to_contain_text("Contacts")
    screenshot(page, "signup-dashboard")

    with scopes_disabled():
        user = User.objects.get(email="dana@example.com")
        assert user.full_name == "Dana Seller"
        workspace = Workspace.objects.get(slug="acme")
        assert workspace.name == "Acme Trading"
        membership = Membership.objects.get(workspace=workspace, user=user)
        assert membership.role.key == "owner"


def test_signup_with_taken_email_shows_error(page: Any, live_server: Any) -> None:
    from halyard.accounts.models import User
    from halyard.workspaces.models import Workspace

    existing = make_user("erin@example.com", "Erin Existing")
    make_workspace(existing, "Erin Co", "erin")

    fill_signup(
        page,
        email="erin@example.com",
        password=PASSWORD,
        name="Erin Impostor",
        workspace="Impostor Trading",
        slug="impostor",
    )

    expect(page).to_have_url(re.compile(r"/accounts/signup/$"))
    errors = page.locator("form ul.errorlist")
    expect(errors.first).to_be_visible()
    expect(errors.first).to_contain_text("already registered")
    # What the person typed is kept, apart from the passwords.
    expect(page.get_by_label("Workspace name")).to_have_value("Impostor Trading")
    screenshot(page, "signup-email-taken")

    with scopes_disabled():
        assert not Workspace.objects.filter(slug="impostor").exists()
        assert not Workspace.objects.filter(name="Impostor Trading").exists()
        assert Workspace.objects.count() == 1
        assert User.objects.filter(email__iexact="erin@example.com").count() == 1
        assert User.objects.get(email="erin@example.com").full_name == "Erin Existing"


def test_signup_with_weak_password_shows_error(page: Any, live_server: Any) -> None:
    from halyard.accounts.models import User
    from halyard.workspaces.models import Workspace

    fill_signup(
        page,
        email="frank@example.com",
        password="password",
        name="Frank Weak",
        workspace="Weak Trading",
        slug="weak",
    )

    expect(page).to_have_url(re.compile(r"/accounts/signup/$"))
    errors = page.locator("form ul.errorlist")
    expect(errors.first).to_be_visible()
    text = " ".join(errors.all_inner_texts())
    assert "too short" in text or "too common" in text, text
    screenshot(page, "signup-weak-password")

    with scopes_disabled():
        assert not Workspace.objects.exists()
        assert not User.objects.filter(email="frank@example.com").exists()
