"""Every record page, list and work page runs a fixed number of queries, whatever it shows.

Each test measures a page with a little data, adds several times more of everything the page
lists (e-mails, phones, activities, tasks, deals, contacts, subsidiaries, members' records),
and measures again: the count must not move. A query per shown row is what makes a page slow
at a million contacts.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope

from conftest import actor_for, client_for
from halyard.activities.services import activity_log
from halyard.companies.services import company_create
from halyard.contacts.services import contact_create
from halyard.customfields.models import Tag
from halyard.deals.services import deal_contact_add, deal_create, pipeline_ensure_default
from halyard.leads.services import lead_create
from halyard.tasks.services import task_create

pytestmark = pytest.mark.django_db


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.fixture
def world(acme, alice, bob):
    """A company with a contact, a deal and a lead; `grow(n)` adds n of everything around them."""
    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        stages = list(pipeline_ensure_default(actor=actor).stages.all())
        tag = Tag.objects.create(workspace=acme, name="VIP")
        company = company_create(actor=actor, values={"name": "Sao Mai", "tags": [tag]})
        contact = contact_create(
            actor=actor,
            values={"first_name": "Lan", "last_name": "Trần", "company": company, "tags": [tag]},
        )
        deal = deal_create(
            actor=actor,
            values={
                "name": "Kho lạnh",
                "stage": stages[0],
                "amount": Decimal(100),
                "company": company,
            },
        )
        lead = lead_create(actor=actor, values={"last_name": "Phạm", "company_name": "Hoa Sen"})
    state = {"n": 0}

    def grow(n):
        with scope(workspace=acme):
            for _ in range(n):
                i = state["n"] = state["n"] + 1
                owner = [alice, bob][i % 2]
                other = contact_create(
                    actor=actor,
                    values={
                        "last_name": f"P{i}",
                        "company": company,
                        "owner_id": owner.pk,
                        "emails": [{"email": f"p{i}@saomai.vn", "is_primary": True}],
                        "phones": [
                            {"number": f"+8490{i:07d}", "kind": "mobile", "is_primary": True}
                        ],
                        "tags": [tag],
                    },
                )
                company_create(actor=actor, values={"name": f"Sub {i}", "parent": company})
                deal_contact_add(actor=actor, deal=deal, contact=other, role="champion")
                deal_create(
                    actor=actor,
                    values={
                        "name": f"D{i}",
                        "stage": stages[i % 3],
                        "amount": Decimal(i),
                        "company": company,
                        "owner_id": owner.pk,
                        "expected_close": dt.date(2025, 1, 1),
                    },
                )
                for link, record in (("contact", contact), ("deal", deal), ("lead", lead)):
                    activity_log(
                        actor=actor,
                        values={
                            "kind": "call",
                            "subject": f"C{i}",
                            link: record,
                            "company": company,
                        },
                    )
                    task_create(
                        actor=actor,
                        values={
                            "title": f"T{i}",
                            link: record,
                            "owner": owner,
                            "due_at": timezone.now() + dt.timedelta(days=i % 3 - 1),
                        },
                    )
                lead_create(
                    actor=actor, values={"last_name": f"L{i}", "owner_id": owner.pk, "score": i}
                )

    return {"company": company, "contact": contact, "deal": deal, "lead": lead, "grow": grow}


@pytest.mark.parametrize(
    ("page", "shows"),
    [
        ("/w/acme/contacts/{contact}/", ["C10", "T10"]),
        ("/w/acme/companies/{company}/", ["P10", "D10"]),
        ("/w/acme/companies/{company}/?subsidiaries=1", ["Sub 10"]),
        ("/w/acme/deals/{deal}/", ["P10", "C10"]),
        ("/w/acme/leads/{lead}/", ["C10", "T10"]),
        ("/w/acme/companies/", ["Sub 10"]),
        ("/w/acme/leads/", ["L10"]),
        ("/w/acme/my-work/", ["T10"]),
        ("/w/acme/search/?q=p1", ["P10"]),
        ("/w/acme/", []),
    ],
)
def test_pages_run_a_fixed_number_of_queries(world, alice, page, shows):
    client = client_for(alice)
    client.get("/w/acme/")  # the first request of a session records it; not what we measure
    url = page.format(**{k: v.pk for k, v in world.items() if hasattr(v, "pk")})
    world["grow"](2)
    few = _count(client, url)
    world["grow"](8)
    assert _count(client, url) == few, url
    body = client.get(url).content.decode()
    for text in shows:  # the page does show what was added
        assert text in body, (url, text)
