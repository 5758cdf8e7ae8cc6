"""Columns: one declaration per column, cells in the reader's formats, plain values for CSV."""

from decimal import Decimal

from django.utils import translation

from halyard.core.columns import CellContext, Column, cell_html, cell_text, custom_column
from halyard.customfields.models import CustomField
from halyard.deals.models import Deal, Stage, StageKind


def test_a_status_column_shows_the_choice_label_as_a_badge():
    stage = Stage(name="Won", kind=StageKind.WON)
    column = Column("kind", "Kind", "kind", kind="status", css="stage-")
    html = cell_html(column, stage, CellContext(detail_url="/x/0/", user_names={}))
    assert html == '<span class="badge stage-won">Won</span>'
    assert cell_text(column, stage) == "Won"


def test_money_and_links_follow_the_record_and_the_language():
    deal = Deal(pk=7, name="<Kho> & co", amount=Decimal("1200.50"), currency="VND")
    context = CellContext(detail_url="/w/acme/deals/0/", user_names={})
    link = Column("name", "Name", "name", kind="link")
    assert cell_html(link, deal, context) == '<a href="/w/acme/deals/7/">&lt;Kho&gt; &amp; co</a>'
    money = Column("amount", "Amount", "amount", kind="money")
    with translation.override("fa"):
        assert "۱" in cell_html(money, deal, context)
    assert cell_text(money, deal) == Decimal("1200.50")  # a number in the CSV, not text


def test_custom_columns_read_the_record_custom_values():
    definition = CustomField(key="rep", label="Rep", field_type="user")
    column = custom_column(definition)
    deal = Deal(custom={"rep": 3})
    context = CellContext(detail_url="/x/0/", user_names={3: "Lan"})
    assert column.key == "cf_rep" and not column.sortable and not column.default
    assert (
        cell_html(column, deal, context) == "Lan" and cell_text(column, deal, {3: "Lan"}) == "Lan"
    )
