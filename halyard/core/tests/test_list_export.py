"""CSV export of the current list: permission, BOM, formula injection, streaming and audit."""

import csv
import io

import pytest
from django.http import StreamingHttpResponse
from django_scopes import scope, scopes_disabled

from conftest import actor_for, client_for
from halyard.audit.models import AuditEntry
from halyard.companies.services import company_create
from halyard.contacts.services import contact_create
from halyard.core.export import neutralise
from halyard.customfields.models import CustomField, Tag


@pytest.fixture
def book(acme, alice, bob):
    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        CustomField.objects.create(
            workspace=acme, record_type="contacts", key="size", label="Size", field_type="number"
        )
        vip = Tag.objects.create(workspace=acme, name="VIP")
        co = company_create(actor=actor, values={"name": '=HYPERLINK("http://x")'})
        contact_create(
            actor=actor,
            values={
                "first_name": "Thị Mai",
                "last_name": "Nguyễn",
                "email": "mai@kho.vn",
                "company": co,
                "tags": [vip],
                "custom": {"size": 40},
            },
        )
        contact_create(actor=actor, values={"last_name": "王小明", "title": "+84 90 000"})
        contact_create(actor=actor, values={"last_name": "رضا کریمی", "title": "@boss"})
        contact_create(actor=actor_for(acme, bob), values={"last_name": "-1+1", "title": "\tx"})
    return acme


