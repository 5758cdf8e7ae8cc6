"""Importing contacts: upload a Vietnamese CSV, map it, watch it run, see the contacts, undo."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from e2e.conftest import make_user, make_workspace, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSV = (
    "Họ,Tên,Email,Điện thoại,Công ty,Ghi chú\n"
    "Nguyễn,An,an@senvang.vn,0912 345 678,Sen Vàng,khách quen\n"
    "Trần,Bình,binh@senvang.vn,0987654321,Sen Vàng,\n"
    "Lê,Cường,không-phải-email,0903123456,Hoa Sen,\n"
)


@pytest.fixture
def queued(monkeypatch: Any) -> list[int]:
    """Imports the pages queue; the test runs them itself, as a worker would."""
    ids: list[int] = []
    monkeypatch.setattr("halyard.imports.views.enqueue_import", ids.append)
    return ids


def _workspace(language: str = "en") -> Any:
    owner = make_user("lan@example.com", "Lan Owner")
    owner.language = language
    owner.save()
    workspace = make_workspace(owner, "Sen Vàng", "sen")
    workspace.default_country = "VN"
    workspace.save()
    return workspace


def _upload(page: Any) -> None:
    page.locator("input[type=file]").set_input_files(
        {"name": "khach-hang.csv", "mimeType": "text/csv", "buffer": CSV.encode("utf-8-sig")}
    )
    page.locator("form.record-form button[type=submit]").click()


def test_import_a_vietnamese_csv_then_undo_it(page: Any, live_server: Any, queued: Any) -> None:
    from halyard.contacts.models import Contact
    from halyard.imports.services import import_process, import_work

    workspace = _workspace()
    sign_in(page, "lan@example.com")
    page.goto(live_server.url + "/w/sen/contacts/")
    page.get_by_role("link", name="Import", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import contacts")
    _upload(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Match the columns")
    expect(page.get_by_label("Họ", exact=True)).to_have_value("last_name")
    expect(page.get_by_label("Tên", exact=True)).to_have_value("first_name")
    expect(page.get_by_label("Điện thoại")).to_have_value("phone")
    expect(page.get_by_label("Công ty")).to_have_value("company")
    expect(page.get_by_label("Ghi chú")).to_have_value("")
    expect(page.locator("table.import-columns")).to_contain_text("an@senvang.vn")
    screenshot(page, "import-map")

    page.get_by_role("button", name="Start the import").click()
    expect(page.locator("[data-status]")).to_have_text("Queued")
    assert len(queued) == 1
    import_process(queued[0])
    # The page polls: it finishes without a reload.
    expect(page.locator("[data-status]")).to_have_text("Finished")
    expect(page.locator('[data-count="created"]')).to_have_text("2")
    expect(page.locator('[data-count="failed"]')).to_have_text("1")
    screenshot(page, "import-done")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the rows not imported").click()
    report = download.value.path().read_text(encoding="utf-8-sig")
    assert "không-phải-email" in report and "is not a valid e-mail address" in report

    page.get_by_role("link", name="See the records").click()
    expect(page.locator(".record-list, table")).to_contain_text("Nguyễn")
    expect(page.locator(".record-list, table")).to_contain_text("Sen Vàng")
    page.go_back()
    page.get_by_role("button", name="Undo this import").click()
    expect(page.locator("[data-status]")).to_have_text("Being undone")
    assert len(queued) == 2
    import_work(queued[1])
    expect(page.locator("[data-status]")).to_have_text("Undone")
    with scope(workspace=workspace):
        assert not Contact.objects.alive().exists()
        assert Contact.objects.filter(source="import").count() == 2
    page.goto(live_server.url + "/w/sen/imports/")
    expect(page.locator("table.import-list")).to_contain_text("khach-hang.csv")
    screenshot(page, "import-history")


@pytest.mark.parametrize(
    ("language", "direction"), [("fa", "rtl"), ("zh-hans", "ltr"), ("vi", "ltr")]
)
def test_the_wizard_in_other_languages(
    page: Any, live_server: Any, queued: Any, language: str, direction: str
) -> None:
    from halyard.imports.services import import_process

    _workspace(language)
    sign_in(page, "lan@example.com")
    page.goto(live_server.url + "/w/sen/imports/new/contacts/")
    expect(page.locator("html")).to_have_attribute("dir", direction)
    _upload(page)
    expect(page.locator("table.import-columns")).to_be_visible()
    screenshot(page, f"import-map-{language}")
    page.locator("form.import-map .form-actions button[type=submit]").click()
    expect(page.locator("[data-status]")).to_be_visible()
    import_process(queued[0])
    expect(page.locator('[data-count="created"]')).to_have_text(re.compile("^(2|۲)$"))
    screenshot(page, f"import-done-{language}")


def test_a_column_becomes_a_new_custom_field_from_the_mapping_page(
    page: Any, live_server: Any, queued: Any
) -> None:
    from halyard.contacts.models import Contact
    from halyard.imports.services import import_process

    workspace = _workspace()
    sign_in(page, "lan@example.com")
    page.goto(live_server.url + "/w/sen/imports/new/contacts/")
    _upload(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Match the columns")
    row = page.locator("table.import-columns tbody tr").filter(has_text="Ghi chú")
    row.get_by_text("New field from this column").click()
    expect(row.get_by_label("Name", exact=True)).to_have_value("Ghi chú")
    row.get_by_label("Type").select_option("long_text")
    screenshot(page, "import-map-new-field")
    row.get_by_role("button", name="Create the field and use it").click()
    expect(page.locator(".messages, [role=status]").first).to_contain_text("was created")
    expect(page.get_by_label("Ghi chú", exact=True)).to_have_value("custom.ghi_chu")
    expect(page.get_by_label("Họ", exact=True)).to_have_value("last_name")
    page.get_by_role("button", name="Start the import").click()
    expect(page.locator("[data-status]")).to_have_text("Queued")
    import_process(queued[0])
    with scope(workspace=workspace):
        an = Contact.objects.get(email="an@senvang.vn")
        assert an.custom == {"ghi_chu": "khách quen"}
