"""Phone numbers: parsed against a country, stored as E.164, shown as the reader expects."""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from halyard.core.countries import country_name


def phone_normalise(raw: str, country: str) -> str:
    """Return `raw` as E.164, parsed against `country` unless it starts with +; or refuse it."""
    text = (raw or "").strip()
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, (country or "US").upper())
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("“%(value)s” is not a valid phone number for %(country)s."),
            code="phone_invalid",
            params={"value": text, "country": country_name(country or "US")},
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _parse(e164: str) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return None


def phone_display(e164: str, country: str) -> str:
    """Format a stored number: national format inside `country`, international outside it."""
    number = _parse(e164) if e164 and e164.startswith("+") else None
    if number is None:
        return e164 or ""
    region = phonenumbers.region_code_for_number(number)
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if region == (country or "").upper()
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)


def phone_national_digits(e164: str) -> str:
    """Return the digits a local caller dials (e.g. 0912345678), for search."""
    number = _parse(e164) if e164 and e164.startswith("+") else None
    if number is None:
        return "".join(ch for ch in e164 or "" if ch.isdigit())
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return "".join(ch for ch in national if ch.isdigit())
