"""The list page and its results fragment run a fixed number of queries, whatever the rows."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from conftest import actor_for, client_for
from halyard.companies.services import company_create
from halyard.contacts.services import contact_create
from halyard.customfields.models import CustomField, Tag
from halyard.deals.services import deal_create, pipeline_ensure_default

CONTACT_COLUMNS = (
    "col=name&col=email&col=company&col=owner&col=tags&col=created&col=cf_size&col=cf_rep"
    "&col=cf_since&col=cf_tier"
)
DEAL_COLUMNS = (
    "col=name&col=stage&col=amount&col=company&col=pipeline&col=owner&col=tags&col=cf_size"
)


def _count(client, url, **headers):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, headers=headers)
        assert response.status_code == 200
    return len(ctx.captured_queries)


def _fields(workspace, record_type):
    for key, kind in (("size", "currency"), ("rep", "user"), ("since", "date"), ("tier", "select")):
        CustomField.objects.create(
            workspace=workspace,
            record_type=record_type,
            key=key,
            label=key.title(),
            field_type=kind,
            options=["Gold"] if kind == "select" else [],
        )


def _add_contacts(workspace, users, n, tags, company):
    for i in range(n):
        user = users[i % len(users)]
        contact_create(
            actor=actor_for(workspace, users[0]),
            values={
                "last_name": f"P{i}",
                "email": f"p{i}@kho.vn",
                "company": company,
                "owner_id": user.pk,
                "tags": tags,
                "custom": {"size": "12.50", "rep": user.pk, "since": "2024-02-29", "tier": "Gold"},
            },
        )


@pytest.mark.parametrize(
    "query",
    [
        "",
        f"?{CONTACT_COLUMNS}",
        f"?{CONTACT_COLUMNS}&sort=-company&ff=tags&fo=eq&fv=VIP&fv2=",
        f"?{CONTACT_COLUMNS}&sort=cf_size&ff=cf_size&fo=between&fv=1&fv2=100",
    ],
)
def test_contact_list_queries_do_not_grow_with_the_rows(acme, alice, bob, query):
    client = client_for(alice)
    client.get("/w/acme/")  # the first request of a session records it; not what we measure
    with scope(workspace=acme):
        _fields(acme, "contacts")
        tags = [Tag.objects.create(workspace=acme, name=n) for n in ("VIP", "Hà Nội")]
        company = company_create(actor=actor_for(acme, alice), values={"name": "Co"})
        _add_contacts(acme, [alice, bob], 5, tags, company)
    url = f"/w/acme/contacts/{query}"
    few_page, few_results = _count(client, url), _count(client, url, HX_Request="true")
    with scope(workspace=acme):
        _add_contacts(acme, [bob, alice], 45, tags, company)
    assert _count(client, url) == few_page
    assert _count(client, url, HX_Request="true") == few_results
    page = client.get(url).content.decode()
    assert page.count('name="ids"') == 50  # a full page, with names, tags and custom values
    assert few_results <= few_page <= 17


def test_deal_list_queries_do_not_grow_with_the_rows(acme, alice, bob):
    client = client_for(alice)
    client.get("/w/acme/")
    with scope(workspace=acme):
        _fields(acme, "deals")
        actor = actor_for(acme, alice)
        stages = list(pipeline_ensure_default(actor=actor).stages.all())
        tag = Tag.objects.create(workspace=acme, name="VIP")
        company = company_create(actor=actor, values={"name": "Co"})

        def add(n):
            for i in range(n):
                deal_create(
                    actor=actor,
                    values={
                        "name": f"D{i}",
                        "stage": stages[i % 4],
                        "amount": Decimal(i * 100),
                        "company": company,
                        "owner_id": [alice.pk, bob.pk][i % 2],
                        "tags": [tag],
                        "expected_close": dt.date(2025, 1, 1),
                        "custom": {"size": "3.00"},
                    },
                )

        add(5)
    url = f"/w/acme/deals/?{DEAL_COLUMNS}&sort=-amount"
    few_page, few_results = _count(client, url), _count(client, url, HX_Request="true")
    with scope(workspace=acme):
        add(45)
    assert _count(client, url) == few_page
    assert _count(client, url, HX_Request="true") == few_results
