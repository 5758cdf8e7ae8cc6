"""Dates in imported files: day-first or month-first decided per column, never guessed per cell,
and dates of other calendars refused with a clear message instead of being misread.

"03/04/2025" is the 3rd of April in Hanoi, Tehran and Beijing but March 4th in New York. One
file keeps one order in a column, so the order is read off the whole sample of the column: a
first part over 12 proves day-first, a second part over 12 proves month-first, and a column that
proves neither follows the workspace's country. A later cell that contradicts the order is an
error on its row, not a silent swap.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

DMY, MDY = "dmy", "mdy"
# Countries whose people write the month first (everyone else: day first, or year first).
MONTH_FIRST = {"US", "PH", "FM", "MH", "PW", "AS", "GU", "MP", "PR", "UM", "VI", "BZ"}

_YMD = re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})(?:[ T]\d{1,2}:\d{2}.*)?$")
_PAIR = re.compile(
    r"^(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{4}|\d{2})(?:\s+\d{1,2}:\d{2}.*)?$"
)
_CJK = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号號]?$")
_VI = re.compile(r"^(?:ngày\s*)?(\d{1,2})\s*tháng\s*(\d{1,2})\s*(?:năm|,)?\s*(\d{4})$", re.I)
_LUNAR = re.compile(r"âm lịch|\bÂL\b|农历|農曆|阴历|陰曆|قمری", re.I)
_PERSIAN_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
_MONTHS = ("%d %b %Y", "%d %B %Y", "%b %d %Y", "%B %d %Y", "%d-%b-%Y", "%d-%b-%y")
# Years of the Persian (Solar Hijri) calendar that files of today hold.
JALALI_YEARS = range(1300, 1500)


def default_order(country: str) -> str:
    """Return the order a workspace's people write dates in when the column does not say."""
    return MDY if (country or "").upper() in MONTH_FIRST else DMY


def date_order(values: Iterable[str], default: str) -> str:
    """Read the order off a column's values (see the module's note); `default` if they agree
    with both."""
    day_first = month_first = False
    for value in values:
        match = _PAIR.match(value.strip().translate(_PERSIAN_DIGITS))
        if match is None:
            continue
        first, second = int(match.group(1)), int(match.group(2))
        day_first |= first > 12 >= second
        month_first |= second > 12 >= first
    if day_first and not month_first:
        return DMY
    if month_first and not day_first:
        return MDY
    return default


def _invalid(text: str) -> ValidationError:
    return ValidationError(
        _("“%(value)s” is not a date. Write it as 2025-01-31 or 31/01/2025.") % {"value": text},
        code="date_invalid",
    )


def _jalali(text: str) -> ValidationError:
    return ValidationError(
        _(
            "“%(value)s” looks like a date of the Persian calendar. Convert it to the Gregorian "
            "calendar (e.g. 1403/05/12 is 2024-08-02) and import it again."
        )
        % {"value": text},
        code="date_jalali",
    )


def _day(year: int, month: int, day: int, text: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise _invalid(text) from None


def parse_date_cell(text: str, order: str) -> dt.date:
    """Read one cell as a Gregorian date in the column's order; refuse what it cannot be sure of."""
    raw = text.strip()
    value = raw.translate(_PERSIAN_DIGITS)
    if _LUNAR.search(value):
        raise ValidationError(
            _(
                "“%(value)s” is a date of the lunar calendar. Convert it to the Gregorian calendar "
                "and import it again."
            )
            % {"value": raw},
            code="date_lunar",
        )
    for pattern in (_YMD, _CJK):
        if match := pattern.match(value):
            year, month, day = (int(g) for g in match.groups())
            if year in JALALI_YEARS:
                raise _jalali(raw)
            return _day(year, month, day, raw)
    if match := _VI.match(value):
        day, month, year = (int(g) for g in match.groups())
        return _day(year, month, day, raw)
    if match := _PAIR.match(value):
        first, second, year_text = match.groups()
        year = int(year_text)
        if len(year_text) == 2:
            year += 2000 if year < 70 else 1900
        elif year in JALALI_YEARS:
            raise _jalali(raw)
        day, month = (int(first), int(second)) if order == DMY else (int(second), int(first))
        if month > 12:
            raise ValidationError(
                _(
                    "“%(value)s” does not fit the order of the other dates in its column "
                    "(%(order)s)."
                )
                % {"value": raw, "order": _("day first") if order == DMY else _("month first")},
                code="date_order",
            )
        return _day(year, month, day, raw)
    compact = re.sub(r"[,\s]+", " ", value)
    for pattern_text in _MONTHS:
        try:
            return dt.datetime.strptime(compact, pattern_text).date()  # noqa: DTZ007 - a day
        except ValueError:
            continue
    raise _invalid(raw)
