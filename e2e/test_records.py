"""Working with records in the browser: HTMX navigation, create, edit, conflict, trash, filter."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from e2e.conftest import make_user, make_workspace, screenshot, sign_in
from e2e.test_workspace_switch import add_contact

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sidebar_navigates_without_reloading_the_page(page: Any, live_server: Any) -> None:
    owner = make_user("lan@example.com", "Lan Owner")
    make_workspace(owner, "Sen Vàng", "sen")
    sign_in(page, "lan@example.com")
    page.evaluate("window.__stillHere = true")
    page.locator(".sidebar").get_by_role("link", name="Contacts").click()
    expect(page).to_have_url(re.compile(r"/w/sen/contacts/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Contacts")
    assert page.evaluate("window.__stillHere === true")  # htmx swapped the page in place
    expect(page.locator(".sidebar a[aria-current=page]")).to_have_text(re.compile("Contacts"))


def test_create_edit_trash_and_restore_a_contact(page: Any, live_server: Any) -> None:
    owner = make_user("lan@example.com", "Lan Owner")
    make_workspace(owner, "Sen Vàng", "sen")
    sign_in(page, "lan@example.com")
    page.goto(live_server.url + "/w/sen/contacts/new/")
    page.get_by_label("First name").fill("Thị Mai")
    page.get_by_label("Last name").fill("Nguyễn")
    page.locator("#id_emails-0-email").fill("mai@example.vn")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thị Mai Nguyễn")
    expect(page.locator(".timeline")).to_contain_text("Created")

    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Job title").fill("Giám đốc")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("dl.fields")).to_contain_text("Giám đốc")
    expect(page.locator(".timeline")).to_contain_text("Updated")
    screenshot(page, "contact-detail")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete").click()
    expect(page.locator(".toast")).to_contain_text("Moved to the trash")
    expect(page.locator("#results")).not_to_contain_text("Thị Mai Nguyễn")
    page.locator(".sidebar").get_by_role("link", name="Trash").click()
    page.get_by_role("button", name="Restore").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thị Mai Nguyễn")


def test_an_edit_made_on_an_old_copy_is_refused(new_context: Any, live_server: Any) -> None:
    owner = make_user("lan@example.com", "Lan Owner")
    workspace = make_workspace(owner, "Sen Vàng", "sen")
    contact = add_contact(workspace, owner, "Minh", "Trần")
    first, second = new_context().new_page(), new_context().new_page()
    for tab in (first, second):
        sign_in(tab, "lan@example.com")
        tab.goto(f"{live_server.url}/w/sen/contacts/{contact.pk}/edit/")
    first.get_by_label("Job title").fill("Kế toán")
    first.get_by_role("button", name="Save").click()
    expect(first.locator("dl.fields")).to_contain_text("Kế toán")
    second.get_by_label("Job title").fill("Thủ quỹ")
    second.get_by_role("button", name="Save").click()
    alert = second.get_by_role("alert")
    expect(alert).to_contain_text("Someone else changed this record")
    expect(alert).to_contain_text("Lan Owner changed Job title")
    expect(alert.locator("ins")).to_have_text("Kế toán")
    expect(second.get_by_label("Job title")).to_have_value("Thủ quỹ")  # nothing typed is lost
    screenshot(second, "contact-conflict")
    first.reload()
    expect(first.locator("dl.fields")).to_contain_text(
        "Kế toán"
    )  # the refused edit changed nothing
    # Seeing both, the second person may save theirs over it on purpose.
    second.get_by_role("button", name="Save").click()
    expect(second.locator("dl.fields")).to_contain_text("Thủ quỹ")


def test_list_filters_as_you_type(page: Any, live_server: Any) -> None:
    owner = make_user("lan@example.com", "Lan Owner")
    workspace = make_workspace(owner, "Sen Vàng", "sen")
    add_contact(workspace, owner, "Hoa", "Lê")
    add_contact(workspace, owner, "Reza", "Karimi")
    sign_in(page, "lan@example.com")
    page.goto(live_server.url + "/w/sen/contacts/")
    expect(page.locator("#results")).to_contain_text("Reza Karimi")
    page.get_by_label("Find").fill("Hoa")
    expect(page.locator("#results")).not_to_contain_text("Reza Karimi")
    expect(page.locator("#results")).to_contain_text("Hoa Lê")
    expect(page).to_have_url(re.compile(r"q=Hoa"))


def test_log_a_call_and_see_it_on_the_timeline(page: Any, live_server: Any) -> None:
    owner = make_user("lan@example.com", "Lan Owner")
    workspace = make_workspace(owner, "Sen Vàng", "sen")
    contact = add_contact(workspace, owner, "Minh", "Trần")
    sign_in(page, "lan@example.com")
    page.goto(f"{live_server.url}/w/sen/contacts/{contact.pk}/")
    form = page.locator("form.log-form")
    page.locator(".log-tabs").get_by_role("link", name="Log a call").click()
    form.get_by_label("Subject").fill("Hỏi giá kho lạnh")
    form.get_by_label("Details").fill("Khách muốn báo giá trước thứ Sáu.")
    form.get_by_label("Direction").select_option(label="Outbound")
    form.get_by_label("Duration (minutes)").fill("12")
    form.get_by_label("Outcome").select_option(label="Connected")
    form.get_by_role("button", name="Save").click()
    expect(page.locator(".toast")).to_contain_text("Logged.")
    entry = page.locator(".timeline > li.act-call")
    expect(entry).to_contain_text("Call: Hỏi giá kho lạnh")
    expect(entry).to_contain_text("Connected")
    expect(entry).to_contain_text("Khách muốn báo giá trước thứ Sáu.")
    # A note's form has no call-only fields.
    page.locator(".log-tabs").get_by_role("link", name="Note").click()
    expect(form.get_by_role("textbox", name="Note")).to_be_visible()
    expect(form.get_by_label("Outcome")).to_have_count(0)
    screenshot(page, "contact-timeline")


def test_add_a_task_on_a_contact_and_finish_it_from_my_work(page: Any, live_server: Any) -> None:
    owner = make_user("lan@example.com", "Lan Owner")
    workspace = make_workspace(owner, "Sen Vàng", "sen")
    contact = add_contact(workspace, owner, "Minh", "Trần")
    sign_in(page, "lan@example.com")
    page.goto(f"{live_server.url}/w/sen/contacts/{contact.pk}/")
    page.locator(".log-tabs").get_by_role("link", name="Task").click()
    form = page.locator("form.task-form")
    form.get_by_label("Task").fill("Gửi báo giá kho lạnh")
    form.get_by_label("Priority").select_option(label="High")
    form.get_by_role("button", name="Add task").click()
    expect(page.locator(".toast")).to_contain_text("Task added.")
    expect(page.locator(".record-tasks")).to_contain_text("Gửi báo giá kho lạnh")
    page.locator(".sidebar").get_by_role("link", name="My work").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")
    task = page.locator(".task", has_text="Gửi báo giá kho lạnh")
    expect(task).to_contain_text("Minh Trần")
    screenshot(page, "my-work")
    task.get_by_role("button", name=re.compile("Mark .* done")).click()
    expect(page.locator(".toast")).to_contain_text("Done: Gửi báo giá kho lạnh")
    expect(page.locator(".task", has_text="Gửi báo giá kho lạnh")).to_have_count(0)