def _csv(response):
    assert isinstance(response, StreamingHttpResponse)
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_export_the_current_view_with_its_columns_filters_and_sort(book, alice):
    response = client_for(alice).get(
        "/w/acme/contacts/export/?col=name&col=company&col=title&col=tags&col=cf_size&col=owner"
        "&sort=name&ff=owner&fo=eq&fv=me&fv2="
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'attachment; filename="contacts-' in response["Content-Disposition"]
    rows = _csv(response)
    assert rows[0] == ["Name", "Company", "Job title", "Tags", "Size", "Owner"]
    names = [r[0] for r in rows[1:]]
    assert names == sorted(["Thị Mai Nguyễn", "王小明", "رضا کریمی"], key=lambda n: n.split()[-1])
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name["Thị Mai Nguyễn"][1] == '\'=HYPERLINK("http://x")'  # neutralised
    assert by_name["Thị Mai Nguyễn"][3:] == ["VIP", "40", "Alice Owner"]
    assert by_name["王小明"][2] == "'+84 90 000"
    assert by_name["رضا کریمی"][2] == "'@boss"


def test_every_dangerous_first_character_is_neutralised():
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(text) == "'" + text
    assert neutralise("Nguyễn") == "Nguyễn" and neutralise(-5) == -5 and neutralise("") == ""


def test_the_export_is_audited_with_its_row_count_and_filters(book, alice):
    client = client_for(alice)
    response = client.get("/w/acme/contacts/export/?q=n&col=name")
    rows = _csv(response)
    with scopes_disabled():
        entry = AuditEntry.objects.get(action="export")
    assert entry.actor == alice and entry.workspace == book
    assert entry.changes["record_type"] == "contacts"
    assert entry.changes["rows"] == len(rows) - 1 == 1  # only Nguyễn matches "n"
    assert entry.changes["filters"]["q"] == "n" and entry.changes["columns"] == ["name"]


def test_a_rep_exports_only_what_they_may_see_and_needs_the_export_action(book, alice, bob):
    # Sales reps have no export action on contacts: refused, and nothing is audited.
    assert client_for(bob).get("/w/acme/contacts/export/").status_code == 403
    with scopes_disabled():
        assert not AuditEntry.objects.filter(action="export").exists()
        from halyard.workspaces.models import Membership

        role = Membership.objects.get(user=bob).role
        role.permissions["contacts"] = [*role.permissions["contacts"], "export"]
        role.save()
    rows = _csv(client_for(bob).get("/w/acme/contacts/export/?col=name&col=title"))
    assert rows[1:] == [["'-1+1", "'\tx"]]  # his own record only, neutralised


def test_export_walks_many_pages(acme, alice, monkeypatch):
    from halyard.core import export

    monkeypatch.setattr(export, "CHUNK", 7)
    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        for i in range(30):
            contact_create(actor=actor, values={"last_name": f"P{i:02d}"})
    rows = _csv(client_for(alice).get("/w/acme/contacts/export/?col=name&sort=-name"))
    assert [r[0] for r in rows[1:]] == [f"P{i:02d}" for i in reversed(range(30))]


def _xlsx(response):
    from openpyxl import load_workbook

    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert 'filename="contacts-' in response["Content-Disposition"]
    assert response["Content-Disposition"].endswith('.xlsx"')
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return workbook.active


def test_excel_export_keeps_values_as_typed_text_never_formulas(book, alice):
    sheet = _xlsx(
        client_for(alice).get(
            "/w/acme/contacts/export/?format=xlsx&col=name&col=company&col=title&col=cf_size"
            "&sort=name"
        )
    )
    assert sheet.title == "Contacts"
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["Name", "Company", "Job title", "Size"]
    by_name = {r[0]: r for r in rows[1:]}
    assert set(by_name) == {"Thị Mai Nguyễn", "王小明", "رضا کریمی", "-1+1"}
    # The value is exactly what was typed, stored as text: Excel shows it and never runs it.
    cells = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    company = cells["Thị Mai Nguyễn"][1]
    assert company.value == '=HYPERLINK("http://x")' and company.data_type == "s"
    assert cells["-1+1"][0].data_type == "s" and cells["-1+1"][2].value == "\tx"
    assert cells["王小明"][2].value == "+84 90 000"
    assert by_name["Thị Mai Nguyễn"][3] == 40  # numbers stay numbers
    with scopes_disabled():
        entry = AuditEntry.objects.get(action="export")
    assert entry.changes["format"] == "xlsx" and entry.changes["rows"] == 4


def test_all_fields_exports_every_column_not_only_the_visible_ones(book, alice):
    response = client_for(alice).get("/w/acme/contacts/export/?col=name&fields=all")
    rows = _csv(response)
    assert rows[0][0] == "Name"
    assert {"Company", "Job title", "Tags", "Size", "Owner", "Created"} <= set(rows[0])
    sheet = _xlsx(client_for(alice).get("/w/acme/contacts/export/?col=name&fields=all&format=xlsx"))
    assert [c.value for c in next(sheet.iter_rows())] == rows[0]


def test_an_unknown_export_format_is_not_found(book, alice):
    assert client_for(alice).get("/w/acme/contacts/export/?format=pdf").status_code == 404
    # vCard is for contacts only.
    assert client_for(alice).get("/w/acme/companies/export/?format=vcf").status_code == 404


def test_excel_drops_characters_a_workbook_cannot_hold(acme, alice):
    with scope(workspace=acme):
        contact_create(actor=actor_for(acme, alice), values={"last_name": "Bad\x01\x0bName"})
    sheet = _xlsx(client_for(alice).get("/w/acme/contacts/export/?format=xlsx&col=name"))
    assert [c.value for c in next(sheet.iter_rows(min_row=2))] == ["BadName"]


def test_contacts_export_to_vcards_an_address_book_reads(book, alice):
    import vobject

    with scope(workspace=book):
        from halyard.contacts.models import Contact

        mai = Contact.objects.get(last_name="Nguyễn")
        from halyard.contacts.services import contact_update

        contact_update(
            actor=actor_for(book, alice),
            contact=mai,
            expected_version=mai.version,
            values={
                "emails": [
                    {"email": "mai@kho.vn", "is_primary": True},
                    {"email": "mai.nguyen@gmail.com"},
                ],
                "phones": [{"number": "+84901234567", "kind": "mobile", "is_primary": True}],
                "city": "Hà Nội",
                "country": "VN",
            },
        )
    response = client_for(alice).get("/w/acme/contacts/export/?format=vcf&q=Nguy")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/vcard; charset=utf-8"
    assert response["Content-Disposition"].endswith('.vcf"')
    text = b"".join(response.streaming_content).decode("utf-8")
    cards = list(vobject.readComponents(text))
    assert len(cards) == 1
    card = cards[0]
    assert card.fn.value == "Thị Mai Nguyễn"
    assert card.n.value.family == "Nguyễn" and card.n.value.given == "Thị Mai"
    assert [e.value for e in card.contents["email"]] == ["mai@kho.vn", "mai.nguyen@gmail.com"]
    assert card.tel.value == "+84901234567" and "CELL" in card.tel.type_paramlist
    assert card.org.value == ['=HYPERLINK("http://x")']
    assert card.adr.value.city == "Hà Nội"
    assert card.categories.value == ["VIP"]
    with scopes_disabled():
        entry = AuditEntry.objects.get(action="export")
    assert entry.changes["format"] == "vcf" and entry.changes["rows"] == 1


def test_vcard_export_needs_the_export_action_and_keeps_to_record_scope(book, alice, bob):
    assert client_for(bob).get("/w/acme/contacts/export/?format=vcf").status_code == 403


def test_the_list_offers_every_export_format(book, alice):
    page = client_for(alice).get("/w/acme/contacts/").content.decode()
    for label in ("CSV (.csv)", "Excel (.xlsx)", "vCard (.vcf)", "All fields, Excel"):
        assert label in page
    assert "vCard" not in client_for(alice).get("/w/acme/companies/").content.decode()
