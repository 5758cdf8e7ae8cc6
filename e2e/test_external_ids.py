"""An external id pushed through the API shows, read-only, on the record's page."""

from __future__ import annotations

from typing import Any

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from e2e.conftest import make_user, make_workspace, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("language", "label"), [("en", "External id"), ("fa", None), ("zh-hans", None)]
)
def test_the_external_id_is_a_quiet_line_on_the_record_page(
    page: Any, live_server: Any, language: str, label: str | None
) -> None:
    from conftest import actor_for
    from halyard.accounts.models import User
    from halyard.companies.services import company_create
    from halyard.contacts.services import contact_create

    owner = make_user("lan@example.com", "Lan Owner")
    owner.language = language
    owner.save()
    workspace = make_workspace(owner, "Sen Vàng", "sen")
    owner = User.objects.get(pk=owner.pk)
    with scope(workspace=workspace):
        actor = actor_for(workspace, owner)
        company = company_create(
            actor=actor,
            values={"name": "Sao Mai", "domain": "saomai.vn", "external_id": "ERP-1001"},
        )
        contact = contact_create(
            actor=actor,
            values={"first_name": "Lan", "last_name": "Phạm", "external_id": "CUST-000042"},
        )
        plain = contact_create(actor=actor, values={"last_name": "Trần"})
    sign_in(page, "lan@example.com")
    page.goto(f"{live_server.url}/w/sen/contacts/{contact.pk}/")
    fields = page.locator("dl.fields")
    expect(fields).to_contain_text("CUST-000042")
    if label:
        expect(fields.locator("dt", has_text=label)).to_be_visible()
    screenshot(page, f"external-id-contact-{language}")
    page.goto(f"{live_server.url}/w/sen/companies/{company.pk}/")
    expect(page.locator("dl.fields")).to_contain_text("ERP-1001")
    page.goto(f"{live_server.url}/w/sen/contacts/{plain.pk}/")
    expect(page.locator("dl.fields")).not_to_contain_text("CUST")
