"""Custom date and number columns: the column's date order, other calendars refused, any
locale's thousands separators."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django_scopes import scope

from conftest import actor_for
from halyard.contacts.models import Contact
from halyard.customfields.models import CustomField
from halyard.imports.models import ImportRow
from halyard.imports.tests.test_imports import run, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _var_dir(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path


@pytest.fixture
def fields(acme: Any) -> None:
    with scope(workspace=acme):
        for key, kind in (("signed", "date"), ("seats", "number"), ("budget", "decimal")):
            CustomField.objects.create(
                workspace=acme, record_type="contacts", key=key, label=key, field_type=kind
            )


def _import(acme: Any, alice: Any, text: str, country: str) -> dict[str, Any]:
    acme.default_country = country
    acme.save()
    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        job = run(
            actor,
            upload(actor, text.encode()),
            mapping={
                "0": "last_name",
                "1": "custom.signed",
                "2": "custom.seats",
                "3": "custom.budget",
            },
        )
        errors = {r.row_number: r.error for r in ImportRow.objects.filter(job=job, action="failed")}
        found = {c.last_name: c.custom for c in Contact.objects.all()}
    return {"contacts": found, "errors": errors}


def test_a_column_that_proves_day_first_is_read_day_first_even_in_a_us_workspace(
    acme: Any, alice: Any, fields: None
) -> None:
    text = "Name;Signed;Seats;Budget\nAn;03/04/2025;1.200;1.234,50\nBình;25/12/2024;7;99\n"
    result = _import(acme, alice, text, "US")
    assert result["errors"] == {}
    assert result["contacts"]["An"] == {"signed": "2025-04-03", "seats": 1200, "budget": "1234.50"}
    assert result["contacts"]["Bình"]["signed"] == "2024-12-25"


def test_an_ambiguous_column_follows_the_workspace_country(
    acme: Any, alice: Any, fields: None
) -> None:
    text = 'Name,Signed,Seats,Budget\nAn,03/04/2025,"1,200","1,234.50"\n'
    assert _import(acme, alice, text, "VN")["contacts"]["An"]["signed"] == "2025-04-03"
    with scope(workspace=acme):
        Contact.objects.all().delete()
    assert _import(acme, alice, text, "US")["contacts"]["An"]["signed"] == "2025-03-04"


def test_persian_calendar_dates_are_row_errors_not_misread(
    acme: Any, alice: Any, fields: None
) -> None:
    text = "Name,Signed,Seats,Budget\nReza,1403/05/12,3,10\nSara,2024-08-02,3,10\n"
    result = _import(acme, alice, text, "IR")
    assert set(result["contacts"]) == {"Sara"}
    assert "Persian calendar" in result["errors"][1]
