"""Duplicates: scan the workspace, review the pair, merge the two contacts, then undo the merge."""

from __future__ import annotations

from typing import Any

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from e2e.conftest import make_user, make_workspace, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def queued(monkeypatch: Any) -> list[int]:
    """Scans the page queues; the test runs them itself, as a worker would."""
    ids: list[int] = []
    monkeypatch.setattr("halyard.duplicates.services._enqueue", ids.append)
    return ids


def _workspace(language: str) -> Any:
    from halyard.activities.models import Activity
    from halyard.companies.services import company_create
    from halyard.contacts.services import contact_create
    from halyard.core.context import Actor
    from halyard.workspaces.models import Membership

    owner = make_user("lan@example.com", "Lan Owner")
    owner.language = language
    owner.save()
    workspace = make_workspace(owner, "Sen Vàng", "sen")
    with scope(workspace=workspace):
        membership = Membership.objects.get(workspace=workspace, user=owner)
        actor = Actor(workspace=workspace, user=owner, membership=membership)
        sen = company_create(actor=actor, values={"name": "Sen Vàng", "domains": ["senvang.vn"]})
        a = contact_create(
            actor=actor,
            values={
                "last_name": "Nguyễn",
                "first_name": "Văn An",
                "emails": ["an@senvang.vn"],
                "company": sen,
                "title": "Trưởng phòng mua hàng",
            },
        )
        b = contact_create(
            actor=actor,
            values={
                "last_name": "Nguyen",
                "first_name": "Van An",
                "emails": ["an.nguyen@gmail.com"],
                "phones": ["+84912345678"],
                "company": sen,
                "city": "Hà Nội",
            },
        )
        Activity.objects.create(
            workspace=workspace,
            kind="call",
            subject="Gọi lại",
            contact=b,
            owner=owner,
            created_by=owner,
        )
        contact_create(actor=actor, values={"last_name": "رضایی", "first_name": "علي"})
        contact_create(actor=actor, values={"last_name": "رضايي", "first_name": "علی"})
    return workspace, a, b


@pytest.mark.parametrize("language", ["en", "vi", "fa"])
def test_scan_review_merge_and_undo(
    page: Any, live_server: Any, queued: Any, language: str
) -> None:
    from halyard.activities.models import Activity
    from halyard.contacts.models import Contact
    from halyard.duplicates.jobs import run_scan

    workspace, a, b = _workspace(language)
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, "lan@example.com")
    page.goto(live_server.url + "/w/sen/contacts/")
    page.locator("a[href$='/duplicates/?type=contacts']").click()
    page.locator("form[action$='/duplicates/scan/'] button").click()
    assert len(queued) == 1
    run_scan(queued[0])
    page.reload()
    pairs = page.locator(".dup-pair")
    expect(pairs).to_have_count(2)
    expect(pairs.first).to_contain_text("Nguyễn")
    screenshot(page, f"duplicates-queue-{language}")

    page.locator(f".dup-pair a[href*='ids={a.pk},{b.pk}']").click()
    expect(page.locator("table.dup-table")).to_be_visible()
    # Keep the second record's city (the first has none) and the first's title (by default).
    expect(page.locator(f"input[name='field:city'][value='{b.pk}']")).to_be_checked()
    page.locator(f"input[name='field:last_name'][value='{a.pk}']").check()
    screenshot(page, f"duplicates-merge-{language}")
    page.locator(".dup-merge .form-actions button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/w/sen/contacts/{a.pk}/")
    with scope(workspace=workspace):
        survivor = Contact.objects.get(pk=a.pk)
        assert survivor.city == "Hà Nội"
        assert survivor.last_name == "Nguyễn"
        assert Contact.objects.get(pk=b.pk).deleted_at is not None
        assert Activity.objects.get().contact_id == a.pk
    screenshot(page, f"duplicates-merged-{language}")

    page.locator("a[href*='/duplicates/merges/']").first.click()
    screenshot(page, f"duplicates-merge-detail-{language}")
    page.locator("form[action$='/undo/'] button").click()
    expect(page).to_have_url(f"{live_server.url}/w/sen/contacts/{a.pk}/")
    with scope(workspace=workspace):
        assert Contact.objects.get(pk=b.pk).deleted_at is None
        assert Contact.objects.get(pk=a.pk).city == ""
        assert Activity.objects.get().contact_id == b.pk
    screenshot(page, f"duplicates-undone-{language}")


def test_a_new_lead_that_is_already_a_contact_is_flagged(page: Any, live_server: Any) -> None:
    from halyard.leads.models import Lead

    workspace, a, _b = _workspace("en")
    sign_in(page, "lan@example.com")
    page.goto(live_server.url + "/w/sen/leads/new/")
    page.get_by_label("Last name").fill("Nguyễn")
    page.get_by_label("Email").fill("an@senvang.vn")
    page.locator("main form.card button[type=submit]").click()
    alert = page.locator(".alert.duplicates")
    expect(alert).to_contain_text("This person is already a contact:")
    expect(alert).to_contain_text("This organisation is already a company:")
    expect(alert.get_by_role("link", name="Văn An Nguyễn")).to_have_attribute(
        "href", f"/w/sen/contacts/{a.pk}/"
    )
    screenshot(page, "duplicates-lead-form-en")
    page.locator("button[name=confirm_duplicates]").click()
    expect(page.locator(".alert.duplicates")).to_contain_text("This person is already a contact:")
    with scope(workspace=workspace):
        assert Lead.objects.count() == 1
    screenshot(page, "duplicates-lead-page-en")
