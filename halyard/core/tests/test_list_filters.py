"""The filter builder: standard fields, owner, tags and custom fields; bad values explained."""

import datetime as dt
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django_scopes import scope

from conftest import actor_for, client_for
from halyard.companies.services import company_create
from halyard.contacts.services import contact_create
from halyard.customfields.models import CustomField, Tag
from halyard.deals.services import deal_create, pipeline_ensure_default


def _rows(client, path, *conditions, **extra):
    """Return the list page filtered by (field, op, value[, value2]) rows."""
    pairs = []
    for condition in conditions:
        field, op, value, *rest = condition
        pairs += [("ff", field), ("fo", op), ("fv", value), ("fv2", rest[0] if rest else "")]
    pairs += list(extra.items())
    response = client.get(f"{path}?{urlencode(pairs)}")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def people(acme, alice, bob):
    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        vip = Tag.objects.create(workspace=acme, name="VIP")
        CustomField.objects.create(
            workspace=acme, record_type="contacts", key="size", label="Size", field_type="number"
        )
        CustomField.objects.create(
            workspace=acme,
            record_type="contacts",
            key="tier",
            label="Tier",
            field_type="select",
            options=["Gold", "Silver"],
        )
        co = company_create(actor=actor, values={"name": "Hải Phòng Logistics"})
        contact_create(
            actor=actor,
            values={
                "first_name": "Mai",
                "last_name": "Nguyễn",
                "email": "mai@kho.vn",
                "company": co,
                "tags": [vip],
                "custom": {"size": 40, "tier": "Gold"},
            },
        )
        contact_create(
            actor=actor,
            values={"last_name": "Karimi", "owner_id": bob.pk, "custom": {"size": 5}},
        )
    return acme


def test_text_filters_contain_equal_and_empty(people, alice):
    client = client_for(alice)
    page = _rows(client, "/w/acme/contacts/", ("company", "contains", "hải phòng"))
    assert "Nguyễn" in page and "Karimi" not in page
    page = _rows(client, "/w/acme/contacts/", ("email", "eq", "MAI@kho.vn"))
    assert "Nguyễn" in page and "Karimi" not in page
    page = _rows(client, "/w/acme/contacts/", ("email", "empty", ""))
    assert "Karimi" in page and "Nguyễn" not in page
    page = _rows(client, "/w/acme/contacts/", ("company", "empty", ""))
    assert "Karimi" in page and "Nguyễn" not in page


def test_owner_me_nobody_and_is_not(people, alice, bob):
    client = client_for(alice)
    page = _rows(client, "/w/acme/contacts/", ("owner", "eq", "me"))
    assert "Nguyễn" in page and "Karimi" not in page
    page = _rows(client, "/w/acme/contacts/", ("owner", "eq", "Bob Rep"))  # a member's name
    assert "Karimi" in page and "Nguyễn" not in page
    assert 'name="fv" value="Bob Rep"' in page  # the row shows what was chosen, not an id
    page = _rows(client, "/w/acme/contacts/", ("owner", "ne", str(bob.pk)))
    assert "Nguyễn" in page and "Karimi" not in page
    page = _rows(client, "/w/acme/contacts/", ("owner", "eq", "nobody"))
    assert "Nguyễn" not in page and "Karimi" not in page


def test_tag_is_and_is_not(people, alice):
    client = client_for(alice)
    page = _rows(client, "/w/acme/contacts/", ("tags", "eq", "vip"))
    assert "Nguyễn" in page and "Karimi" not in page
    page = _rows(client, "/w/acme/contacts/", ("tags", "ne", "VIP"))
    assert "Karimi" in page and "Nguyễn" not in page


def test_custom_number_and_choice_filters(people, alice):
    client = client_for(alice)
    page = _rows(client, "/w/acme/contacts/", ("cf_size", "gt", "10"))
    assert "Nguyễn" in page and "Karimi" not in page
    page = _rows(client, "/w/acme/contacts/", ("cf_size", "between", "1", "10"))
    assert "Karimi" in page and "Nguyễn" not in page
    page = _rows(client, "/w/acme/contacts/", ("cf_size", "eq", "40"))
    assert "Nguyễn" in page and "Karimi" not in page
    page = _rows(client, "/w/acme/contacts/", ("cf_tier", "eq", "gold"))
    assert "Nguyễn" in page and "Karimi" not in page
    page = _rows(client, "/w/acme/contacts/", ("cf_tier", "ne", "Gold"))
    assert "Karimi" in page and "Nguyễn" not in page


