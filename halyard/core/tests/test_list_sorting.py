"""Sorting a record list by any column, with keyset pages that visit every row exactly once."""

import datetime as dt
from decimal import Decimal

import pytest
from django_scopes import scope

from conftest import actor_for, client_for
from halyard.companies.services import company_create
from halyard.contacts.models import Contact
from halyard.contacts.services import contact_create
from halyard.contacts.views import contacts as contact_views
from halyard.core.listing import SORT_ALIAS, keyset_page, sort_for
from halyard.customfields.models import CustomField, Tag
from halyard.deals.models import Deal, LostReason
from halyard.deals.services import deal_create, pipeline_ensure_default
from halyard.deals.views import deals as deal_views


def _walk(queryset, sort, size):
    """Return the ids of every page, following the `after` cursor to the end."""
    ids, after, pages = [], None, 0
    while True:
        page = keyset_page(queryset, after, size=size, sort=sort)
        ids += [r.pk for r in page.rows]
        pages += 1
        assert pages < 100, "the cursor does not advance"
        if page.next_after is None:
            return ids
        after = page.next_after


def _one_query_order(queryset, sort):
    """Return the ids in the sort's order from a single ORDER BY, the truth to compare with."""
    from django.db.models import F

    value = F(SORT_ALIAS).desc(nulls_last=True) if sort.descending else None
    value = value or F(SORT_ALIAS).asc(nulls_last=True)
    ordered = queryset.annotate(**{SORT_ALIAS: sort.expression}).order_by(
        value, "-pk" if sort.descending else "pk"
    )
    return list(ordered.values_list("pk", flat=True))


@pytest.fixture
def many_contacts(acme, alice, bob):
    """Contacts with repeated names, missing companies, owners and custom values."""
    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        CustomField.objects.create(
            workspace=acme, record_type="contacts", key="score", label="Score", field_type="number"
        )
        CustomField.objects.create(
            workspace=acme, record_type="contacts", key="since", label="Since", field_type="date"
        )
        CustomField.objects.create(
            workspace=acme,
            record_type="contacts",
            key="tier",
            label="Tier",
            field_type="select",
            options=["Gold", "Silver"],
        )
        companies = [company_create(actor=actor, values={"name": n}) for n in ("Bến Thành", "Zeta")]
        for i in range(23):
            custom = {}
            if i % 3:
                custom["score"] = i % 4  # duplicates, and missing on every third
            if i % 2:
                custom["since"] = f"2024-0{1 + i % 3}-15"
                custom["tier"] = ["Gold", "Silver"][i % 2]
            contact_create(
                actor=actor,
                values={
                    "first_name": ["Mai", "Lan", ""][i % 3],
                    "last_name": ["Nguyễn", "Trần", "Lê", "Nguyễn"][i % 4],
                    "email": f"p{i % 5}@example.vn" if i % 4 else "",
                    "company": companies[i % 2] if i % 3 else None,
                    "owner_id": [alice.pk, bob.pk, None][i % 3],
                    "custom": custom,
                },
            )
    return acme


def test_every_sort_of_the_contact_list_walks_every_row_exactly_once(many_contacts):
    with scope(workspace=many_contacts):
        definitions = list(CustomField.objects.filter(record_type="contacts"))
        columns = contact_views.all_columns(definitions)
        queryset = Contact.objects.alive().select_related("owner", "company")
        everyone = sorted(queryset.values_list("pk", flat=True))
        sortable = [k for k, c in columns.items() if c.sortable]
        assert {"name", "company", "owner", "created", "cf_score", "cf_since"} <= set(sortable)
        for key in sortable:
            for direction in ("", "-"):
                sort = sort_for(Contact, columns, direction + key)
                for size in (1, 4, 7):
                    walked = _walk(queryset, sort, size)
                    assert sorted(walked) == everyone, (key, direction, size)
                    assert walked == _one_query_order(queryset, sort), (key, direction, size)


def test_nulls_come_last_in_both_directions(many_contacts):
    with scope(workspace=many_contacts):
        columns = contact_views.all_columns([])
        queryset = Contact.objects.alive().select_related("company")
        for key in ("company", "-company"):
            rows = _walk_rows(queryset, sort_for(Contact, columns, key))
            names = [r.company.name if r.company else None for r in rows]
            first_null = names.index(None)
            assert all(n is None for n in names[first_null:])
            assert all(n is not None for n in names[:first_null])
            present = names[:first_null]
            assert present == sorted(present, reverse=key.startswith("-"))


