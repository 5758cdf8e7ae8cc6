"""Activities on a contact page: log a call, a meeting with its invitation, a note; edit, delete."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from e2e.conftest import make_user, make_workspace, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _contact(owner: Any, slug: str, name: str) -> Any:
    from halyard.companies.services import company_create
    from halyard.contacts.services import contact_create
    from halyard.core.context import Actor
    from halyard.deals.models import StageKind
    from halyard.deals.services import deal_create, pipeline_ensure_default
    from halyard.workspaces.models import Membership

    workspace = make_workspace(owner, name, slug)
    with scope(workspace=workspace):
        actor = Actor(
            workspace=workspace,
            user=owner,
            membership=Membership.objects.get(workspace=workspace, user=owner),
        )
        company = company_create(actor=actor, values={"name": "Sao Mai"})
        stage = pipeline_ensure_default(actor=actor).stages.filter(kind=StageKind.OPEN).first()
        deal_create(actor=actor, values={"name": "Kho lạnh", "company": company, "stage": stage})
        return contact_create(
            actor=actor,
            values={
                "first_name": "Lan",
                "last_name": "Trần",
                "email": "lan@saomai.vn",
                "company": company,
            },
        )


def test_log_a_call_a_meeting_and_a_note_then_edit_and_delete(
    page: Any, live_server: Any, tmp_path: Path
) -> None:
    owner = make_user("mai@example.com", "Mai Nguyen")
    lan = _contact(owner, "sen", "Sen Vàng")
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.type)
        dialog.accept()

    page.on("dialog", on_dialog)
    sign_in(page, "mai@example.com")
    page.goto(f"{live_server.url}/w/sen/contacts/{lan.pk}/")
    page.evaluate("window.__samePage = true")
    timeline = page.locator("ul.timeline")
    form = page.locator("#quick-form form")

    # A call, logged without leaving the page; it also goes on the company and the deal.
    expect(page.locator(".log-tabs [aria-current]")).to_have_text("Log a call")
    form.get_by_label("Subject").fill("Hỏi giá kho lạnh")
    form.get_by_label("Duration (minutes)").fill("12")
    form.get_by_label("Outcome").select_option(label="Connected")
    expect(form.get_by_label("Also link to Sao Mai")).to_be_checked()
    expect(form.get_by_label("Kho lạnh")).to_be_checked()
    form.get_by_role("button", name="Save").click()
    expect(timeline.locator("li.act-call")).to_contain_text("Call: Hỏi giá kho lạnh")
    expect(timeline.locator("li.act-call .linked")).to_contain_text("Kho lạnh")
    expect(page.locator(".toast")).to_contain_text("Logged.")
    assert page.evaluate("window.__samePage") is True  # HTMX swapped the panel, no reload

    # A meeting, chosen with the keyboard; a wrong end time is explained at the field.
    page.locator(".log-tabs [data-kind=meeting]").focus()
    page.keyboard.press("Enter")
    expect(form.get_by_label("Ends")).to_be_visible()
    expect(form.get_by_label("Subject")).to_be_focused()
    form.get_by_label("Subject").fill("Họp báo giá")
    form.get_by_label("Starts").fill("2026-12-01T10:00")
    form.get_by_label("Ends").fill("2026-12-01T09:00")
    form.get_by_label("Location").fill("Văn phòng Sao Mai")
    form.get_by_label("Other attendees").fill("minh@example.vn")
    form.get_by_role("button", name="Save").click()
    expect(form.locator(".errorlist")).to_have_text("The meeting must end after it starts.")
    expect(form.get_by_label("Ends")).to_be_focused()
    expect(form.get_by_label("Subject")).to_have_value("Họp báo giá")
    form.get_by_label("Ends").fill("2026-12-01T11:30")
    form.get_by_role("button", name="Save").click()
    meeting = timeline.locator("li.act-meeting")
    expect(meeting).to_contain_text("Meeting: Họp báo giá")
    expect(meeting).to_contain_text("minh@example.vn")
    with page.expect_download() as download_info:
        meeting.get_by_role("link", name="Download invitation (.ics)").click()
    download = download_info.value
    assert download.suggested_filename == "Họp báo giá.ics"
    path = tmp_path / "invite.ics"
    download.save_as(path)
    ics = path.read_text(encoding="utf-8")
    assert ics.startswith("BEGIN:VCALENDAR") and "BEGIN:VEVENT" in ics
    assert "SUMMARY:Họp báo giá" in ics and "LOCATION:Văn phòng Sao Mai" in ics
    # Entered in the browser's zone (UTC here), sent in UTC.
    assert "DTSTART:20261201T100000Z" in ics and "DTEND:20261201T113000Z" in ics
    assert 'ORGANIZER;CN="Mai Nguyen":mailto:mai@example.com' in ics
    assert "mailto:minh@example.vn" in ics and "mailto:lan@saomai.vn" in ics
    assert re.search(r"UID:halyard-activity-\d+@sen\.halyard", ics)
    screenshot(page, "activities-meeting-en")

    # A note typed in the editor: formatting is kept, markup typed as text stays text.
    page.locator(".log-tabs [data-kind=note]").click()
    expect(form.get_by_label("Subject")).to_be_focused()
    editor = form.get_by_role("textbox", name="Note")
    editor.click()
    editor.press_sequentially("Khách ")
    form.get_by_role("button", name="Bold").click()
    editor.press_sequentially("rất quan tâm")
    form.get_by_role("button", name="Bold").click()
    editor.press_sequentially(" <img src=x onerror=alert(1)><script>alert(2)</script>")
    screenshot(page, "activities-note-editor-en", full_page=False)
    form.get_by_role("button", name="Save").click()
    note = timeline.locator("li.act-note").first
    expect(note.locator(".note-body b")).to_have_text("rất quan tâm")
    expect(note.locator(".note-body")).to_contain_text("<img src=x onerror=alert(1)>")
    expect(note.locator(".note-body img, .note-body script")).to_have_count(0)

    # A hostile client posting raw HTML: cleaned on the server, nothing runs on the page.
    token = page.locator("#quick-form input[name=csrfmiddlewaretoken]").input_value()
    response = page.request.post(
        f"{live_server.url}/w/sen/contacts/{lan.pk}/log/",
        form={
            "csrfmiddlewaretoken": token,
            "kind": "note",
            "body": '<p>Sạch</p><img src=x onerror="window.__xss=1;alert(3)">'
            '<script>window.__xss=2;alert(4)</script><a href="javascript:alert(5)">bấm</a>'
            '<iframe src="javascript:alert(6)"></iframe>',
        },
        headers={"Referer": page.url},
    )
    assert response.ok
    page.reload()
    cleaned = timeline.locator("li.act-note", has_text="Sạch")
    expect(cleaned.locator(".note-body")).to_contain_text("bấm")
    expect(cleaned.locator("img, script, iframe")).to_have_count(0)
    assert cleaned.locator("a", has_text="bấm").get_attribute("href") is None
    page.wait_for_timeout(300)
    assert page.evaluate("window.__xss") is None
    assert "alert" not in dialogs

    # Edit the call, then delete it: it goes to the trash.
    call = timeline.locator("li.act-call")
    call.get_by_role("link", name=re.compile("Edit")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit Call")
    page.get_by_label("Subject").fill("Hỏi giá kho lạnh (đã gửi)")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(rf"/w/sen/contacts/{lan.pk}/"))
    expect(timeline.locator("li.act-call")).to_contain_text("Hỏi giá kho lạnh (đã gửi)")
    timeline.locator("li.act-call").get_by_role("button", name=re.compile("Delete")).click()
    expect(page.locator(".toast")).to_contain_text("Moved to the trash")
    expect(timeline.locator("li.act-call")).to_have_count(0)
    assert dialogs == ["confirm"]
    page.goto(f"{live_server.url}/w/sen/trash/")
    expect(page.locator("main")).to_contain_text("Hỏi giá kho lạnh (đã gửi)")


def test_the_short_form_in_persian_reads_right_to_left(page: Any, live_server: Any) -> None:
    owner = make_user("reza@example.com", "Reza Karimi")
    owner.language = "fa"
    owner.save()
    lan = _contact(owner, "pars", "Pars Trading")
    sign_in(page, "reza@example.com")
    page.goto(f"{live_server.url}/w/pars/contacts/{lan.pk}/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    first = page.locator(".log-tabs a").first.bounding_box()
    last = page.locator(".log-tabs a").last.bounding_box()
    assert first and last and first["x"] > last["x"], (first, last)
    page.locator(".log-tabs [data-kind=meeting]").click()
    expect(page.locator("#quick-form input[name=ends_at]")).to_be_visible()
    screenshot(page, "activities-meeting-fa")
    page.locator(".log-tabs [data-kind=note]").click()
    editor = page.locator("#quick-form .rich-area")
    editor.press_sequentially("یادداشت مهم")
    page.locator("#quick-form button[type=submit]").click()
    expect(page.locator("ul.timeline li.act-note")).to_contain_text("یادداشت مهم")
    page.locator(".log-tabs [data-kind=task]").click()
    expect(page.locator("#quick-form input[name=title]")).to_be_visible()
    screenshot(page, "activities-task-fa")


def test_edit_and_delete_a_task_from_my_work(page: Any, live_server: Any) -> None:
    from halyard.core.context import Actor
    from halyard.tasks.services import task_create
    from halyard.workspaces.models import Membership

    owner = make_user("mai@example.com", "Mai Nguyen")
    lan = _contact(owner, "sen", "Sen Vàng")
    with scope(workspace=lan.workspace):
        actor = Actor(
            workspace=lan.workspace,
            user=owner,
            membership=Membership.objects.get(workspace=lan.workspace, user=owner),
        )
        for title in ("Gửi hợp đồng", "Gọi lại Lan"):
            task_create(actor=actor, values={"title": title, "contact": lan, "owner_id": owner.pk})
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, "mai@example.com")
    page.goto(f"{live_server.url}/w/sen/my-work/")
    task = page.locator(".task", has_text="Gửi hợp đồng")
    task.get_by_role("link", name=re.compile("Edit")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit task")
    page.get_by_label("Status").select_option(label="In progress")
    page.get_by_label("Priority").select_option(label="High")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/w/sen/my-work/"))
    expect(page.locator(".task", has_text="Gửi hợp đồng")).to_contain_text("In progress")
    page.locator(".task", has_text="Gọi lại Lan").get_by_role(
        "button", name=re.compile("Delete")
    ).click()
    expect(page.locator(".toast")).to_contain_text("Moved to the trash")
    expect(page.locator(".task", has_text="Gọi lại Lan")).to_have_count(0)
    page.goto(f"{live_server.url}/w/sen/trash/")
    row = page.locator("tr", has_text="Gọi lại Lan")
    row.get_by_role("button", name="Restore").click()
    expect(page.locator(".toast")).to_contain_text("Restored.")
    page.goto(f"{live_server.url}/w/sen/my-work/")
    expect(page.locator(".task", has_text="Gọi lại Lan")).to_have_count(1)
