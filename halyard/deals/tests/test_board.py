"""The board: converted totals, filters, capped columns with "show more", fixed query count."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope

from conftest import actor_for, client_for
from halyard.customfields.services import tag_create
from halyard.deals import services
from halyard.deals.money import amount_check, currency_decimals
from halyard.deals.selectors import CARDS_PER_COLUMN
from halyard.deals.tests.factories import make_deal, sales_pipeline


@pytest.fixture
def sales(acme, alice):
    acme.default_currency = "VND"
    acme.save()
    return sales_pipeline(acme, alice)


def _column(page, stage):
    return page.split(f'id="col-{stage.pk}"')[1].split("</header>")[0]


def _rate(acme, alice, currency, rate, on=None):
    with scope(workspace=acme):
        return services.exchange_rate_set(
            actor=actor_for(acme, alice),
            currency=currency,
            rate=Decimal(rate),
            effective_on=on or timezone.localdate(),
        )


def test_currency_decimals_and_amount_checks():
    assert currency_decimals("VND") == 0 and currency_decimals("USD") == 2
    amount_check(Decimal("1000"), "VND")
    amount_check(Decimal("10.50"), "USD")
    amount_check(Decimal("1000.00"), "VND")  # trailing zeros are not decimals
    for amount, currency, code in [
        (Decimal("-1"), "USD", "negative"),
        (Decimal("0.5"), "VND", "too_many_decimals"),
        (Decimal("1.005"), "USD", "too_many_decimals"),
    ]:
        with pytest.raises(ValidationError) as exc:
            amount_check(amount, currency)
        assert "amount" in exc.value.message_dict
        assert exc.value.error_dict["amount"][0].code == code


def test_totals_are_converted_and_unrated_deals_are_flagged(acme, alice, sales):
    _pipeline, stages = sales
    make_deal(acme, alice, stages["Proposal"], amount=Decimal("1000000"), currency="VND")
    make_deal(acme, alice, stages["Proposal"], amount=Decimal("100"), currency="USD")
    make_deal(acme, alice, stages["Proposal"], amount=Decimal("50"), currency="EUR")
    client = client_for(alice)
    page = client.get("/w/acme/deals/board/").content.decode()
    column = _column(page, stages["Proposal"])
    assert "₫1,000,000" in column and "2 deals not counted: no exchange rate" in column
    assert 'id="no-rate"' in page and "1 deal in EUR" in page and "1 deal in USD" in page
    assert "no exchange rate</span>" in page  # on the cards themselves
    _rate(acme, alice, "USD", "25000")
    _rate(acme, alice, "EUR", "30000", on=timezone.localdate() + dt.timedelta(days=3))
    column = _column(client.get("/w/acme/deals/board/").content.decode(), stages["Proposal"])
    # 1,000,000 + 100 × 25,000; the EUR rate only applies from a future date.
    assert "₫3,500,000" in column and "₫1,750,000" in column
    assert "1 deal not counted: no exchange rate" in column
    _rate(acme, alice, "EUR", "27000", on=timezone.localdate() - dt.timedelta(days=10))
    column = _column(client.get("/w/acme/deals/board/").content.decode(), stages["Proposal"])
    assert "₫4,850,000" in column and "not counted" not in column


def test_exchange_rates_page_and_bad_rates(acme, alice, sales):
    client = client_for(alice)
    page = client.get("/w/acme/settings/currencies/")
    assert page.status_code == 200 and "VND" in page.content.decode()
    for data, message in [
        ({"currency": "USD", "rate": "-3", "effective_on": "2026-01-01"}, "greater than or equal"),
        ({"currency": "USD", "rate": "abc", "effective_on": "2026-01-01"}, "Enter a number."),
        ({"currency": "USD", "rate": "25000", "effective_on": "hôm qua"}, "Enter a valid date."),
        ({"currency": "VND", "rate": "2", "effective_on": "2026-01-01"}, "its rate is always 1"),
    ]:
        response = client.post("/w/acme/settings/currencies/", data)
        assert response.status_code == 400, data
        assert message in response.content.decode(), data
    ok = client.post(
        "/w/acme/settings/currencies/",
        {"currency": "USD", "rate": "25400.5", "effective_on": "2026-01-01"},
    )
    assert ok.status_code == 302
    assert "25,400.5" in client.get("/w/acme/settings/currencies/").content.decode()


def test_filters_by_owner_close_date_and_tag(acme, alice, bob, sales):
    _pipeline, stages = sales
    today = timezone.localdate()
    with scope(workspace=acme):
        vip = tag_create(actor=actor_for(acme, alice), name="VIP")
    make_deal(
        acme,
        alice,
        stages["Proposal"],
        name="Overdue one",
        expected_close=today - dt.timedelta(days=3),
    )
    make_deal(
        acme,
        alice,
        stages["Proposal"],
        name="Sắp chốt",
        expected_close=today,
        tags=[vip],
    )
    make_deal(
        acme,
        bob,
        stages["Proposal"],
        name="Bob's deal",
        expected_close=today + dt.timedelta(days=62),
    )
    client = client_for(alice)

    def names(query):
        page = client.get(f"/w/acme/deals/board/?{query}").content.decode()
        return {n for n in ("Overdue one", "Sắp chốt", "Bob&#x27;s deal") if n in page}

    assert names("owner=me") == {"Overdue one", "Sắp chốt"}
    assert names("close=overdue") == {"Overdue one"}
    assert names("close=this_month") == {"Sắp chốt"} | (
        {"Overdue one"} if (today - dt.timedelta(days=3)).month == today.month else set()
    )
    assert names("tag=VIP") == {"Sắp chốt"}
    far = (today + dt.timedelta(days=62)).isoformat()
    assert names(f"close=custom&close_from={far}&close_to={far}") == {"Bob&#x27;s deal"}
    bad = client.get("/w/acme/deals/board/?close=custom&close_from=31/02/2025")
    assert bad.status_code == 200 and "31/02/2025 is not a date" in bad.content.decode()


def test_a_column_shows_a_batch_of_cards_and_loads_more(acme, alice, sales):
    _pipeline, stages = sales
    today = timezone.localdate()
    for i in range(CARDS_PER_COLUMN + 5):
        make_deal(
            acme,
            alice,
            stages["Proposal"],
            name=f"Deal {i:03}",
            amount=Decimal(1000),
            expected_close=today + dt.timedelta(days=i),
        )
    client = client_for(alice)
    page = client.get("/w/acme/deals/board/").content.decode()
    column = page.split(f'id="col-{stages["Proposal"].pk}"')[1].split("</section>")[0]
    assert column.count('class="deal-card"') == CARDS_PER_COLUMN
    assert "Deal 000" in column and "Deal 054" not in column  # soonest close first
    assert f'<span class="count">{CARDS_PER_COLUMN + 5}</span>' in column
    assert "₫55,000" in column and "Show more (5 left)" in column
    more = client.get(
        f"/w/acme/deals/board/{stages['Proposal'].pk}/more/?offset={CARDS_PER_COLUMN}"
    ).content.decode()
    assert more.count('class="deal-card"') == 5 and "Deal 054" in more
    assert "Show more" not in more


def test_board_queries_do_not_grow_with_deals_or_currencies(acme, alice, sales):
    _pipeline, stages = sales
    client = client_for(alice)
    client.get("/w/acme/")
    make_deal(acme, alice, stages["Proposal"])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/w/acme/deals/board/?owner=me").status_code == 200
        return len(ctx.captured_queries)

    few = count()
    _rate(acme, alice, "USD", "25000")
    for stage in stages.values():
        for currency in ("VND", "USD", "EUR"):
            for _ in range(4):
                make_deal(acme, alice, stage, amount=Decimal(10), currency=currency)
    for _ in range(CARDS_PER_COLUMN + 1):
        make_deal(acme, alice, stages["Qualification"], amount=Decimal(10))
    assert count() == few


def test_the_board_sums_open_deals_and_starts_new_deals_in_its_pipeline(acme, alice, sales):
    _pipeline, stages = sales
    make_deal(acme, alice, stages["Proposal"], amount=Decimal(1000))
    make_deal(acme, alice, stages["Qualification"], amount=Decimal(3000))
    make_deal(acme, alice, stages["Won"], amount=Decimal(9000))
    client = client_for(alice)
    page = client.get("/w/acme/deals/board/").content.decode()
    summary = page.split('id="board-summary">')[1].split("</p>")[0]
    assert "2 open deals" in summary and "₫4,000" in summary and "₫800" in summary
    with scope(workspace=acme):
        recruiting = services.pipeline_create(actor=actor_for(acme, alice), name="Recruiting")
        first = recruiting.stages.order_by("position").first()
    form = client.get(f"/w/acme/deals/new/?pipeline={recruiting.pk}").content.decode()
    assert f'<option value="{recruiting.pk}" selected>' in form
    assert f'<option value="{first.pk}" selected>' in form


def test_the_deal_list_sums_every_listed_deal_in_the_workspace_currency(acme, alice):
    import datetime as dt
    from decimal import Decimal

    from django_scopes import scope

    from conftest import actor_for, client_for
    from halyard.deals.services import deal_create, exchange_rate_set, pipeline_ensure_default

    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        stage = pipeline_ensure_default(actor=actor).stages.get(name="Proposal")
        exchange_rate_set(
            actor=actor, currency="EUR", rate=Decimal("1.10"), effective_on=dt.date(2020, 1, 1)
        )
        for name, amount, currency in [
            ("Kho lạnh", "1000", "USD"),
            ("Máy nén", "2000", "EUR"),
            ("仓储", "5000", "CNY"),
        ]:
            deal_create(
                actor=actor,
                values={
                    "name": name,
                    "stage": stage,
                    "amount": Decimal(amount),
                    "currency": currency,
                },
            )
    page = client_for(alice).get("/w/acme/deals/").content.decode()
    # 1,000 USD + 2,000 EUR × 1.10; the yuan deal has no rate and is named, not summed.
    assert "$3,200.00" in page
    assert "1 deal left out: no exchange rate for its currency." in page and "CNY" in page
    filtered = client_for(alice).get("/w/acme/deals/?q=kho").content.decode()
    assert "$1,000.00" in filtered and "left out" not in filtered