def _walk_rows(queryset, sort):
    rows, after = [], None
    while True:
        page = keyset_page(queryset, after, size=5, sort=sort)
        rows += page.rows
        if page.next_after is None:
            return rows
        after = page.next_after


def test_every_sort_of_the_deal_list_walks_every_row_exactly_once(acme, alice):
    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        stages = list(pipeline_ensure_default(actor=actor).stages.all())
        reason = LostReason.objects.first()  # a lost deal says why
        for i in range(17):
            deal_create(
                actor=actor,
                values={
                    "lost_reason": reason if stages[i % len(stages)].kind == "lost" else None,
                    "name": f"Deal {i % 5}",
                    "stage": stages[i % len(stages)],
                    "amount": Decimal(1000 * (i % 3)) if i % 4 else None,
                    "expected_close": dt.date(2025, 1 + i % 2, 1) if i % 3 else None,
                },
            )
        columns = deal_views.all_columns([])
        queryset = Deal.objects.alive().select_related("owner", "stage", "company", "pipeline")
        everyone = sorted(queryset.values_list("pk", flat=True))
        for key in [k for k, c in columns.items() if c.sortable]:
            for direction in ("", "-"):
                sort = sort_for(Deal, columns, direction + key)
                walked = _walk(queryset, sort, 3)
                assert sorted(walked) == everyone, key
                assert walked == _one_query_order(queryset, sort), key


def test_the_list_page_sorts_and_pages_through_the_url(many_contacts, alice):
    client = client_for(alice)
    response = client.get("/w/acme/contacts/?sort=-cf_score&col=name&col=cf_score")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'aria-sort="descending"' in page and ">Score<" in page
    # a cursor made for another sort, or garbage, starts again from the top instead of failing
    for after in ("not-a-cursor", "WyJ4IiwgMV0", "12"):
        assert client.get(f"/w/acme/contacts/?sort=created&after={after}").status_code == 200
    assert client.get("/w/acme/contacts/?sort=nonsense").status_code == 200


def test_the_next_page_link_continues_the_same_sort(acme, alice):
    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        for i in range(60):
            contact_create(actor=actor, values={"last_name": f"Person {i:02d}"})
    client = client_for(alice)
    first = client.get("/w/acme/contacts/?sort=name").content.decode()
    assert "Person 00" in first and "Person 49" in first and "Person 50" not in first
    import re

    link = re.search(r'href="\?([^"]*after=[^"]+)"', first).group(1).replace("&amp;", "&")
    second = client.get(f"/w/acme/contacts/?{link}").content.decode()
    assert "Person 50" in second and "Person 59" in second and "Person 49" not in second


def test_tags_shown_as_a_column(acme, alice):
    with scope(workspace=acme):
        vip = Tag.objects.create(workspace=acme, name="VIP")
        contact_create(actor=actor_for(acme, alice), values={"last_name": "Tagged", "tags": [vip]})
    page = client_for(alice).get("/w/acme/contacts/?col=name&col=tags").content.decode()
    assert '<span class="badge gray">VIP</span>' in page


def test_every_sort_of_the_company_list_walks_every_row_exactly_once(acme, alice, bob):
    from halyard.companies.models import Company
    from halyard.companies.views import companies as company_views

    with scope(workspace=acme):
        for i in range(13):
            company_create(
                actor=actor_for(acme, [alice, bob][i % 2]),
                values={
                    "name": ["Sen Vàng", "王记", "Pars"][i % 3],
                    "city": ["Hà Nội", "", "Tehran"][i % 3],
                    "owner_id": [alice.pk, None][i % 2],
                },
            )
        columns = company_views.all_columns([])
        queryset = Company.objects.alive().select_related("owner")
        everyone = sorted(queryset.values_list("pk", flat=True))
        for key in [k for k, c in columns.items() if c.sortable]:
            for direction in ("", "-"):
                sort = sort_for(Company, columns, direction + key)
                walked = _walk(queryset, sort, 2)
                assert sorted(walked) == everyone, key
                assert walked == _one_query_order(queryset, sort), key
