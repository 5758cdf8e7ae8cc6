"""Pipelines in settings, and the deal board in Persian: drag a deal, mark one lost."""

from __future__ import annotations

from typing import Any

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from e2e.conftest import make_user, make_workspace, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _actor(workspace: Any, owner: Any) -> Any:
    from halyard.core.context import Actor
    from halyard.workspaces.models import Membership

    membership = Membership.objects.get(workspace=workspace, user=owner)
    return Actor(workspace=workspace, user=owner, membership=membership)


def _stages(workspace: Any, owner: Any) -> dict[str, Any]:
    from halyard.deals.services import pipeline_ensure_default

    with scope(workspace=workspace):
        pipeline = pipeline_ensure_default(actor=_actor(workspace, owner))
        return {s.name: s for s in pipeline.stages.all()}


def _deal(workspace: Any, owner: Any, stage: Any, name: str, **values: Any) -> Any:
    from halyard.deals.services import deal_create

    with scope(workspace=workspace):
        return deal_create(
            actor=_actor(workspace, owner), values={"name": name, "stage": stage, **values}
        )


def column(page: Any, stage: Any) -> Any:
    return page.locator(f'section.board-col[data-stage="{stage.pk}"]')


def test_an_admin_builds_a_pipeline_and_deletes_a_stage_holding_a_deal(
    page: Any, live_server: Any
) -> None:
    from halyard.deals.models import Deal, Pipeline

    owner = make_user("mai@example.com", "Mai Admin")
    workspace = make_workspace(owner, "Sen Vàng", "sen")
    _stages(workspace, owner)
    sign_in(page, "mai@example.com")
    page.goto(live_server.url + "/w/sen/settings/")
    page.locator(".settings-nav").get_by_role("link", name="Pipelines").click()
    # Wait for the page: typing earlier would land in the general settings' Name field.
    expect(page.get_by_role("heading", name="New pipeline")).to_be_visible()
    page.get_by_label("Name").fill("Tuyển dụng")
    page.get_by_role("button", name="Add pipeline").click()
    expect(page.locator(".toast")).to_contain_text("Pipeline added")
    for name, probability in (("Phỏng vấn", "30"), ("Đề nghị", "70")):
        page.locator("#id_stage-name").fill(name)
        page.locator("#id_stage-probability").fill(probability)
        page.get_by_role("button", name="Add stage").click()
        expect(page.locator(".toast")).to_contain_text("Stage added")
    rows = page.locator("#stages > li input[name=name]")
    expect(rows).to_have_count(5)
    assert [rows.nth(i).input_value() for i in range(5)] == [
        "New",
        "Phỏng vấn",
        "Đề nghị",
        "Won",
        "Lost",
    ]
    # Reorder with the keyboard-reachable buttons.
    page.get_by_role("button", name="Move Đề nghị up").click()
    expect(page.locator(".toast")).to_contain_text("Stage Đề nghị moved")
    assert rows.nth(1).input_value() == "Đề nghị"
    screenshot(page, "pipeline-settings")

    with scope(workspace=workspace):
        pipeline = Pipeline.objects.get(name="Tuyển dụng")
        stages = {s.name: s for s in pipeline.stages.all()}
    _deal(workspace, owner, stages["Phỏng vấn"], "Ứng viên Nguyễn An")
    page.reload()
    page.get_by_role("link", name="Delete stage Phỏng vấn").click()
    expect(page.locator("main")).to_contain_text("It holds 1 deal")
    page.get_by_role("button", name="Delete").click()
    expect(page.locator(".errorlist")).to_contain_text("Choose the stage where its deals go.")
    page.get_by_label("Move its deals to").select_option(label="Tuyển dụng › Đề nghị")
    page.get_by_role("button", name="Delete").click()
    expect(page.locator(".toast")).to_contain_text("1 deal moved")
    expect(page.locator("#stages > li")).to_have_count(4)
    with scope(workspace=workspace):
        deal = Deal.objects.get(name="Ứng viên Nguyễn An")
        assert deal.stage == stages["Đề nghị"] and deal.probability == 70
    page.goto(f"{live_server.url}/w/sen/deals/{deal.pk}/")
    expect(page.locator("section", has_text="Stage history").locator("tbody tr")).to_have_count(2)


