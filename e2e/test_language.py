"""Language picker: the interface follows the chosen language, right-to-left for Persian."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from e2e.conftest import make_user, make_workspace, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = ["en", "vi", "zh-hans", "zh-hant", "fa"]


def choose_language(page: Any, code: str) -> None:
    """Pick a language in the top bar; the form submits itself and the page reloads."""
    picker = page.locator(".topbar select[name=language]")
    with page.expect_navigation():
        picker.select_option(code)
    expect(page.locator("html")).to_have_attribute("lang", code)
    expect(page.locator(".topbar select[name=language]")).to_have_value(code)


def test_language_picker_and_rtl(page: Any, live_server: Any) -> None:
    from halyard.accounts.models import User

    user = make_user("kian@example.com", "Kian Polyglot")
    make_workspace(user, "Acme Trading", "acme")
    sign_in(page, "kian@example.com")
    expect(page).to_have_url(re.compile(r"/w/acme/$"))
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "en")
    expect(html).to_have_attribute("dir", "ltr")
    nav = page.locator(".sidebar .nav")
    english_nav = nav.inner_text()
    english_heading = page.get_by_role("heading", level=1).inner_text()
    assert english_heading == "Welcome, Kian Polyglot"

    seen_headings = {"en": english_heading}
    for code in LANGUAGES:
        if code != "en":
            choose_language(page, code)
            expect(page).to_have_url(re.compile(r"/w/acme/$"))  # back where the user was
            heading = page.get_by_role("heading", level=1).inner_text()
            # The interface is translated, and the data (names) is left alone.
            assert "Kian Polyglot" in heading, heading
            assert heading != english_heading, f"{code}: dashboard heading not translated"
            assert nav.inner_text() != english_nav, f"{code}: sidebar not translated"
            seen_headings[code] = heading
            expect(page.locator(".sidebar .ws-name")).to_have_text("Acme Trading")
        expect(html).to_have_attribute("dir", "rtl" if code == "fa" else "ltr")
        page.mouse.move(0, 0)
        screenshot(page, f"language-dashboard-{code}", full_page=False)
    assert len(set(seen_headings.values())) == len(LANGUAGES), seen_headings

    # Persian: right to left, the sidebar moves to the right of the content.
    expect(html).to_have_attribute("dir", "rtl")
    expect(html).to_have_attribute("lang", "fa")
    sidebar_box = page.locator(".sidebar").bounding_box()
    content_box = page.locator(".content").bounding_box()
    assert sidebar_box and content_box
    assert sidebar_box["x"] > content_box["x"], (sidebar_box, content_box)
    viewport = page.viewport_size
    assert sidebar_box["x"] + sidebar_box["width"] == pytest.approx(viewport["width"], abs=1)

    # The choice is kept in the profile: it survives signing in again elsewhere.
    user.refresh_from_db()
    assert user.language == "fa"
    page.context.clear_cookies()
    sign_in(page, "kian@example.com")
    expect(page).to_have_url(re.compile(r"/w/acme/$"))
    expect(html).to_have_attribute("lang", "fa")
    expect(html).to_have_attribute("dir", "rtl")

    # And back to English, left to right.
    choose_language(page, "en")
    expect(html).to_have_attribute("dir", "ltr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Kian Polyglot")
    sidebar_box = page.locator(".sidebar").bounding_box()
    content_box = page.locator(".content").bounding_box()
    assert sidebar_box and content_box and sidebar_box["x"] < content_box["x"]
    assert User.objects.get(pk=user.pk).language == "en"


@pytest.mark.parametrize("code", ["vi", "zh-hans", "zh-hant", "fa"])
def test_language_picker_on_sign_in_page(page: Any, live_server: Any, code: str) -> None:
    """A visitor who is not signed in can switch the language too (kept in a cookie).

    The sign-in page is django-allauth's; its Vietnamese strings (and our glossary's wording for
    the other languages) come from halyard/locale_vendor.
    """
    page.goto("/accounts/login/")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "en")
    english = {
        "heading": page.get_by_role("heading", level=1).inner_text(),
        "button": page.locator("form button[type=submit]").inner_text(),
        "intro": page.locator(".public-card p").first.inner_text(),
    }
    assert english["heading"] == "Sign In"
    with page.expect_navigation():
        page.locator("header select[name=language]").select_option(code)
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(html).to_have_attribute("lang", code)
    expect(html).to_have_attribute("dir", "rtl" if code == "fa" else "ltr")
    screenshot(page, f"language-login-{code}", full_page=False)
    translated = {
        "heading": page.get_by_role("heading", level=1).inner_text(),
        "button": page.locator("form button[type=submit]").inner_text(),
        "intro": page.locator(".public-card p").first.inner_text(),
    }
    untranslated = [key for key in english if translated[key] == english[key]]
    assert not untranslated, f"{code}: still in English: {untranslated}"
