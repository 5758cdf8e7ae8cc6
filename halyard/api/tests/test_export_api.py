"""`GET /api/v1/<plural>/export`: the list's filters, every field, CSV or Excel, audited."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django_scopes import scope, scopes_disabled
from openpyxl import load_workbook

from conftest import actor_for
from halyard.api.tests.conftest import ApiClient, problem
from halyard.audit.models import AuditEntry
from halyard.companies.services import company_create
from halyard.contacts.services import contact_create
from halyard.deals.tests.factories import sales_pipeline

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(acme: Any, alice: Any, bob: Any) -> None:
    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        co = company_create(actor=actor, values={"name": "=cmd|' /C calc'!A0"})
        contact_create(
            actor=actor,
            values={"first_name": "Mai", "last_name": "Nguyễn", "company": co, "title": "Kế toán"},
        )
        contact_create(
            actor=actor,
            values={"last_name": "Karimi", "lifecycle_stage": "customer", "owner_id": bob.pk},
        )


def _body(response: Any) -> bytes:
    assert response.status_code == 200, response.content[:300]
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_csv_export_follows_the_list_filters_and_has_every_field(
    people: Any, alice_api: ApiClient
) -> None:
    response = alice_api.get("/api/v1/contacts/export?lifecycle_stage=customer")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(_body(response).decode("utf-8-sig"))))
    header = rows[0]
    assert {"name", "company", "title", "owner", "tags", "created"} <= set(header)
    assert [r[header.index("name")] for r in rows[1:]] == ["Karimi"]
    everyone = alice_api.get("/api/v1/contacts/export?ordering=last_name")
    rows = list(csv.reader(io.StringIO(_body(everyone).decode("utf-8-sig"))))
    assert [r[header.index("name")] for r in rows[1:]] == ["Karimi", "Mai Nguyễn"]
    assert rows[2][header.index("company")] == "'=cmd|' /C calc'!A0"  # neutralised
    with scopes_disabled():
        entry = AuditEntry.objects.filter(action="export").first()
    assert entry.changes["format"] == "csv" and entry.changes["rows"] == 2


def test_excel_export(people: Any, alice_api: ApiClient) -> None:
    response = alice_api.get("/api/v1/contacts/export?format=xlsx&q=Nguy")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(_body(response))).active
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert len(rows) == 2 and "Mai Nguyễn" in rows[1]
    company = rows[1][rows[0].index("company")]
    assert company == "=cmd|' /C calc'!A0"  # as typed, stored as text


def test_other_record_types_export(acme: Any, alice: Any, alice_api: ApiClient) -> None:
    sales_pipeline(acme, alice)
    for plural in ("companies", "leads", "deals"):
        text = _body(alice_api.get(f"/api/v1/{plural}/export")).decode("utf-8-sig")
        assert text.splitlines()[0].startswith("name") or "name" in text.splitlines()[0]


def test_export_needs_the_export_permission_and_keeps_to_the_workspace(
    people: Any, bob_api: ApiClient, charlie_api: ApiClient, reader_api: ApiClient
) -> None:
    problem(bob_api.get("/api/v1/contacts/export"), 403)  # reps have no export action
    rows = _body(reader_api.get("/api/v1/contacts/export")).decode("utf-8-sig").splitlines()
    assert len(rows) == 3  # a read-only key may export: it is a read
    rows = _body(charlie_api.get("/api/v1/contacts/export")).decode("utf-8-sig").splitlines()
    assert len(rows) == 1  # another workspace: the header only


def test_bad_export_parameters_are_problems(people: Any, alice_api: ApiClient) -> None:
    problem(alice_api.get("/api/v1/contacts/export?format=pdf"), 400, "invalid_parameter")
    problem(alice_api.get("/api/v1/contacts/export?limit=5"), 400, "unknown_parameter")
    problem(alice_api.get("/api/v1/contacts/export?ordering=salary"), 400, "invalid_parameter")
