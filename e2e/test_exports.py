"""Taking a list out of Halyard: the export menu gives CSV, Excel and vCard files that open."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from playwright.sync_api import expect

from e2e.conftest import make_user, make_workspace, screenshot, sign_in
from e2e.test_lists import _people

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PEOPLE = [
    {"first_name": "Thị Mai", "last_name": "Nguyễn", "email": "mai@kho.vn", "title": "Kế toán"},
    {"first_name": "小明", "last_name": "王", "email": "wang@example.cn", "title": "=1+1"},
    {"first_name": "Reza", "last_name": "Karimi", "email": "reza@pars.ir", "title": "مدیر فروش"},
]


def _download(page: Any, label: str) -> bytes:
    page.locator("details.export-menu > summary").click()
    with page.expect_download() as info:
        page.locator("details.export-menu").get_by_role("link", name=label).click()
    path = info.value.path()
    with open(path, "rb") as handle:
        return handle.read()


def test_export_the_contact_list_as_csv_excel_and_vcards(page: Any, live_server: Any) -> None:
    from openpyxl import load_workbook

    owner = make_user("lan@example.com", "Lan Owner")
    workspace = make_workspace(owner, "Sen Vàng", "sen")
    _people(workspace, owner, PEOPLE)
    sign_in(page, "lan@example.com")
    page.goto("/w/sen/contacts/?q=Nguy")
    expect(page.locator("table.record-list tbody tr")).to_have_count(1)

    page.locator("details.export-menu > summary").click()
    menu = page.locator("details.export-menu .menu")
    expect(menu).to_be_visible()
    expect(menu.get_by_role("link", name="vCard (.vcf)")).to_be_visible()
    screenshot(page, "export-menu-en", full_page=False)
    page.keyboard.press("Escape")

    # The CSV holds the filtered list only, with its visible columns.
    rows = list(csv.reader(io.StringIO(_download(page, "CSV (.csv)").decode("utf-8-sig"))))
    assert len(rows) == 2 and rows[1][0] == "Thị Mai Nguyễn"

    page.goto("/w/sen/contacts/")
    workbook = load_workbook(io.BytesIO(_download(page, "Excel (.xlsx)")))
    values = {row[0].value: row for row in workbook.active.iter_rows(min_row=2)}
    assert set(values) == {"Thị Mai Nguyễn", "王小明", "Reza Karimi"}
    workbook = load_workbook(io.BytesIO(_download(page, "All fields, Excel")))
    header = [c.value for c in next(workbook.active.iter_rows())]
    values = {row[0].value: row for row in workbook.active.iter_rows(min_row=2)}
    title = values["王小明"][header.index("Job title")]
    assert title.value == "=1+1"
    assert title.data_type == "s"  # text, not a formula

    cards = _download(page, "vCard (.vcf)").decode("utf-8")
    assert cards.count("BEGIN:VCARD") == 3 and "EMAIL;TYPE=INTERNET,PREF:reza@pars.ir" in cards


def test_the_export_menu_in_persian(page: Any, live_server: Any) -> None:
    owner = make_user("reza@example.com", "Reza Karimi")
    owner.language = "fa"
    owner.save()
    workspace = make_workspace(owner, "پارس", "pars")
    _people(workspace, owner, PEOPLE)
    sign_in(page, "reza@example.com")
    page.goto("/w/pars/contacts/")
    page.locator("details.export-menu > summary").click()
    expect(page.locator("details.export-menu .menu")).to_be_visible()
    screenshot(page, "export-menu-fa", full_page=False)
