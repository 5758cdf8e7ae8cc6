"""Headers, health, error pages, request limits, languages and locale formatting."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation

from conftest import client_for
from halyard.core import formatting


def test_every_page_carries_the_security_headers(alice, acme):
    for client, url in ((Client(), "/accounts/login/"), (client_for(alice), "/w/acme/")):
        response = client.get(url)
        assert response.status_code == 200
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_script(alice, acme):
    import re

    page = client_for(alice).get("/w/acme/").content.decode()
    for tag in re.findall(r"<script[^>]*>", page):
        assert "src=" in tag, tag
    assert " on" + "click=" not in page and 'style="' not in page


def test_healthz_reports_database_and_queue(db):
    response = Client().get("/healthz")
    body = response.json()
    assert response.status_code == 200
    assert body["database"]["ok"] is True and body["queue"]["ok"] is True
    assert body["queue"]["pending_events"] == 0


def test_an_oversized_post_is_refused_with_a_clear_page(db, settings):
    settings.MAX_REQUEST_BODY = 1000
    response = Client().post("/accounts/login/", {"login": "x" * 5000, "password": "y"})
    assert response.status_code == 413
    assert "Nothing was saved" in response.content.decode()


def test_too_many_fields_get_a_400_page_not_a_500(db, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    response = Client().post("/accounts/login/", {f"f{i}": "x" for i in range(50)})
    assert response.status_code == 400


def test_language_follows_the_browser_then_the_users_setting(alice, acme):
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="fa-IR,fa;q=0.9")
    page = anonymous.get("/accounts/login/").content.decode()
    assert 'lang="fa" dir="rtl"' in page
    alice.language = "vi"
    alice.save()
    page = client_for(alice).get("/w/acme/", HTTP_ACCEPT_LANGUAGE="fa").content.decode()
    assert 'lang="vi" dir="ltr"' in page


def test_choosing_a_language_is_kept_on_the_profile(alice, acme):
    client = client_for(alice)
    response = client.post("/language/", {"language": "zh-hant", "next": "/w/acme/"})
    assert response.status_code == 302 and response.url == "/w/acme/"
    alice.refresh_from_db()
    assert alice.language == "zh-hant"
    assert 'lang="zh-hant"' in client.get("/w/acme/").content.decode()


def test_language_switch_refuses_an_offsite_next(db):
    response = Client().post("/language/", {"language": "vi", "next": "https://evil.example/"})
    assert response.url == "/"


def test_profile_sets_the_time_zone(alice, acme):
    client = client_for(alice)
    response = client.post(
        "/accounts/profile/", {"full_name": "Alice", "language": "", "timezone": "Asia/Ho_Chi_Minh"}
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.timezone == "Asia/Ho_Chi_Minh"
    bad = client.post(
        "/accounts/profile/", {"full_name": "A", "language": "xx", "timezone": "Mars/Base"}
    )
    assert bad.status_code == 200 and "Select a valid choice" in bad.content.decode()


@pytest.mark.parametrize(
    ("language", "date", "number", "money"),
    [
        ("en", "Jan 31, 2025", "1,234.5", "$1,500,000.00"),
        ("vi", "31/01/2025", "1.234,5", "1.500.000\xa0₫"),
        ("zh-hans", "2025年1月31日", "1,234.5", "¥1,500,000.00"),
        ("zh-hant", "2025年1月31日", "1,234.5", "$1,500,000.00"),
        ("fa", "۱۴۰۳/۱۱/۱۲", "۱٬۲۳۴٫۵", None),
    ],
)
def test_dates_numbers_and_money_follow_the_locale(language, date, number, money):
    currency = {"en": "USD", "vi": "VND", "zh-hans": "CNY", "zh-hant": "TWD", "fa": "IRR"}
    with translation.override(language):
        assert formatting.format_date(dt.date(2025, 1, 31)) == date
        assert formatting.format_number(Decimal("1234.5")) == number
        amount = formatting.format_money(Decimal(1500000), currency[language])
        if money:
            assert amount == money
        else:
            assert "۱٬۵۰۰٬۰۰۰" in amount and "0" not in amount


def test_the_error_page_renders_even_when_the_database_is_gone(db, rf):
    from unittest import mock

    from django.db.utils import OperationalError

    from halyard.core.views import server_error

    request = rf.get("/w/acme/")
    with mock.patch(
        "django.db.backends.utils.CursorWrapper.execute",
        side_effect=OperationalError("database is locked"),
    ):
        response = server_error(request)
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