def test_deal_number_date_and_stage_filters(acme, alice):
    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        stages = {s.name: s for s in pipeline_ensure_default(actor=actor).stages.all()}
        deal_create(
            actor=actor,
            values={
                "name": "Kho lạnh",
                "stage": stages["Proposal"],
                "amount": Decimal(250000),
                "expected_close": dt.date(2025, 3, 31),
            },
        )
        deal_create(
            actor=actor,
            values={"name": "Văn phòng", "stage": stages["Qualification"], "amount": Decimal(900)},
        )
    client = client_for(alice)
    page = _rows(client, "/w/acme/deals/", ("amount", "gt", "1000"))
    assert "Kho lạnh" in page and "Văn phòng" not in page
    page = _rows(client, "/w/acme/deals/", ("amount", "between", "100", "1,000"))
    assert "Văn phòng" in page and "Kho lạnh" not in page
    page = _rows(
        client, "/w/acme/deals/", ("expected_close", "between", "2025-03-01", "2025-03-31")
    )
    assert "Kho lạnh" in page and "Văn phòng" not in page
    page = _rows(client, "/w/acme/deals/", ("expected_close", "lt", "2025-03-31"))
    assert "Kho lạnh" not in page
    page = _rows(client, "/w/acme/deals/", ("stage", "eq", "Sales › Proposal"))
    assert "Kho lạnh" in page and "Văn phòng" not in page
    page = _rows(client, "/w/acme/deals/", ("stage", "ne", str(stages["Proposal"].pk)))
    assert "Văn phòng" in page and "Kho lạnh" not in page
    page = _rows(client, "/w/acme/deals/", ("created", "eq", dt.date.today().isoformat()))
    assert "Văn phòng" in page and "Kho lạnh" in page


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        (("amount", "gt", "lots"), "Amount: “lots” is not a number."),
        (("amount", "between", "10", "NaN"), "Amount: enter a number."),
        (("expected_close", "eq", "31/03/2025"), "is not a date; write it as YYYY-MM-DD."),
        (("stage", "eq", "Somewhere"), "Stage: “Somewhere” is not one of the choices."),
        (("owner", "eq", "Zed"), "Owner: “Zed” is not one of the choices."),
        (("name", "gt", "x"), "Choose an operator for Name."),
        (("secret_field", "eq", "x"), "This field cannot be filtered."),
    ],
)
def test_a_bad_filter_is_explained_at_its_row_never_a_500(acme, alice, condition, message):
    client = client_for(alice)
    page = _rows(client, "/w/acme/deals/", condition)
    assert message in page
    assert 'role="alert"' in page and 'aria-invalid="true" aria-describedby="fe-1"' in page
    partial = client.get(
        "/w/acme/deals/?"
        + urlencode(
            [
                ("ff", condition[0]),
                ("fo", condition[1]),
                ("fv", condition[2]),
                ("fv2", condition[3] if len(condition) > 3 else ""),
            ]
        ),
        headers={"HX-Request": "true"},
    )
    assert partial.status_code == 200 and message in partial.content.decode()
    assert "<html" not in partial.content.decode()  # only the results fragment


def test_a_row_still_being_filled_in_is_ignored(people, alice):
    page = _rows(client_for(alice), "/w/acme/contacts/", ("email", "contains", ""))
    assert "Nguyễn" in page and "Karimi" in page and 'role="alert"' not in page


def test_q_and_the_old_parameters_still_work(people, alice):
    client = client_for(alice)
    page = client.get("/w/acme/contacts/?q=karimi").content.decode()
    assert "Karimi" in page and "Nguyễn" not in page
    page = client.get("/w/acme/contacts/?tag=VIP&cf_size__gte=10").content.decode()
    assert "Nguyễn" in page and "Karimi" not in page


def test_a_value_a_custom_field_cannot_hold_is_explained_plainly(people, alice):
    page = _rows(client_for(alice), "/w/acme/contacts/", ("cf_size", "gt", "1.5"))
    assert "Size: “1.5” does not fit this field." in page and "invalid literal" not in page
