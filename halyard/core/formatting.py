"""Dates, numbers and money formatted for the active language (CLDR through Babel).

Persian uses the Jalali calendar and Persian digits, as the glossary asks.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import jdatetime
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from django.utils import timezone, translation

BABEL_LOCALES = {
    "en": "en_US",
    "vi": "vi_VN",
    "zh-hans": "zh_Hans_CN",
    "zh-hant": "zh_Hant_TW",
    "fa": "fa_IR",
}
PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def current_locale() -> str:
    """Return the Babel locale of the active language."""
    return BABEL_LOCALES.get(translation.get_language() or "en", "en_US")


def _persian(text: str) -> str:
    return text.translate(PERSIAN_DIGITS)


def format_date(value: dt.date | dt.datetime | None) -> str:
    """Format a date (or the local date of a datetime) in the active locale."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    locale = current_locale()
    if locale == "fa_IR":
        return _persian(jdatetime.date.fromgregorian(date=value).strftime("%Y/%m/%d"))
    if locale == "vi_VN":
        return value.strftime("%d/%m/%Y")
    return babel_dates.format_date(value, format="medium", locale=locale)


def format_datetime(value: dt.datetime | None) -> str:
    """Format a moment in the user's time zone and the active locale."""
    if value is None:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    locale = current_locale()
    if locale == "fa_IR":
        jalali = jdatetime.datetime.fromgregorian(datetime=local)
        return _persian(jalali.strftime("%Y/%m/%d %H:%M"))
    if locale == "vi_VN":
        return local.strftime("%H:%M %d/%m/%Y")
    return babel_dates.format_datetime(local, format="short", locale=locale, tzinfo=local.tzinfo)


def format_number(value: int | float | Decimal | None) -> str:
    """Format a number with the locale's grouping, decimal sign and digits."""
    if value is None:
        return ""
    text = babel_numbers.format_decimal(value, locale=current_locale(), numbering_system="default")
    return _persian(text) if current_locale() == "fa_IR" else text


def format_money(value: Decimal | int | float | None, currency: str) -> str:
    """Format an amount of money in a currency for the active locale."""
    if value is None:
        return ""
    text = babel_numbers.format_currency(
        value, currency, locale=current_locale(), numbering_system="default"
    )
    return _persian(text) if current_locale() == "fa_IR" else text
