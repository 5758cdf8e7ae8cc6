"""The contact list a sales team lives in: filter, sort, columns, saved views and bulk actions."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from e2e.conftest import make_user, make_workspace, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _people(workspace: Any, owner: Any, people: list[dict[str, Any]]) -> Any:
    from halyard.contacts.services import contact_create
    from halyard.core.context import Actor
    from halyard.customfields.models import Tag
    from halyard.workspaces.models import Membership

    with scope(workspace=workspace):
        actor = Actor(
            workspace=workspace,
            user=owner,
            membership=Membership.objects.get(workspace=workspace, user=owner),
        )
        for values in people:
            contact_create(actor=actor, values=values)
        return Tag.objects.create(workspace=workspace, name="VIP")


def test_filter_sort_choose_columns_save_a_view_and_tag_in_bulk(
    page: Any, live_server: Any
) -> None:
    from halyard.contacts.models import Contact

    owner = make_user("lan@example.com", "Lan Owner")
    workspace = make_workspace(owner, "Sen Vàng", "sen")
    vip = _people(
        workspace,
        owner,
        [
            {
                "first_name": "Thị Mai",
                "last_name": "Nguyễn",
                "email": "mai@kho.vn",
                "title": "Kế toán",
            },
            {
                "first_name": "Văn Hùng",
                "last_name": "Trần",
                "email": "hung@kho.vn",
                "title": "Giám đốc",
            },
            {"first_name": "Reza", "last_name": "Karimi", "email": "reza@pars.ir"},
        ],
    )
    sign_in(page, "lan@example.com")
    page.goto(live_server.url + "/w/sen/contacts/")
    results = page.locator("#results tbody")
    expect(results.locator("tr")).to_have_count(3)

    # Filter: e-mail contains "kho.vn".
    page.locator("details.filter-builder > summary").click()
    row = page.locator("[data-filter-row]").first
    row.get_by_label("Field").select_option(label="Email")
    expect(row.get_by_label("Operator")).to_have_value("contains")
    row.get_by_label("Value").fill("kho.vn")
    expect(results).not_to_contain_text("Reza Karimi")
    expect(results.locator("tr")).to_have_count(2)

    # Choose columns: show the job title, hide the phone, and move the title up one place.
    page.locator("details.column-chooser > summary").click()
    page.get_by_label("Job title", exact=True).check()
    expect(page.locator("#results thead")).to_contain_text("Job title")
    page.get_by_label("Phone", exact=True).uncheck()
    expect(page.locator("#results thead")).not_to_contain_text("Phone")
    screenshot(page, "list-columns-open", full_page=False)
    headers = page.locator("#results thead th")
    expect(headers.nth(5)).to_have_text("Job title")  # select, name, email, company, owner, title
    page.get_by_role("button", name="Move Job title up").click()  # past the hidden first name
    page.get_by_role("button", name="Move Job title up").click()  # past the owner
    expect(headers.nth(4)).to_have_text("Job title")
    expect(page.get_by_role("button", name="Move Job title up")).to_be_focused()
    expect(page).to_have_url(re.compile(r"col=title"))

    # Sort by name, then reverse it.
    page.locator("#results thead").get_by_role("link", name="Name").click()
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("Name")
    page.locator("#results thead").get_by_role("link", name="Name").click()
    expect(page.locator("th[aria-sort=descending]")).to_contain_text("Name")
    expect(results.locator("tr").first).to_contain_text("Văn Hùng Trần")
    screenshot(page, "list-sorted")
    expect(results.locator("tr")).to_have_count(2)  # the filter survived the reload

    # A second filter, added in place: job title contains "đốc".
    expect(page.locator("details.filter-builder")).to_have_attribute("open", "")
    page.get_by_role("button", name="Add filter").click()
    added = page.locator("[data-filter-row]").last
    expect(added.get_by_label("Field")).to_be_focused()
    added.get_by_label("Field").select_option(label="Job title")
    added.get_by_label("Value").fill("đốc")
    expect(results.locator("tr")).to_have_count(1)
    expect(page.locator("[data-filter-count]")).to_have_text("2")

    # Save it as a view, reload the page and open the view again.
    page.locator("details.view-menu > summary").click()
    page.get_by_label("Save as a new view").fill("Kho khách")
    page.locator("details.view-menu").get_by_role("button", name="Save view").click()
    expect(page.locator(".toast")).to_contain_text("View saved.")
    tab = page.locator(".view-tabs nav").get_by_role("link", name="Kho khách")
    expect(tab).to_have_attribute("aria-current", "page")
    page.goto(live_server.url + "/w/sen/contacts/")
    expect(results.locator("tr")).to_have_count(3)
    page.locator(".view-tabs nav").get_by_role("link", name="Kho khách").click()
    expect(results.locator("tr")).to_have_count(1)
    expect(page.locator("th[aria-sort=descending]")).to_contain_text("Name")
    expect(page.locator("#results thead")).to_contain_text("Job title")
    expect(page.locator("[data-filter-row]").first.get_by_label("Value")).to_have_value("kho.vn")
    screenshot(page, "list-saved-view")

    # Bulk action: select the whole page and add the VIP tag.
    page.get_by_label("Select all on this page").check()
    expect(page.locator("input[name=ids]:checked")).to_have_count(1)
    page.get_by_label("With the selected records").select_option(value=f"tag_add:{vip.pk}")
    page.locator(".bulk-bar").get_by_role("button", name="Apply").click()
    expect(page.locator(".toast")).to_contain_text("1 record changed.")
    expect(page.locator(".view-tabs nav a[aria-current]")).to_have_text("Kho khách")
    with scope(workspace=workspace):
        tagged = sorted(c.last_name for c in Contact.objects.filter(tags=vip))
    assert tagged == ["Trần"]
    page.locator("details.column-chooser > summary").click()
    page.get_by_label("Tags", exact=True).check()
    expect(results).to_contain_text("VIP")


def test_the_list_tools_read_right_to_left_in_persian(page: Any, live_server: Any) -> None:
    owner = make_user("reza@example.com", "Reza Karimi")
    owner.language = "fa"
    owner.save()
    workspace = make_workspace(owner, "Pars Trading", "pars")
    _people(
        workspace,
        owner,
        [
            {"first_name": "رضا", "last_name": "کریمی", "email": "reza@pars.ir"},
            {"first_name": "مریم", "last_name": "احمدی", "email": "maryam@pars.ir"},
        ],
    )
    sign_in(page, "reza@example.com")
    page.goto(
        live_server.url
        + "/w/pars/contacts/?ff=email&fo=contains&fv=pars&fv2="
        + "&ff=created&fo=between&fv=2020-01-01&fv2=2030-12-31"
    )
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("details.filter-builder")).to_have_attribute("open", "")  # it has filters
    page.locator("details.column-chooser > summary").click()
    chooser = page.locator("details.column-chooser .menu").bounding_box()
    summary = page.locator("details.column-chooser > summary").bounding_box()
    assert chooser and summary
    # the menu opens from the summary's right edge, toward the left, in a right-to-left page
    assert abs((chooser["x"] + chooser["width"]) - (summary["x"] + summary["width"])) < 2
    field = page.locator("[data-filter-row]").first.locator("[data-filter-field]").bounding_box()
    value = page.locator("[data-filter-row]").first.locator("[data-filter-value]").bounding_box()
    assert field and value and field["x"] > value["x"]  # field first, on the right
    screenshot(page, "list-tools-fa", full_page=False)
    page.locator("details.view-menu > summary").click()
    screenshot(page, "list-view-menu-fa", full_page=False)


def test_the_deal_list_in_persian_sorts_by_amount(page: Any, live_server: Any) -> None:
    from halyard.core.context import Actor
    from halyard.deals.services import deal_create, pipeline_ensure_default
    from halyard.workspaces.models import Membership

    owner = make_user("reza@example.com", "Reza Karimi")
    owner.language = "fa"
    owner.save()
    workspace = make_workspace(owner, "Pars Trading", "pars")
    with scope(workspace=workspace):
        actor = Actor(
            workspace=workspace,
            user=owner,
            membership=Membership.objects.get(workspace=workspace, user=owner),
        )
        stages = {s.name: s for s in pipeline_ensure_default(actor=actor).stages.all()}
        for name, amount, stage in (
            ("قرارداد پشتیبانی", 1200, "Proposal"),
            ("انبار سرد", 250000, "Qualification"),
            ("بدون مبلغ", None, "Won"),
        ):
            values = {"name": name, "stage": stages[stage], "amount": amount}
            deal_create(actor=actor, values=values)
    sign_in(page, "reza@example.com")
    page.goto(live_server.url + "/w/pars/deals/?sort=-amount")
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("انبار سرد")
    expect(rows.nth(2)).to_contain_text("بدون مبلغ")  # no amount: last, whichever the direction
    screenshot(page, "deal-list-fa", full_page=False)


@pytest.mark.parametrize("language", ["vi", "zh-hans"])
def test_the_list_tools_in_vietnamese_and_chinese(
    page: Any, live_server: Any, language: str
) -> None:
    owner = make_user("lan@example.com", "Lan Owner")
    owner.language = language
    owner.save()
    workspace = make_workspace(owner, "Sen Vàng", "sen")
    _people(
        workspace,
        owner,
        [
            {"first_name": "Thị Mai", "last_name": "Nguyễn", "email": "mai@kho.vn"},
            {"first_name": "小明", "last_name": "王", "email": "wang@example.cn"},
        ],
    )
    sign_in(page, "lan@example.com")
    page.goto(live_server.url + "/w/sen/contacts/?ff=owner&fo=eq&fv=me&fv2=&sort=-name")
    expect(page.locator("#results tbody tr")).to_have_count(2)
    expect(page.locator("th[aria-sort=descending]")).to_have_count(1)
    page.locator("details.column-chooser > summary").click()
    screenshot(page, f"list-tools-{language}", full_page=False)
