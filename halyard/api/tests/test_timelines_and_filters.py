"""Record timelines, and field filters (custom fields included) on every list."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from conftest import actor_for
from halyard.api.tests.conftest import problem
from halyard.customfields.services import custom_field_create, tag_create
from halyard.deals.tests.factories import make_deal, sales_pipeline


def _walk(client: Any, url: str, limit: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = f"?limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(url + query).json()
        items += body["results"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items


def test_a_timeline_pages_activities_tasks_and_changes_newest_first(
    acme: Any, alice: Any, alice_api: Any
) -> None:
    contact = alice_api.post("/api/v1/contacts", {"last_name": "Hồ"}).json()
    url = f"/api/v1/contacts/{contact['id']}/timeline"
    cid = contact["id"]
    alice_api.patch(f"/api/v1/contacts/{cid}", {"title": "CEO"})
    for i in range(3):
        alice_api.post(
            "/api/v1/activities",
            {"kind": "call", "contact": cid, "subject": f"Call {i}", "occurred_at": "2030-01-01"},
        )
    task = alice_api.post("/api/v1/tasks", {"title": "Follow up", "contact": cid}).json()
    alice_api.post("/api/v1/tasks", {"title": "Still open", "contact": cid})
    alice_api.patch(f"/api/v1/tasks/{task['id']}", {"status": "done"})
    whole = alice_api.get(url).json()
    assert whole["next_cursor"] is None
    types = [item["type"] for item in whole["results"]]
    assert types == ["activity"] * 3 + ["task", "change", "change"]
    assert whole["results"][3]["task"]["title"] == "Follow up"  # open tasks are not history
    assert whole["results"][4]["change"]["changes"]["title"] == ["", "CEO"]
    assert whole["results"][5]["change"]["action"] == "create"
    assert [i["activity"]["subject"] for i in whole["results"][:3]] == [
        "Call 2",
        "Call 1",
        "Call 0",
    ]
    walked = _walk(alice_api, url, 2)
    assert walked == whole["results"]
    problem(alice_api.get(f"{url}?cursor=nope"), 400, "cursor_invalid")
    problem(alice_api.get(f"{url}?q=x"), 400, "unknown_parameter")


@pytest.mark.parametrize("resource", ["companies", "leads", "deals"])
def test_every_record_type_has_a_timeline(
    acme: Any, alice: Any, alice_api: Any, resource: str
) -> None:
    if resource == "deals":
        _pipeline, stages = sales_pipeline(acme, alice)
        pk = make_deal(acme, alice, next(iter(stages.values())), name="D").pk
    else:
        body = {"name": "Co"} if resource == "companies" else {"last_name": "L"}
        pk = alice_api.post(f"/api/v1/{resource}", body).json()["id"]
    link = {"companies": "company", "leads": "lead", "deals": "deal"}[resource]
    alice_api.post("/api/v1/notes", {link: str(pk), "body": "Hello"})
    items = alice_api.get(f"/api/v1/{resource}/{pk}/timeline").json()["results"]
    assert items[0]["type"] == "activity" and items[0]["activity"]["body"] == "<p>Hello</p>"


def test_a_timeline_shows_only_what_the_member_may_see(
    acme: Any, alice: Any, bob: Any, alice_api: Any, bob_api: Any
) -> None:
    contact = bob_api.post("/api/v1/contacts", {"last_name": "Bob's"}).json()
    alice_api.post(
        "/api/v1/activities", {"kind": "call", "contact": contact["id"], "subject": "Alice's"}
    )
    bob_api.post("/api/v1/activities", {"kind": "call", "contact": contact["id"], "subject": "B"})
    items = bob_api.get(f"/api/v1/contacts/{contact['id']}/timeline").json()["results"]
    assert [i["activity"]["subject"] for i in items if i["type"] == "activity"] == ["B"]
    alices = alice_api.post("/api/v1/contacts", {"last_name": "Alice's"}).json()
    problem(bob_api.get(f"/api/v1/contacts/{alices['id']}/timeline"), 404, "not_found")


def test_a_timeline_page_costs_the_same_queries_for_few_or_many_items(
    acme: Any, alice: Any, alice_api: Any
) -> None:
    cid = alice_api.post("/api/v1/contacts", {"last_name": "Q"}).json()["id"]

    def add(n: int) -> None:
        for i in range(n):
            alice_api.post(
                "/api/v1/activities", {"kind": "call", "contact": cid, "subject": str(i)}
            )
            alice_api.post("/api/v1/tasks", {"title": str(i), "contact": cid, "status": "done"})

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert alice_api.get(f"/api/v1/contacts/{cid}/timeline").status_code == 200
        return len(queries)

    add(1)
    count()
    few = count()
    add(6)
    assert count() == few


def _fields(acme: Any, alice: Any) -> None:
    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        tag_create(actor=actor, name="VIP")
        for label, kind, options in (
            ("Employees", "number", []),
            ("Region", "select", ["North", "South"]),
            ("Signed", "date", []),
            ("Budget", "decimal", []),
            ("Partner", "checkbox", []),
        ):
            custom_field_create(
                actor=actor, record_type="contacts", label=label, field_type=kind, options=options
            )


def test_field_and_custom_field_filters_on_contacts(acme: Any, alice: Any, alice_api: Any) -> None:
    _fields(acme, alice)
    for name, custom, tags in (
        ("An", {"employees": 10, "region": "North", "signed": "2025-01-05", "budget": "99.5"}, []),
        ("Bình", {"employees": 200, "region": "South", "partner": True}, ["VIP"]),
        ("Chi", {}, []),
    ):
        body = {"last_name": name, "custom": custom, "tags": tags, "lifecycle_stage": "lead"}
        assert alice_api.post("/api/v1/contacts", body).status_code == 201, body

    def names(query: str) -> list[str]:
        response = alice_api.get(f"/api/v1/contacts?{query}")
        assert response.status_code == 200, response.json()
        return sorted(c["last_name"] for c in response.json()["results"])

    assert names("last_name=An") == ["An"]
    assert names("last_name__contains=n") == ["An", "Bình"]
    assert names("last_name__in=An,Chi") == ["An", "Chi"]
    assert names("last_name__ne=An") == ["Bình", "Chi"]
    assert names("tags=VIP") == ["Bình"]
    assert names("do_not_email=false") == ["An", "Bình", "Chi"]
    assert names("created_at__gte=2000-01-01") == ["An", "Bình", "Chi"]
    assert names("company__isnull=true&title__isnull=true") == ["An", "Bình", "Chi"]
    assert names("custom.employees__gt=50") == ["Bình"]
    assert names("custom.employees=10") == ["An"]
    assert names("custom.region=South") == ["Bình"]
    assert names("custom.region__isnull=true") == ["Chi"]
    assert names("custom.region__isnull=false") == ["An", "Bình"]
    assert names("custom.signed__lt=2025-02-01") == ["An"]
    assert names("custom.budget__gte=99") == ["An"]
    assert names("custom.partner=true") == ["Bình"]
    for query, param in (
        ("custom.employees__gt=many", "custom.employees__gt"),
        ("custom.region=West", "custom.region"),
        ("custom.signed__lt=soon", "custom.signed__lt"),
        ("custom.nope=1", "custom.nope"),
        ("custom.region__contains=N", "custom.region__contains"),
        ("last_name__gt=A", "last_name__gt"),
        ("do_not_email=maybe", "do_not_email"),
        ("birthday=31/01/2000", "birthday"),
        ("company=x", "company"),
        ("id__in=" + ",".join(["1"] * 101), "id__in"),
        ("version=99999999999999999999", "version"),
    ):
        body = problem(alice_api.get(f"/api/v1/contacts?{query}"), 400, "invalid_parameter")
        assert list(body["errors"]) == [param], query
    unknown = problem(alice_api.get("/api/v1/contacts?shoe_size=4"), 400, "unknown_parameter")
    assert "shoe_size" in unknown["errors"]


def test_filters_on_deals_decimals_and_choices(acme: Any, alice: Any, alice_api: Any) -> None:
    _pipeline, stages = sales_pipeline(acme, alice)
    stage = next(iter(stages.values()))
    make_deal(acme, alice, stage, name="Small", amount="100.00")
    make_deal(acme, alice, stage, name="Big", amount="5000.00", forecast_category="commit")

    def names(query: str) -> list[str]:
        response = alice_api.get(f"/api/v1/deals?{query}")
        assert response.status_code == 200, response.json()
        return sorted(d["name"] for d in response.json()["results"])

    assert names("amount__gte=1000") == ["Big"]
    assert names("amount__lt=1000.5") == ["Small"]
    assert names("forecast_category=commit") == ["Big"]
    assert names(f"stage__in={stage.pk}") == ["Big", "Small"]
    problem(alice_api.get("/api/v1/deals?amount__gte=NaN"), 400, "invalid_parameter")
    problem(alice_api.get("/api/v1/deals?forecast_category=maybe"), 400, "invalid_parameter")


@pytest.mark.parametrize("resource", ["contacts", "activities", "tasks"])
def test_a_filtered_page_costs_the_same_queries_for_few_or_many_rows(
    acme: Any, alice: Any, alice_api: Any, resource: str
) -> None:
    _fields(acme, alice)
    cid = alice_api.post("/api/v1/contacts", {"last_name": "Anchor"}).json()["id"]
    query = {
        "contacts": "last_name__contains=N&custom.employees__gte=1&tags__in=VIP,Other",
        "activities": f"contact={cid}&kind__in=call,note&occurred_at__gte=2000-01-01",
        "tasks": f"contact={cid}&status__ne=done&due_at__isnull=true",
    }[resource]

    def add(n: int) -> None:
        for i in range(n):
            if resource == "contacts":
                body: dict[str, Any] = {
                    "last_name": f"N{i}",
                    "custom": {"employees": i + 1},
                    "tags": ["VIP"],
                }
            elif resource == "activities":
                body = {"kind": "call", "contact": cid}
            else:
                body = {"title": f"T{i}", "contact": cid}
            assert alice_api.post(f"/api/v1/{resource}", body).status_code == 201

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = alice_api.get(f"/api/v1/{resource}?{query}")
            assert response.status_code == 200, response.json()
        return len(queries), len(response.json()["results"])

    add(2)
    count()
    few, rows = count()
    assert rows == 2
    add(8)
    many, rows = count()
    assert rows == 10
    assert many == few, (few, many)


def test_pipelines_and_users_filter_too(acme: Any, alice: Any, bob: Any, alice_api: Any) -> None:
    pipeline, _stages = sales_pipeline(acme, alice)
    found = alice_api.get(f"/api/v1/pipelines?name={pipeline.name}").json()["results"]
    assert [p["id"] for p in found] == [str(pipeline.pk)]
    assert alice_api.get("/api/v1/pipelines?name=Nope").json()["results"] == []
    members = alice_api.get(f"/api/v1/users?email={bob.email}").json()["results"]
    assert [m["id"] for m in members] == [str(bob.pk)]
    assert len(alice_api.get("/api/v1/users?is_active=true").json()["results"]) == 2
    problem(alice_api.get("/api/v1/users?joined_at__gt=soon"), 400, "invalid_parameter")
    problem(alice_api.get("/api/v1/users?shoe_size=4"), 400, "unknown_parameter")


@pytest.mark.parametrize(
    "query",
    [
        "version__gt=9999999999",
        "version__in=9999999999,1",
        "version=9999999999",
        "id=999999999999999",
        "company__in=999999999999999",
        "custom.employees__gt=999999999999999999",
    ],
)
def test_numbers_beyond_a_column_are_no_server_error(
    acme: Any, alice: Any, alice_api: Any, query: str
) -> None:
    _fields(acme, alice)
    alice_api.post("/api/v1/contacts", {"last_name": "X"})
    assert alice_api.get(f"/api/v1/contacts?{query}").status_code in (200, 400)
    assert alice_api.get("/api/v1/deals?amount__gt=1e30").status_code == 400