@pytest.mark.parametrize("language", ["fa", "en"])
def test_the_board_drags_a_deal_and_asks_why_one_is_lost(
    page: Any, live_server: Any, language: str
) -> None:
    from halyard.deals.models import Deal, LostReason

    owner = make_user("reza@example.com", "Reza Karimi")
    owner.language = language
    owner.save()
    workspace = make_workspace(owner, "Pars Trading", "pars")
    workspace.default_currency = "IRR" if language == "fa" else "USD"
    workspace.save()
    stages = _stages(workspace, owner)
    _deal(workspace, owner, stages["Proposal"], "قرارداد پشتیبانی", amount=1200, is_renewal=True)
    _deal(workspace, owner, stages["Proposal"], "فروش سرور", amount=900, at_risk=True)
    _deal(workspace, owner, stages["Qualification"], "Hợp đồng EUR", amount=50, currency="EUR")
    sign_in(page, "reza@example.com")
    page.set_viewport_size(
        {"width": 1920, "height": 900}
    )  # the whole board fits: no scrolling mid-drag
    page.goto(live_server.url + "/w/pars/deals/board/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "fa" else "ltr")
    expect(page.locator("#no-rate")).to_contain_text("EUR")
    # Dropping a card on the lost stage asks why, in a modal dialog.
    page.locator(".deal-card", has_text="فروش سرور").drag_to(column(page, stages["Lost"]))
    dialog = page.locator("#lost-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("فروش سرور")
    screenshot(page, f"pipelines-lost-dialog-{language}", full_page=False)
    dialog.locator("select").select_option(label="No budget")
    dialog.locator("button[type=submit]").click()
    expect(column(page, stages["Lost"])).to_contain_text("فروش سرور")
    expect(column(page, stages["Lost"]).locator(".count")).to_have_text(
        "۱" if language == "fa" else "1"
    )
    # Headless Chromium keeps a drag alive across the board refresh: start afresh for the next.
    page.reload()
    card = page.locator(".deal-card", has_text="قرارداد پشتیبانی")
    card.drag_to(column(page, stages["Negotiation"]))
    expect(column(page, stages["Negotiation"])).to_contain_text("قرارداد پشتیبانی")
    # The keyboard path asks too; cancelling leaves the deal where it was.
    move = column(page, stages["Negotiation"]).locator("form.move")
    move.locator("select").select_option(value=str(stages["Lost"].pk))
    move.locator("button[type=submit]").click()
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("قرارداد پشتیبانی")
    dialog.locator("[data-lost-cancel]").click()
    expect(dialog).to_be_hidden()
    expect(move.locator("select")).to_have_value(str(stages["Negotiation"].pk))
    expect(column(page, stages["Proposal"]).locator(".count")).to_have_text(
        "۰" if language == "fa" else "0"
    )
    screenshot(page, f"pipelines-board-{language}")
    with scope(workspace=workspace):
        lost = Deal.objects.get(name="فروش سرور")
        assert lost.stage == stages["Lost"] and lost.lost_reason == LostReason.objects.get(
            name="No budget"
        )
        assert lost.lost_on is not None
    page.goto(f"{live_server.url}/w/pars/deals/{lost.pk}/")
    expect(page.locator(".timeline")).to_contain_text("No budget")
    screenshot(page, f"pipelines-deal-{language}")


def test_pipeline_and_deal_pages_pass_axe(page: Any, live_server: Any) -> None:
    from e2e.test_accessibility import Findings, axe_source

    axe_source()
    owner = make_user("ada@example.com", "Ada Lovelace")
    workspace = make_workspace(owner, "Acme Trading", "acme")
    stages = _stages(workspace, owner)
    deal = _deal(workspace, owner, stages["Proposal"], "Globex renewal", amount=500, at_risk=True)
    sign_in(page, "ada@example.com")
    findings = Findings()
    base = "/w/acme/"
    for url, label in [
        (f"{base}deals/board/", "deal board"),
        (f"{base}deals/{deal.pk}/", "deal page"),
        (f"{base}deals/{deal.pk}/edit/", "deal form"),
        (f"{base}settings/pipelines/", "pipelines"),
        (f"{base}settings/pipelines/{stages['Proposal'].pipeline_id}/", "pipeline stages"),
        (f"{base}settings/stages/{stages['Proposal'].pk}/delete/", "delete a stage"),
        (f"{base}settings/lost-reasons/", "lost reasons"),
        (f"{base}settings/currencies/", "currencies"),
    ]:
        findings.visit(page, url, label)
    page.goto(f"{base}deals/board/")
    move = page.locator(".deal-card", has_text="Globex renewal").locator("form.move")
    move.locator("select").select_option(value=str(stages["Lost"].pk))
    move.locator("button[type=submit]").click()
    expect(page.locator("#lost-dialog")).to_be_visible()
    findings.audit(page, "lost-reason dialog")
    findings.check()
