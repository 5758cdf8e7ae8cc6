"""Dates in imported files: the column's order, other calendars refused, never misread."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from halyard.imports.dates import DMY, MDY, date_order, default_order, parse_date_cell


def test_the_column_proves_its_order_or_follows_the_country() -> None:
    assert date_order(["03/04/2025", "25/12/2024"], MDY) == DMY
    assert date_order(["03/04/2025", "12/25/2024"], DMY) == MDY
    assert date_order(["03/04/2025", "01/02/2025"], DMY) == DMY
    assert date_order(["03/04/2025", "01/02/2025"], MDY) == MDY
    assert date_order(["25/12/2024", "12/25/2024"], DMY) == DMY  # contradictory: the default
    assert date_order(["2025-01-31", "", "x"], MDY) == MDY
    assert default_order("VN") == DMY and default_order("IR") == DMY
    assert default_order("us") == MDY and default_order("") == DMY


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        ("03/04/2025", DMY, dt.date(2025, 4, 3)),
        ("03/04/2025", MDY, dt.date(2025, 3, 4)),
        ("3.4.25", DMY, dt.date(2025, 4, 3)),
        ("2025-04-03", MDY, dt.date(2025, 4, 3)),
        ("2025/4/3", DMY, dt.date(2025, 4, 3)),
        ("2025-04-03T09:30:00", DMY, dt.date(2025, 4, 3)),
        ("2025年4月3日", DMY, dt.date(2025, 4, 3)),
        ("ngày 3 tháng 4 năm 2025", MDY, dt.date(2025, 4, 3)),
        ("3 tháng 4, 2025", DMY, dt.date(2025, 4, 3)),
        ("۰۳/۰۴/۲۰۲۵", DMY, dt.date(2025, 4, 3)),
        ("3 Apr 2025", MDY, dt.date(2025, 4, 3)),
        ("April 3, 2025", DMY, dt.date(2025, 4, 3)),
        ("03-Apr-25", DMY, dt.date(2025, 4, 3)),
    ],
)
def test_dates_are_read_in_the_columns_order(text: str, order: str, expected: dt.date) -> None:
    assert parse_date_cell(text, order) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("1403/05/12", "date_jalali"),
        ("۱۴۰۳/۰۵/۱۲", "date_jalali"),
        ("12/05/1403", "date_jalali"),
        ("15/8 âm lịch 2025", "date_lunar"),
        ("农历2025年8月15日", "date_lunar"),
        ("25/12/2024", "date_order"),  # in a month-first column
        ("31/02/2025", "date_invalid"),
        ("soon", "date_invalid"),
        ("2025-13-01", "date_invalid"),
    ],
)
def test_what_cannot_be_read_surely_is_an_error_with_its_reason(text: str, code: str) -> None:
    with pytest.raises(ValidationError) as raised:
        parse_date_cell(text, MDY if code == "date_order" else DMY)
    assert raised.value.code == code
    assert text in raised.value.messages[0]
