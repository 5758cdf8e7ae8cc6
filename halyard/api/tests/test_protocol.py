"""The HTTP contract: pages, ETags, errors for every kind of bad input, rate limits."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core import signing
from django.test import override_settings
from django_scopes import scope

from conftest import actor_for
from halyard.api.tests.conftest import problem
from halyard.api.views import ContactViewSet
from halyard.contacts.models import Contact
from halyard.contacts.services import contact_create

URL = "/api/v1/contacts"


def _contacts(acme: Any, alice: Any, n: int) -> list[int]:
    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        return [
            contact_create(actor=actor, values={"last_name": f"Người {i % 4}"}).pk for i in range(n)
        ]


@pytest.mark.parametrize("ordering", ["-id", "last_name", "-last_name", "updated_at"])
def test_a_page_walk_returns_every_row_once(
    acme: Any, alice: Any, alice_api: Any, ordering: str
) -> None:
    ids = _contacts(acme, alice, 23)
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        url = f"{URL}?limit=5&ordering={ordering}" + (f"&cursor={cursor}" if cursor else "")
        body = alice_api.get(url).json()
        seen += [c["id"] for c in body["results"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 5
    assert sorted(seen) == sorted(str(i) for i in ids)
    assert len(seen) == len(set(seen))


def test_a_tampered_cursor_is_a_400_problem(acme: Any, alice: Any, alice_api: Any) -> None:
    _contacts(acme, alice, 3)
    cursor = alice_api.get(f"{URL}?limit=1").json()["next_cursor"]
    assert cursor
    problem(alice_api.get(f"{URL}?limit=1&cursor={cursor[:-2]}xx"), 400, "cursor_invalid")
    problem(alice_api.get(f"{URL}?limit=1&cursor=garbage"), 400, "cursor_invalid")
    # a genuine cursor of another ordering is refused too
    problem(
        alice_api.get(f"{URL}?limit=1&ordering=last_name&cursor={cursor}"), 400, "cursor_invalid"
    )
    forged = signing.dumps({"o": "-id", "a": "not-base64!"}, salt="other")
    problem(alice_api.get(f"{URL}?cursor={forged}"), 400, "cursor_invalid")


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=201",
        "limit=abc",
        "ordering=email",
        "owner=abc",
        "updated_after=yesterday",
        "colour=red",
        "limit=5&limit=6",
        "q=a%00b",
    ],
)
def test_bad_list_parameters_are_400(acme: Any, alice_api: Any, query: str) -> None:
    problem(alice_api.get(f"{URL}?{query}"), 400)


def test_updated_after_and_owner_filter(acme: Any, alice: Any, bob: Any, alice_api: Any) -> None:
    _contacts(acme, alice, 2)
    assert len(alice_api.get(f"{URL}?updated_after=2000-01-01").json()["results"]) == 2
    assert alice_api.get(f"{URL}?updated_after=2999-01-01T00:00:00Z").json()["results"] == []
    assert len(alice_api.get(f"{URL}?owner={alice.pk}").json()["results"]) == 2
    assert alice_api.get(f"{URL}?owner={bob.pk}").json()["results"] == []


def test_if_match_of_an_older_version_is_412_and_changes_nothing(
    acme: Any, alice: Any, alice_api: Any
) -> None:
    [pk] = _contacts(acme, alice, 1)
    url = f"{URL}/{pk}"
    assert alice_api.get(url)["ETag"] == '"1"'
    assert alice_api.patch(url, {"title": "CEO"}, if_match='"1"').status_code == 200
    stale = problem(alice_api.patch(url, {"title": "CTO"}, if_match='"1"'), 412, "version_mismatch")
    assert "version 2" in stale["detail"]
    problem(alice_api.patch(url, {"title": "CTO"}, if_match="banana"), 412)
    problem(alice_api.delete(url, if_match='"1"'), 412)
    with scope(workspace=acme):
        contact = Contact.objects.get(pk=pk)
        assert (contact.title, contact.version, contact.deleted_at) == ("CEO", 2, None)
    assert alice_api.patch(url, {"title": "CTO"}, if_match='W/"2"').status_code == 200


def test_a_concurrent_change_without_if_match_is_409(
    acme: Any, alice: Any, alice_api: Any, monkeypatch: Any
) -> None:
    [pk] = _contacts(acme, alice, 1)
    real = ContactViewSet.update_service

    def racing(**kwargs: Any) -> Any:
        Contact._base_manager.filter(pk=pk).update(version=5)  # someone else saved meanwhile
        return real(**kwargs)

    monkeypatch.setattr(ContactViewSet, "update_service", staticmethod(racing))
    body = problem(alice_api.patch(f"{URL}/{pk}", {"title": "X"}), 409, "version_conflict")
    assert body["detail"]
    with scope(workspace=acme):
        assert Contact.objects.get(pk=pk).title == ""


@pytest.mark.parametrize(
    ("raw", "content_type", "status", "code"),
    [
        ('{"last_name": ', "application/json", 400, "malformed_json"),
        ("last_name=X", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
        ("<x/>", "text/xml", 415, "unsupported_media_type"),
        ('["a list"]', "application/json", 400, "invalid"),
        ('"a string"', "application/json", 400, "invalid"),
        ('{"last_name": 5, "do_not_email": "perhaps"}', "application/json", 400, "invalid"),
        ('{"last_name": "X", "colour": "red"}', "application/json", 400, "invalid"),
        ('{"last_name": "X", "id": "5"}', "application/json", 400, "invalid"),
        ('{"last_name": "X", "emails": "x@example.com"}', "application/json", 400, "invalid"),
        ('{"last_name": "X", "custom": []}', "application/json", 400, "invalid"),
        ('{"last_name": "X", "birthday": "31/12/1990"}', "application/json", 400, "invalid"),
        ('{"last_name": "' + "x" * 101 + '"}', "application/json", 400, "invalid"),
        ('{"last_name": "\\u0000"}', "application/json", 400, "invalid"),
    ],
)
def test_bad_bodies_are_problems_and_save_nothing(
    acme: Any, alice_api: Any, raw: str, content_type: str, status: int, code: str
) -> None:
    response = alice_api.request("POST", URL, raw=raw, content_type=content_type)
    problem(response, status, code)
    with scope(workspace=acme):
        assert not Contact.objects.exists()


def test_unknown_fields_are_named(acme: Any, alice_api: Any) -> None:
    body = problem(alice_api.post(URL, {"last_name": "X", "colour": "red"}), 400, "invalid")
    assert body["errors"] == {"colour": ["Unknown field."]}


@override_settings(API_MAX_BODY=1000)
def test_a_huge_body_is_413(acme: Any, alice_api: Any) -> None:
    problem(alice_api.post(URL, {"last_name": "x" * 2000}), 413, "body_too_large")


@override_settings(MAX_REQUEST_BODY=500)
def test_a_body_over_the_site_limit_is_413_too(acme: Any, alice_api: Any) -> None:
    problem(alice_api.post(URL, {"last_name": "x" * 1000}), 413, "body_too_large")


def test_unknown_address_and_method_are_problems(acme: Any, alice_api: Any) -> None:
    problem(alice_api.get("/api/v1/nothing-here"), 404, "not_found")
    problem(alice_api.get(f"{URL}/abc"), 404, "not_found")
    problem(alice_api.get(f"{URL}/99999999999999"), 404, "not_found")
    problem(alice_api.request("PUT", f"{URL}/1", {}), 405)
    problem(alice_api.delete(URL), 405, "method_not_allowed")


@override_settings(API_RATE_LIMIT=3)
def test_too_many_requests_is_429_with_retry_after(acme: Any, alice_api: Any) -> None:
    first = alice_api.get(URL)
    assert first["RateLimit-Limit"] == "3"
    assert first["RateLimit-Remaining"] == "2"
    alice_api.get(URL)
    alice_api.get(URL)
    response = alice_api.get(URL)
    problem(response, 429, "rate_limited")
    assert 1 <= int(response["Retry-After"]) <= 60


@override_settings(API_WORKSPACE_RATE_LIMIT=2)
def test_the_workspace_limit_counts_every_key(acme: Any, alice_api: Any, bob_api: Any) -> None:
    assert alice_api.get(URL).status_code == 200
    assert bob_api.get(URL).status_code == 200
    problem(bob_api.get(URL), 429, "rate_limited")


def test_answers_are_json_whatever_accept_says(acme: Any, alice_api: Any) -> None:
    response = alice_api.get(URL, accept="text/html")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content)["results"] == []


@pytest.mark.parametrize("resource", ["contacts", "companies", "leads", "deals"])
def test_a_page_costs_the_same_queries_for_few_or_many_rows(
    acme: Any, alice: Any, alice_api: Any, resource: str
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from halyard.deals.tests.factories import make_deal, sales_pipeline

    _pipeline, stages = sales_pipeline(acme, alice)
    stage = next(iter(stages.values()))

    def add(n: int) -> None:
        for i in range(n):
            if resource == "deals":
                make_deal(acme, alice, stage, name=f"Deal {i}")
            else:
                body = {"name": f"Co {i}"} if resource == "companies" else {"last_name": f"N {i}"}
                assert alice_api.post(f"/api/v1/{resource}", body).status_code == 201

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert alice_api.get(f"/api/v1/{resource}").status_code == 200
        return len(queries)

    add(2)
    count()  # the key's first use of the minute also records last_used_at
    few = count()
    add(8)
    many = count()
    assert many == few, (few, many)
