"""Two-factor sign-in: activate an authenticator app, then sign in with its codes."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from playwright.sync_api import expect

from e2e.conftest import PASSWORD, make_user, make_workspace, screenshot, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def totp_now(secret: str) -> tuple[int, str]:
    """The current TOTP counter and code, computed with allauth's own helpers."""
    from allauth.mfa.totp.internal.auth import (
        format_hotp_value,
        hotp_value,
        yield_hotp_counters_from_time,
    )

    counter = max(yield_hotp_counters_from_time())  # tolerance 0: the current period only
    return counter, format_hotp_value(hotp_value(secret, counter))


def wait_for_fresh_period(min_left: float) -> None:
    """Sleep into the next TOTP period if fewer than `min_left` seconds remain in this one."""
    from allauth.mfa import app_settings

    period = app_settings.TOTP_PERIOD
    left = period - (time.time() % period)
    if left < min_left:
        time.sleep(left + 0.2)


def test_totp_activation_and_sign_in(page: Any, live_server: Any) -> None:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import validate_totp_code

    user = make_user("gina@example.com", "Gina Guarded")
    make_workspace(user, "Guarded Goods", "guarded")

    # Sign in with the password only: 2FA is not on yet.
    sign_in(page, "gina@example.com")
    expect(page).to_have_url(re.compile(r"/w/guarded/$"))
    expect(page.locator(".sidebar .ws-name")).to_have_text("Guarded Goods")

    # Open the 2FA page from the user menu and start the activation.
    page.locator("details.user-menu > summary").click()
    page.get_by_role("link", name="Two-factor authentication").click()
    expect(page.get_by_role("heading", name="Two-Factor Authentication")).to_be_visible()
    expect(page.get_by_text("An authenticator app is not active.")).to_be_visible()
    page.get_by_role("link", name="Activate").click()
    # allauth asks for the password again before a security setting changes.
    expect(page.get_by_role("heading", name="Confirm Access")).to_be_visible()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/$"))
    expect(page.locator("img[src^='data:image/svg+xml']")).to_be_visible()  # the QR code
    secret = page.locator("#authenticator_secret").input_value()
    assert re.fullmatch(r"[A-Z2-7]{16,}=*", secret), secret
    screenshot(page, "2fa-activate")

    wait_for_fresh_period(min_left=4)
    _, code = totp_now(secret)
    page.get_by_label("Authenticator code").fill(code)
    page.get_by_role("button", name="Activate").click()

    # Activation generates recovery codes and shows them.
    expect(page).to_have_url(re.compile(r"/accounts/2fa/recovery-codes/$"))
    expect(page.get_by_role("heading", name="Recovery Codes")).to_be_visible()
    codes = page.locator("#recovery_codes").input_value().split()
    assert len(codes) == 10, codes
    screenshot(page, "2fa-recovery-codes")
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).exists()

    sign_out(page)

    # Signing in again now asks for the code.
    sign_in(page, "gina@example.com")
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
    expect(page.get_by_role("heading", name="Two-Factor Authentication")).to_be_visible()

    # The first login and the replay below must fall in one TOTP period, so that the replayed
    # code is refused because it was used, not because it expired.
    wait_for_fresh_period(min_left=15)
    counter, code = totp_now(secret)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    page.locator("input[name=code]").fill(wrong)
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
    expect(page.locator("form ul.errorlist")).to_contain_text("Incorrect code.")
    screenshot(page, "2fa-wrong-code")

    page.locator("input[name=code]").fill(code)
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(re.compile(r"/w/guarded/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Gina Guarded")
    expect(page.locator(".sidebar .ws-name")).to_have_text("Guarded Goods")

    # Somebody who watched the code tries it again straight away: refused.
    sign_out(page)
    sign_in(page, "gina@example.com")
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
    page.locator("input[name=code]").fill(code)
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
    expect(page.locator("form ul.errorlist")).to_contain_text("Incorrect code.")
    # The refusal is due to the replay: the code itself is still within its period.
    assert totp_now(secret)[0] == counter
    assert validate_totp_code(secret, code)
    screenshot(page, "2fa-replayed-code")
