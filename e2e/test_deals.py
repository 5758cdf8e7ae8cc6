"""The deal board: create a deal, drag it across stages, and the board in Persian."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from e2e.conftest import make_user, make_workspace, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _pipeline(workspace: Any, owner: Any) -> dict[str, Any]:
    from halyard.core.context import Actor
    from halyard.deals.services import pipeline_ensure_default
    from halyard.workspaces.models import Membership

    with scope(workspace=workspace):
        membership = Membership.objects.get(workspace=workspace, user=owner)
        actor = Actor(workspace=workspace, user=owner, membership=membership)
        pipeline = pipeline_ensure_default(actor=actor)
        return {s.name: s for s in pipeline.stages.all()}


def column(page: Any, stage: Any) -> Any:
    return page.locator(f'section.board-col[data-stage="{stage.pk}"]')


def test_create_a_deal_and_drag_it_across_the_board(page: Any, live_server: Any) -> None:
    from halyard.deals.models import Deal

    owner = make_user("lan@example.com", "Lan Owner")
    workspace = make_workspace(owner, "Sen Vàng", "sen")
    stages = _pipeline(workspace, owner)
    sign_in(page, "lan@example.com")
    page.locator(".sidebar").get_by_role("link", name="Deals").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Deal board")
    page.get_by_role("link", name="New deal").click()
    page.get_by_label("Name").fill("Kho lạnh Bình Dương")
    page.get_by_label("Amount").fill("250000")
    page.get_by_label("Stage").select_option(label="Sales › Qualification")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kho lạnh Bình Dương")

    page.goto(live_server.url + "/w/sen/deals/board/")
    card = page.locator(".deal-card", has_text="Kho lạnh Bình Dương")
    expect(column(page, stages["Qualification"]).locator(".count")).to_have_text("1")
    card.drag_to(column(page, stages["Proposal"]))
    expect(page.locator(".toast")).to_contain_text("moved to Proposal")
    expect(column(page, stages["Proposal"])).to_contain_text("Kho lạnh Bình Dương")
    expect(column(page, stages["Proposal"]).locator(".count")).to_have_text("1")
    expect(column(page, stages["Qualification"]).locator(".count")).to_have_text("0")
    expect(column(page, stages["Proposal"]).locator("header")).to_contain_text("$125,000.00")
    screenshot(page, "deal-board")

    # Keyboard users move a card with its own form.
    move = column(page, stages["Proposal"]).locator(".deal-card form.move")
    move.get_by_label(re.compile("Move Kho lạnh")).select_option(label="Won")
    move.get_by_role("button", name="Move").click()
    expect(column(page, stages["Won"])).to_contain_text("Kho lạnh Bình Dương")

    with scope(workspace=workspace):
        deal = Deal.objects.get(name="Kho lạnh Bình Dương")
        assert deal.stage == stages["Won"] and deal.probability == 100
    page.goto(f"{live_server.url}/w/sen/deals/{deal.pk}/")
    history = page.locator("section", has_text="Stage history").locator("tbody tr")
    expect(history).to_have_count(3)
    expect(page.locator(".timeline")).to_contain_text("Stage")


def test_the_board_in_persian_reads_right_to_left(page: Any, live_server: Any) -> None:
    from halyard.deals.services import deal_create

    owner = make_user("reza@example.com", "Reza Karimi")
    owner.language = "fa"
    owner.save()
    workspace = make_workspace(owner, "Pars Trading", "pars")
    stages = _pipeline(workspace, owner)
    from halyard.core.context import Actor
    from halyard.workspaces.models import Membership

    with scope(workspace=workspace):
        actor = Actor(
            workspace=workspace,
            user=owner,
            membership=Membership.objects.get(workspace=workspace, user=owner),
        )
        deal_create(
            actor=actor,
            values={"name": "قرارداد پشتیبانی", "stage": stages["Proposal"], "amount": 1200},
        )
    sign_in(page, "reza@example.com")
    page.goto(live_server.url + "/w/pars/deals/board/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    first = column(page, stages["Qualification"]).bounding_box()
    last = column(page, stages["Lost"]).bounding_box()
    assert first and last and first["x"] > last["x"], (first, last)  # stages run right to left
    card = page.locator(".deal-card", has_text="قرارداد پشتیبانی")
    card.drag_to(column(page, stages["Negotiation"]))
    expect(column(page, stages["Negotiation"])).to_contain_text("قرارداد پشتیبانی")
    expect(column(page, stages["Negotiation"]).locator(".count")).to_have_text("۱")
    screenshot(page, "deal-board-fa")
