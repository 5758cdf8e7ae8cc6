"""Idempotency-Key: the first answer is replayed; reuse, in-flight and bad keys are problems."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django_scopes import scope

from conftest import actor_for
from halyard.api.jobs import purge_idempotency_keys
from halyard.api.models import ApiKey, IdempotentRequest
from halyard.api.tests.conftest import ApiClient, key_for, problem
from halyard.contacts.models import Contact
from halyard.contacts.services import contact_create
from halyard.deals.tests.factories import make_deal, sales_pipeline

KEY = "4f1e9c3a-0b7d-4a55-9d0e-2f6b8c1a7e90"


def test_a_repeated_create_is_replayed_and_creates_nothing(acme: Any, alice_api: ApiClient) -> None:
    body = {"last_name": "Nguyễn", "email": "lan@saomai.vn"}
    first = alice_api.post("/api/v1/contacts", body, idempotency_key=KEY)
    assert first.status_code == 201
    assert not first.has_header("Idempotent-Replayed")
    again = alice_api.post("/api/v1/contacts", body, idempotency_key=KEY)
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert again["Location"] == first["Location"] and again["ETag"] == first["ETag"]
    assert again["Content-Type"] == "application/json"
    assert again.has_header("RateLimit-Remaining")
    with scope(workspace=acme):
        assert Contact.objects.count() == 1


def test_the_same_key_for_another_request_is_422(acme: Any, alice_api: ApiClient) -> None:
    assert (
        alice_api.post("/api/v1/contacts", {"last_name": "A"}, idempotency_key=KEY).status_code
        == 201
    )
    problem(
        alice_api.post("/api/v1/contacts", {"last_name": "B"}, idempotency_key=KEY),
        422,
        "idempotency_key_reused",
    )
    problem(
        alice_api.post("/api/v1/companies", {"last_name": "A"}, idempotency_key=KEY),
        422,
        "idempotency_key_reused",
    )
    with scope(workspace=acme):
        assert Contact.objects.count() == 1


def test_a_key_still_in_flight_is_409(acme: Any, alice: Any, alice_api: ApiClient) -> None:
    # Claim the key as a request running in another process would.
    response = alice_api.post("/api/v1/contacts", {"last_name": "A"}, idempotency_key=KEY)
    row = IdempotentRequest.objects.get()
    IdempotentRequest.objects.filter(pk=row.pk).update(status_code=None, body=b"")
    busy = alice_api.post("/api/v1/contacts", {"last_name": "A"}, idempotency_key=KEY)
    problem(busy, 409, "idempotency_in_progress")
    assert busy["Retry-After"] == "1"
    assert response.status_code == 201
    with scope(workspace=acme):
        assert Contact.objects.count() == 1


def test_a_key_whose_request_died_is_taken_over(acme: Any, alice_api: ApiClient) -> None:
    api_key = ApiKey.objects.get()
    IdempotentRequest.objects.create(
        api_key=api_key,
        key=KEY,
        fingerprint="x" * 64,
        created_at=timezone.now() - dt.timedelta(minutes=10),
        expires_at=timezone.now() + dt.timedelta(hours=23),
    )
    response = alice_api.post("/api/v1/contacts", {"last_name": "A"}, idempotency_key=KEY)
    assert response.status_code == 201
    assert IdempotentRequest.objects.get().status_code == 201


def test_bad_keys_are_400(acme: Any, alice_api: ApiClient) -> None:
    for bad in ("k" * 256, "   "):
        body = problem(
            alice_api.post("/api/v1/contacts", {"last_name": "A"}, idempotency_key=bad),
            400,
            "idempotency_key_invalid",
        )
        assert "Idempotency-Key" in body["errors"]
    ok = alice_api.post("/api/v1/contacts", {"last_name": "A"}, idempotency_key="k" * 255)
    assert ok.status_code == 201
    with scope(workspace=acme):
        assert Contact.objects.count() == 1


def test_keys_belong_to_one_api_key(
    acme: Any, alice: Any, other: Any, charlie: Any, alice_api: ApiClient, charlie_api: ApiClient
) -> None:
    assert (
        alice_api.post("/api/v1/contacts", {"last_name": "A"}, idempotency_key=KEY).status_code
        == 201
    )
    second_key = ApiClient(key_for(acme, alice))
    assert (
        second_key.post("/api/v1/contacts", {"last_name": "A"}, idempotency_key=KEY).status_code
        == 201
    )
    theirs = charlie_api.post("/api/v1/contacts", {"last_name": "C"}, idempotency_key=KEY)
    assert theirs.status_code == 201 and not theirs.has_header("Idempotent-Replayed")
    with scope(workspace=acme):
        assert Contact.objects.count() == 2
    with scope(workspace=other):
        assert Contact.objects.get().last_name == "C"


def test_client_errors_are_replayed_but_conflicts_run_again(
    acme: Any, alice: Any, alice_api: ApiClient
) -> None:
    bad = alice_api.post("/api/v1/contacts", {"email": "x@y.vn"}, idempotency_key="bad-1")
    problem(bad, 400, "invalid")
    replayed = alice_api.post("/api/v1/contacts", {"email": "x@y.vn"}, idempotency_key="bad-1")
    problem(replayed, 400, "invalid")
    assert replayed["Idempotent-Replayed"] == "true"
    with scope(workspace=acme):
        holder = contact_create(
            actor=actor_for(acme, alice), values={"last_name": "H", "external_id": "E"}
        )
    body = {"last_name": "N", "external_id": "E"}
    problem(alice_api.post("/api/v1/contacts", body, idempotency_key="c-1"), 409)
    with scope(workspace=acme):
        Contact.objects.filter(pk=holder.pk).update(external_id="")
    retried = alice_api.post("/api/v1/contacts", body, idempotency_key="c-1")
    assert retried.status_code == 201 and not retried.has_header("Idempotent-Replayed")


def test_patch_delete_actions_and_bulk_are_replayed(
    acme: Any, alice: Any, alice_api: ApiClient
) -> None:
    with scope(workspace=acme):
        contact = contact_create(actor=actor_for(acme, alice), values={"last_name": "P"})
    url = f"/api/v1/contacts/{contact.pk}"
    calls = [
        ("PATCH", url, {"title": "CEO"}),
        ("DELETE", url, None),
        ("POST", f"{url}/restore", {}),
        (
            "POST",
            "/api/v1/contacts/bulk",
            {"records": [{"external_id": "b", "last_name": "B"}], "match_on": "external_id"},
        ),
    ]
    for n, (method, path, body) in enumerate(calls):
        first = alice_api.request(method, path, body, idempotency_key=f"op-{n}")
        assert first.status_code == 200, first.content
        again = alice_api.request(method, path, body, idempotency_key=f"op-{n}")
        assert again["Idempotent-Replayed"] == "true"
        assert again.json() == first.json()
    with scope(workspace=acme):
        contact.refresh_from_db()
        assert contact.version == 4  # one update, one trash, one restore
        assert Contact.objects.count() == 2
    _pipeline, stages = sales_pipeline(acme, alice)
    first_stage, second_stage = list(stages.values())[:2]
    deal = make_deal(acme, alice, first_stage, name="D")
    move = {"stage": str(second_stage.pk)}
    moved = alice_api.post(f"/api/v1/deals/{deal.pk}/move", move, idempotency_key="mv")
    again = alice_api.post(f"/api/v1/deals/{deal.pk}/move", move, idempotency_key="mv")
    assert again.json() == moved.json() and again["ETag"] == moved["ETag"]


def test_reads_ignore_the_header(acme: Any, alice_api: ApiClient) -> None:
    assert alice_api.get("/api/v1/contacts", idempotency_key="k" * 300).status_code == 200
    assert not IdempotentRequest.objects.exists()


def test_an_expired_key_runs_again_and_is_purged(acme: Any, alice_api: ApiClient) -> None:
    alice_api.post("/api/v1/contacts", {"last_name": "A"}, idempotency_key=KEY)
    IdempotentRequest.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    again = alice_api.post("/api/v1/contacts", {"last_name": "A"}, idempotency_key=KEY)
    assert again.status_code == 201 and not again.has_header("Idempotent-Replayed")
    with scope(workspace=acme):
        assert Contact.objects.count() == 2
    IdempotentRequest.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert purge_idempotency_keys() == 1
    assert not IdempotentRequest.objects.exists()
