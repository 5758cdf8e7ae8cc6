"""Fixtures for the end-to-end browser tests: one headless Chromium, a fresh context per test."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in the main thread; Django would then refuse
# ORM calls made by the test itself (fixtures, assertions on the database).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
PASSWORD = "correct-horse-battery-9"
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless Chromium shared by the whole session (Debian's, never a downloaded one)."""
    if not os.path.exists(CHROMIUM):
        message = f"Chromium is not installed at {CHROMIUM}; the browser tests need it"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


@pytest.fixture
def new_context(browser: Any, live_server: Any) -> Iterator[Any]:
    """Open more isolated browser contexts (another person, another device) in one test."""
    contexts: list[Any] = []

    def make(locale: str = "en-US") -> Any:
        context = browser.new_context(
            locale=locale, base_url=live_server.url, viewport={"width": 1280, "height": 800}
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context: Any) -> Any:
    """A page in a fresh browser context (no cookies), English-speaking."""
    return new_context().new_page()


def screenshot(page: Any, name: str, full_page: bool = True) -> Path:
    """Save a PNG of the page into e2e/screenshots/ (git-ignored) and return its path."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def make_user(email: str, name: str, password: str = PASSWORD) -> Any:
    """A user with a verified primary e-mail address, as after a completed sign-up."""
    from allauth.account.models import EmailAddress

    from halyard.accounts.models import User

    user = User.objects.create_user(email, password, full_name=name)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    return user


def make_workspace(owner: Any, name: str, slug: str) -> Any:
    from halyard.workspaces.services import workspace_create

    return workspace_create(owner=owner, name=name, slug=slug)


def sign_in(page: Any, email: str, password: str = PASSWORD) -> None:
    """Fill the sign-in form and submit it (the caller checks where it lands)."""
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("form button[type=submit]").filter(has_text="Sign In").click()
    page.wait_for_load_state()


def sign_out(page: Any) -> None:
    """Sign out through the user menu in the top bar."""
    page.locator("details.user-menu > summary").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
