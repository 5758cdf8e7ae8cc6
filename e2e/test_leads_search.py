"""A lead from first call to customer, and finding people with the top bar's search."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from e2e.conftest import make_user, make_workspace, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_log_a_call_on_a_lead_then_convert_it(page: Any, live_server: Any) -> None:
    owner = make_user("lan@example.com", "Lan Owner")
    make_workspace(owner, "Sen Vàng", "sen")
    sign_in(page, "lan@example.com")
    page.locator(".sidebar").get_by_role("link", name="Leads").click()
    page.get_by_role("link", name="New lead").click()
    page.get_by_label("First name").fill("Minh")
    page.get_by_label("Last name").fill("Phạm")
    page.get_by_label("Company name").fill("Phạm Logistics")
    page.get_by_label("Email").fill("minh@pham-logistics.vn")
    page.get_by_label("Lead source").select_option(label="Event")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Minh Phạm (Phạm Logistics)")

    log = page.locator(".log-form")
    log.get_by_label("Subject").fill("Met at the Saigon logistics fair")
    log.get_by_role("button", name="Save").click()
    expect(page.locator(".timeline")).to_contain_text("Met at the Saigon logistics fair")

    # Fields are edited in place: the pencil opens the field, Enter saves it.
    page.get_by_role("button", name="Edit Job title").click()
    field = page.locator(".inline-edit").get_by_label("Job title")
    expect(field).to_be_focused()  # the opened field takes the focus
    field.fill("Giám đốc vận hành")
    page.keyboard.press("Enter")
    expect(page.locator("dl.fields")).to_contain_text("Giám đốc vận hành")
    expect(page.locator(".timeline")).to_contain_text("Giám đốc vận hành")
    page.get_by_role("button", name="Edit Email").click()
    page.locator(".inline-edit").get_by_label("Email").fill("not-an-email")
    page.locator(".inline-edit").get_by_role("button", name="Save").click()
    expect(page.locator(".inline-edit .errorlist")).to_contain_text("valid email")
    screenshot(page, "lead-inline-error")
    page.locator(".inline-edit").get_by_role("link", name="Cancel").click()
    expect(page.locator("dl.fields")).to_contain_text("minh@pham-logistics.vn")

    page.get_by_role("link", name="Convert").click()
    expect(page.get_by_label("Create the company Phạm Logistics")).to_be_checked()
    page.get_by_label("Create a deal").check()
    page.get_by_label("Deal name").fill("Phạm Logistics — fleet tracking")
    page.get_by_label("Amount").fill("-10")
    page.get_by_role("button", name="Convert").click()
    expect(page.locator("#id_deal_amount_error")).to_contain_text("greater than or equal to 0")
    page.get_by_label("Amount").fill("15000")
    page.get_by_label("Their role on the deal").select_option(label="Decision maker")
    screenshot(page, "lead-convert")
    page.get_by_role("button", name="Convert").click()

    expect(page).to_have_url(re.compile(r"/w/sen/contacts/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Minh Phạm")
    expect(page.locator("dl.fields")).to_contain_text("Phạm Logistics")
    # The call logged on the lead is on the new contact's timeline.
    expect(page.locator(".timeline")).to_contain_text("Met at the Saigon logistics fair")
    screenshot(page, "lead-converted-contact")

    page.goto(live_server.url + "/w/sen/leads/")
    page.get_by_role("link", name="Minh Phạm (Phạm Logistics)").click()
    expect(page.locator(".alert.info")).to_contain_text("Converted on")
    expect(page.get_by_role("link", name="Convert")).to_have_count(0)
    page.locator(".alert.info").get_by_role("link", name=re.compile("fleet tracking")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Phạm Logistics — fleet tracking")
    expect(page.locator("main")).to_contain_text("Decision maker")  # the contact is on the deal


def _people(workspace: Any, owner: Any) -> None:
    from halyard.contacts.services import contact_create
    from halyard.core.context import Actor
    from halyard.workspaces.models import Membership

    with scope(workspace=workspace):
        member = Membership.objects.get(workspace=workspace, user=owner)
        actor = Actor(workspace=workspace, user=owner, membership=member)
        for first, last, email in [
            ("Văn Đức", "Nguyễn", "duc@songhan.vn"),
            ("Anna", "Wojciechowski", "anna@krakow.pl"),
            ("小明", "王", "wang@huaxing.cn"),
            ("علی", "کریمی", "ali@pars.ir"),
        ]:
            contact_create(
                actor=actor, values={"first_name": first, "last_name": last, "email": email}
            )


@pytest.mark.parametrize(
    ("language", "typed", "found"),
    [
        ("en", "Ngyuen", "Văn Đức Nguyễn"),
        ("vi", "wojciehowsky", "Anna Wojciechowski"),
        ("zh-hans", "小明", "王小明"),
        ("fa", "علي", "علی کریمی"),  # typed with the Arabic letter ي
    ],
)
def test_search_with_a_typo_finds_the_person(
    page: Any, live_server: Any, language: str, typed: str, found: str
) -> None:
    owner = make_user("lan@example.com", "Lan Owner")
    owner.language = language  # the interface follows the person's language after sign-in
    owner.save(update_fields=["language"])
    workspace = make_workspace(owner, "Sen Vàng", "sen")
    _people(workspace, owner)
    sign_in(page, "lan@example.com")
    page.keyboard.press("/")
    page.keyboard.type(typed, delay=40)
    panel = page.locator("#quick-results")
    expect(panel).to_be_visible()
    expect(panel.locator(".hit").first).to_contain_text(found)
    screenshot(page, f"search-{language}-{typed}", full_page=False)
    page.keyboard.press("ArrowDown")
    expect(panel.locator(".hit").first).to_be_focused()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")  # the best hit opens
    expect(page.get_by_role("heading", level=1)).to_have_text(found)
