"""Companies and contacts in the browser: domains, local phones, duplicates, deleting a company."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from e2e.conftest import make_user, make_workspace, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _vietnamese_workspace() -> Any:
    owner = make_user("lan@example.com", "Lan Owner")
    workspace = make_workspace(owner, "Sen Vàng", "sen")
    workspace.default_country = "VN"
    workspace.save()
    return workspace


def test_company_with_two_domains_and_contact_with_two_local_phones(
    page: Any, live_server: Any
) -> None:
    _vietnamese_workspace()
    sign_in(page, "lan@example.com")

    page.goto(live_server.url + "/w/sen/companies/new/")
    page.locator("#id_name").fill("Sao Mai Logistics")
    page.locator("#id_domains-0-domain").fill("https://www.SaoMai.vn/lien-he")
    page.get_by_role("button", name="Add another domain").click()
    expect(page.locator("#id_domains-1-domain")).to_be_focused()
    page.locator("#id_domains-1-domain").fill("saomai.com")
    screenshot(page, "people-company-form")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sao Mai Logistics")
    fields = page.locator("dl.fields")
    expect(fields).to_contain_text("saomai.vn")
    expect(fields).to_contain_text("saomai.com")
    screenshot(page, "people-company")

    page.goto(live_server.url + "/w/sen/contacts/new/")
    page.get_by_label("First name").fill("Thị Mai")
    page.get_by_label("Last name").fill("Nguyễn")
    # The company picker: type, arrow down, Enter — no mouse.
    picker = page.get_by_role("combobox", name="Company")
    picker.fill("sao")
    expect(page.get_by_role("option", name=re.compile("Sao Mai Logistics"))).to_be_visible()
    picker.press("ArrowDown")
    expect(picker).to_have_attribute("aria-activedescendant", re.compile(r"_opt_"))
    screenshot(page, "people-company-picker", full_page=False)
    picker.press("Enter")
    expect(picker).to_have_value("Sao Mai Logistics")
    page.locator("#id_emails-0-email").fill("mai@saomai.vn")
    page.locator("#id_phones-0-number").fill("0912 345 678")
    page.get_by_role("button", name="Add another phone").click()
    page.locator("#id_phones-1-number").fill("028 3822 1234")
    page.locator("#id_phones-1-kind").select_option(label="Work")
    page.locator("#id_do_not_call").check()
    page.locator("#id_do_not_call_source").fill("Asked on the phone")
    screenshot(page, "people-contact-form")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thị Mai Nguyễn")
    fields = page.locator("dl.fields")
    expect(fields).to_contain_text("0912 345 678")
    expect(fields).to_contain_text("028 3822 1234")
    expect(fields).to_contain_text("Sao Mai Logistics")
    expect(page.locator(".consent-banner")).to_contain_text("Do not call")
    screenshot(page, "people-contact")

    # A second contact with the same e-mail: warned, with a link, saved only when confirmed.
    page.goto(live_server.url + "/w/sen/contacts/new/")
    page.get_by_label("Last name").fill("Trần")
    page.locator("#id_emails-0-email").fill("MAI@saomai.vn")
    page.get_by_role("button", name="Save").click()
    warning = page.get_by_role("alert")
    expect(warning).to_contain_text("This may already be in the CRM.")
    expect(warning.get_by_role("link", name="Thị Mai Nguyễn")).to_be_visible()
    screenshot(page, "people-duplicate")
    page.get_by_role("button", name="Save anyway").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Trần")


def test_delete_a_company_and_keep_its_contacts(page: Any, live_server: Any) -> None:
    from conftest import actor_for
    from halyard.accounts.models import User
    from halyard.companies.services import company_create
    from halyard.contacts.models import Contact
    from halyard.contacts.services import contact_create

    workspace = _vietnamese_workspace()
    owner = User.objects.get(email="lan@example.com")
    with scope(workspace=workspace):
        actor = actor_for(workspace, owner)
        company = company_create(actor=actor, values={"name": "Hoa Sen", "domain": "hoasen.vn"})
        contact = contact_create(actor=actor, values={"last_name": "Phạm", "company": company})
    sign_in(page, "lan@example.com")
    page.goto(f"{live_server.url}/w/sen/companies/{company.pk}/")
    page.get_by_role("link", name="Delete").click()
    expect(page.locator("main form.card")).to_contain_text("This company has 1 contact")
    page.get_by_label(re.compile("Keep them")).check()
    screenshot(page, "people-company-delete")
    page.get_by_role("button", name="Delete company").click()
    expect(page.locator(".toast")).to_contain_text("Moved to the trash")
    page.goto(f"{live_server.url}/w/sen/contacts/{contact.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Phạm")
    with scope(workspace=workspace):
        assert Contact.objects.alive().get().company is None


def test_contact_page_and_form_read_right_to_left_in_persian(page: Any, live_server: Any) -> None:
    from conftest import actor_for
    from halyard.accounts.models import User
    from halyard.companies.services import company_create
    from halyard.contacts.services import contact_create, contact_update

    owner = make_user("reza@example.com", "Reza Karimi")
    owner.language = "fa"
    owner.save()
    workspace = make_workspace(owner, "Tehran Trading", "tehran")
    workspace.default_country = "IR"
    workspace.save()
    owner = User.objects.get(pk=owner.pk)
    with scope(workspace=workspace):
        actor = actor_for(workspace, owner)
        first = company_create(actor=actor, values={"name": "شرکت آلفا", "domain": "alfa.ir"})
        second = company_create(actor=actor, values={"name": "شرکت بتا", "parent": first})
        contact = contact_create(
            actor=actor,
            values={
                "first_name": "مریم",
                "last_name": "احمدی",
                "company": first,
                "phones": ["0912 345 6789", "+84 912 345 678"],
                "emails": ["maryam@alfa.ir"],
                "do_not_email": True,
                "do_not_email_source": "لغو اشتراک",
            },
        )
        contact_update(actor=actor, contact=contact, expected_version=1, values={"company": second})
    sign_in(page, "reza@example.com")
    page.goto(f"{live_server.url}/w/tehran/contacts/{contact.pk}/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    fields = page.locator("dl.fields")
    expect(fields).to_contain_text("0912 345 6789")  # national: Iran is the workspace's country
    expect(fields).to_contain_text("+84 912 345 678")  # international
    expect(page.locator(".past-companies")).to_contain_text("شرکت آلفا")
    expect(page.locator(".consent-banner")).to_be_visible()
    screenshot(page, "people-contact-fa")
    page.goto(f"{live_server.url}/w/tehran/contacts/{contact.pk}/edit/")
    expect(page.locator("#id_phones-0-number")).to_have_value("0912 345 6789")
    expect(page.locator("#id_phones-1-number")).to_have_value("+84 912 345 678")
    screenshot(page, "people-contact-form-fa")
    page.goto(f"{live_server.url}/w/tehran/companies/{first.pk}/")
    expect(page.locator(".subsidiaries")).to_contain_text("شرکت بتا")
    screenshot(page, "people-company-fa")
