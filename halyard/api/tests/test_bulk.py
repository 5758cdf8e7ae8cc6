"""POST /<plural>/bulk: results per record, matching on each key, duplicates, scope, bad input."""

from __future__ import annotations

from typing import Any

import pytest
from django_scopes import scope

from conftest import actor_for
from halyard.api.tests.conftest import ApiClient, key_for, problem
from halyard.audit.models import AuditEntry
from halyard.companies.models import Company
from halyard.companies.services import company_create
from halyard.contacts.models import Contact
from halyard.contacts.services import contact_create, contact_trash
from halyard.core.models import OutboxEvent
from halyard.deals.models import Deal
from halyard.deals.tests.factories import make_deal, sales_pipeline
from halyard.leads.models import Lead
from halyard.leads.services import lead_create


def _bulk(client: ApiClient, resource: str, records: Any, match_on: str = "external_id") -> Any:
    response = client.post(f"/api/v1/{resource}/bulk", {"records": records, "match_on": match_on})
    assert response.status_code == 200, response.content[:800]
    return response.json()


def _statuses(body: dict[str, Any]) -> list[str]:
    return [r["status"] for r in body["results"]]


def test_results_come_in_request_order_and_one_bad_record_stops_nothing(
    acme: Any, alice_api: ApiClient
) -> None:
    body = _bulk(
        alice_api,
        "contacts",
        [
            {"external_id": "erp-1", "last_name": "Nguyễn", "email": "lan@saomai.vn"},
            {"external_id": "erp-2", "email": "no-name@example.com"},  # last_name is required
            {"external_id": "erp-3", "last_name": "Trần", "emails": [{"email": "not-an-address"}]},
            {"external_id": "erp-4", "last_name": "Lê", "title": "CTO"},
        ],
    )
    assert [r["index"] for r in body["results"]] == [0, 1, 2, 3]
    assert _statuses(body) == ["created", "error", "error", "created"]
    assert body["summary"] == {"created": 2, "updated": 0, "unchanged": 0, "error": 2}
    bad = body["results"][1]
    assert bad["id"] is None and bad["code"] == "invalid" and "last_name" in bad["errors"]
    assert "emails" in body["results"][2]["errors"]
    with scope(workspace=acme):
        assert sorted(Contact.objects.values_list("external_id", flat=True)) == ["erp-1", "erp-4"]
        first = Contact.objects.get(external_id="erp-1")
        assert str(first.pk) == body["results"][0]["id"]
        assert first.source == "api" and first.email == "lan@saomai.vn"
        assert first.emails.count() == 1  # child rows written through the service
        created = AuditEntry.objects.filter(action="create", object_type="contacts.contact")
        assert created.count() == 2
        assert OutboxEvent.objects.filter(name="contact.created").count() == 2


def test_matching_on_external_id_updates_with_patch_semantics(
    acme: Any, alice: Any, alice_api: ApiClient
) -> None:
    with scope(workspace=acme):
        contact = contact_create(
            actor=actor_for(acme, alice),
            values={"last_name": "Phạm", "title": "CEO", "external_id": "erp-9"},
        )
    body = _bulk(alice_api, "contacts", [{"external_id": "erp-9", "city": "Huế"}])
    assert body["results"][0] == {
        "index": 0,
        "status": "updated",
        "id": str(contact.pk),
        "version": 2,
        "code": None,
        "errors": None,
    }
    with scope(workspace=acme):
        contact.refresh_from_db()
        assert (contact.city, contact.title, contact.last_name) == ("Huế", "CEO", "Phạm")
        update = AuditEntry.objects.get(action="update")
        assert update.source == "api" and update.changes == {"city": ["", "Huế"]}


def test_matching_on_id_updates_and_an_unknown_id_is_an_error(
    acme: Any, alice: Any, alice_api: ApiClient
) -> None:
    with scope(workspace=acme):
        lead = lead_create(actor=actor_for(acme, alice), values={"last_name": "Hồ"})
    body = _bulk(
        alice_api,
        "leads",
        [
            {"id": str(lead.pk), "score": 40},
            {"id": "999999", "score": 1},
            {"score": 2},
            {"id": "abc"},
        ],
        match_on="id",
    )
    assert _statuses(body) == ["updated", "error", "error", "error"]
    assert [r["code"] for r in body["results"][1:]] == ["not_found", "match_missing", "invalid"]
    assert "id" in body["results"][2]["errors"]
    with scope(workspace=acme):
        assert Lead.objects.get().score == 40
        assert Lead.objects.count() == 1


def test_matching_contacts_and_leads_on_email(acme: Any, alice: Any, alice_api: ApiClient) -> None:
    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        contact = contact_create(
            actor=actor,
            values={"last_name": "Võ", "emails": [{"email": "a@x.vn"}, {"email": "second@x.vn"}]},
        )
        lead = lead_create(actor=actor, values={"last_name": "Lead", "email": "lead@x.vn"})
    body = _bulk(
        alice_api,
        "contacts",
        [
            {"email": "SECOND@x.vn", "title": "Buyer"},  # any of the contact's addresses
            {"email": "new@x.vn", "last_name": "Mới"},
            {"last_name": "No e-mail"},
        ],
        match_on="email",
    )
    assert _statuses(body) == ["updated", "created", "error"]
    assert body["results"][0]["id"] == str(contact.pk)
    assert body["results"][2]["code"] == "match_missing"
    leads = _bulk(alice_api, "leads", [{"email": "lead@x.vn", "score": 70}], match_on="email")
    assert leads["results"][0]["id"] == str(lead.pk)
    assert leads["results"][0]["status"] == "updated"


def test_matching_companies_on_domain(acme: Any, alice: Any, alice_api: ApiClient) -> None:
    with scope(workspace=acme):
        company = company_create(
            actor=actor_for(acme, alice), values={"name": "Sao Mai", "domain": "saomai.vn"}
        )
    body = _bulk(
        alice_api,
        "companies",
        [
            {"domain": "https://www.SaoMai.vn/about", "industry": "Logistics"},
            {"domains": [{"domain": "new.vn"}], "name": "New"},
            {"domain": "not a domain", "name": "Bad"},
        ],
        match_on="domain",
    )
    assert _statuses(body) == ["updated", "created", "error"]
    assert body["results"][0]["id"] == str(company.pk)
    assert "domain" in body["results"][2]["errors"]
    with scope(workspace=acme):
        assert Company.objects.get(pk=company.pk).industry == "Logistics"
        assert Company.objects.count() == 2


def test_deals_match_on_external_id(acme: Any, alice: Any, alice_api: ApiClient) -> None:
    _pipeline, stages = sales_pipeline(acme, alice)
    stage = next(iter(stages.values()))
    record = {"external_id": "order-1", "name": "Order 1", "stage": str(stage.pk)}
    assert _statuses(_bulk(alice_api, "deals", [record])) == ["created"]
    assert _statuses(_bulk(alice_api, "deals", [{**record, "amount": "10.00"}])) == ["updated"]
    with scope(workspace=acme):
        assert Deal.objects.get().amount == 10
    problem(
        alice_api.post("/api/v1/deals/bulk", {"records": [record], "match_on": "email"}),
        400,
        "invalid",
    )


def test_two_items_that_match_each_other_make_one_record(acme: Any, alice_api: ApiClient) -> None:
    body = _bulk(
        alice_api,
        "contacts",
        [
            {"external_id": "w-1", "last_name": "Đặng"},
            {"external_id": "w-1", "title": "Owner"},
        ],
    )
    assert _statuses(body) == ["created", "updated"]
    assert body["results"][0]["id"] == body["results"][1]["id"]
    by_email = _bulk(
        alice_api,
        "contacts",
        [{"email": "dup@x.vn", "last_name": "A"}, {"email": "DUP@x.vn", "last_name": "B"}],
        match_on="email",
    )
    assert _statuses(by_email) == ["created", "updated"]
    with scope(workspace=acme):
        assert Contact.objects.count() == 2
        assert Contact.objects.get(email="dup@x.vn").last_name == "B"


def test_the_same_request_twice_creates_nothing_twice(acme: Any, alice_api: ApiClient) -> None:
    records = [{"external_id": f"k-{i}", "last_name": f"Name {i}"} for i in range(5)]
    assert _statuses(_bulk(alice_api, "contacts", records)) == ["created"] * 5
    again = _bulk(alice_api, "contacts", records)
    assert _statuses(again) == ["unchanged"] * 5
    assert again["summary"]["unchanged"] == 5
    with scope(workspace=acme):
        assert Contact.objects.count() == 5
        assert {c.version for c in Contact.objects.all()} == {1}


def test_a_stale_version_is_refused_per_record(acme: Any, alice: Any, alice_api: ApiClient) -> None:
    with scope(workspace=acme):
        contact = contact_create(
            actor=actor_for(acme, alice), values={"last_name": "V", "external_id": "v-1"}
        )
    body = _bulk(alice_api, "contacts", [{"external_id": "v-1", "version": 7, "title": "X"}])
    assert body["results"][0]["code"] == "version_mismatch"
    assert body["results"][0]["id"] == str(contact.pk)
    ok = _bulk(alice_api, "contacts", [{"external_id": "v-1", "version": 1, "title": "X"}])
    assert ok["results"][0]["status"] == "updated"


def test_a_trashed_match_is_an_error_not_a_new_record(
    acme: Any, alice: Any, alice_api: ApiClient
) -> None:
    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        contact = contact_create(actor=actor, values={"last_name": "T", "external_id": "t-1"})
        contact_trash(actor=actor, contact=contact)
    body = _bulk(alice_api, "contacts", [{"external_id": "t-1", "last_name": "T"}])
    assert body["results"][0]["code"] == "trashed"
    with scope(workspace=acme):
        assert Contact.objects.count() == 1


def test_an_external_id_taken_by_another_record_is_an_error(
    acme: Any, alice: Any, alice_api: ApiClient
) -> None:
    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        holder = contact_create(actor=actor, values={"last_name": "H", "external_id": "x-1"})
        contact_create(actor=actor, values={"last_name": "Other", "email": "o@x.vn"})
    body = _bulk(
        alice_api, "contacts", [{"email": "o@x.vn", "external_id": "x-1"}], match_on="email"
    )
    result = body["results"][0]
    assert result["code"] == "external_id_taken"
    assert str(holder.pk) in result["errors"]["external_id"][0]


def test_another_workspaces_ids_and_keys_are_never_matched(
    acme: Any, alice: Any, other: Any, charlie: Any, alice_api: ApiClient
) -> None:
    with scope(workspace=other):
        theirs = contact_create(
            actor=actor_for(other, charlie),
            values={"last_name": "Theirs", "external_id": "same", "email": "same@x.vn"},
        )
    assert (
        _bulk(alice_api, "contacts", [{"id": str(theirs.pk), "title": "X"}], "id")["results"][0][
            "code"
        ]
        == "not_found"
    )
    mine = _bulk(alice_api, "contacts", [{"external_id": "same", "last_name": "Mine"}])
    assert _statuses(mine) == ["created"]
    by_email = _bulk(alice_api, "contacts", [{"email": "same@x.vn", "last_name": "M"}], "email")
    assert _statuses(by_email) == ["created"]
    with scope(workspace=other):
        theirs.refresh_from_db()
        assert (theirs.version, theirs.title, theirs.last_name) == (1, "", "Theirs")
    with scope(workspace=acme):
        assert Contact.objects.count() == 2


def test_a_read_only_key_cannot_bulk(acme: Any, reader_api: ApiClient) -> None:
    response = reader_api.post(
        "/api/v1/contacts/bulk",
        {"records": [{"external_id": "r", "last_name": "R"}], "match_on": "external_id"},
    )
    problem(response, 403, "forbidden")
    with scope(workspace=acme):
        assert not Contact.objects.exists()


def test_scope_own_cannot_change_others_records_through_bulk(
    acme: Any, alice: Any, bob: Any, bob_api: ApiClient
) -> None:
    _pipeline, stages = sales_pipeline(acme, alice)
    stage = next(iter(stages.values()))
    alices = make_deal(acme, alice, stage, name="Alice's")
    with scope(workspace=acme):
        Deal.objects.filter(pk=alices.pk).update(external_id="a-1")
    by_id = _bulk(bob_api, "deals", [{"id": str(alices.pk), "name": "Mine"}], "id")
    assert by_id["results"][0]["code"] == "not_found"
    by_key = _bulk(bob_api, "deals", [{"external_id": "a-1", "name": "Mine"}])
    assert by_key["results"][0]["code"] == "forbidden"
    assert by_key["results"][0]["id"] is None
    with scope(workspace=acme):
        assert Deal.objects.get(pk=alices.pk).name == "Alice's"
        assert Deal.objects.count() == 1


def test_a_role_without_create_or_edit_is_403(acme: Any, alice: Any, bob: Any) -> None:
    from django_scopes import scopes_disabled

    from halyard.workspaces.models import Membership, Role

    with scopes_disabled():
        Membership.objects.filter(user=bob).update(
            role=Role.objects.get(workspace=acme, key="finance")
        )
    client = ApiClient(key_for(acme, bob))
    response = client.post("/api/v1/contacts/bulk", {"records": [], "match_on": "external_id"})
    problem(response, 403, "forbidden")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ([], 400, "invalid"),
        ({"records": {"a": 1}, "match_on": "external_id"}, 400, "invalid"),
        ({"records": "x", "match_on": "external_id"}, 400, "invalid"),
        ({"records": []}, 400, "invalid"),
        ({"records": [], "match_on": "phone"}, 400, "invalid"),
        ({"records": [], "match_on": ["id"]}, 400, "invalid"),
        ({"records": [], "match_on": "id", "extra": 1}, 400, "invalid"),
        ({"records": [{}] * 1001, "match_on": "external_id"}, 413, "too_many_records"),
    ],
)
def test_bad_bodies_are_problems(
    acme: Any, alice_api: ApiClient, body: Any, status: int, code: str
) -> None:
    problem(alice_api.post("/api/v1/contacts/bulk", body), status, code)


def test_wrong_types_inside_records_are_per_record_errors(acme: Any, alice_api: ApiClient) -> None:
    body = _bulk(
        alice_api,
        "contacts",
        [
            "not an object",
            None,
            {"external_id": 5, "last_name": "N"},
            {"external_id": ["a"], "last_name": "N"},
            {"external_id": "ok", "last_name": ["list"]},
            {"external_id": "v", "last_name": "V", "version": "1"},
            {"external_id": "v", "last_name": "V", "version": True},
            {"external_id": "x" * 256, "last_name": "Long"},
            {"external_id": "u", "last_name": "U", "unknown": 1},
            {"external_id": "n", "last_name": "N", "company": "99999"},
            {"external_id": "nul\x00", "last_name": "N"},
        ],
    )
    assert _statuses(body) == ["error"] * 11
    assert {r["code"] for r in body["results"]} <= {"invalid", "match_missing"}
    with scope(workspace=acme):
        assert not Contact.objects.exists()


def test_a_nul_in_an_e_mail_key_is_a_record_error(acme: Any, alice_api: ApiClient) -> None:
    body = _bulk(alice_api, "leads", [{"email": "a\x00@x.vn", "last_name": "N"}], "email")
    assert body["results"][0]["code"] == "invalid"


def test_an_empty_list_answers_an_empty_result(acme: Any, alice_api: ApiClient) -> None:
    body = _bulk(alice_api, "companies", [])
    assert body == {
        "results": [],
        "summary": {"created": 0, "updated": 0, "unchanged": 0, "error": 0},
    }


def test_matching_takes_a_few_queries_whatever_the_number_of_records(
    acme: Any, alice_api: ApiClient
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for count in (3, 30):
        records = [{"external_id": f"q-{count}-{i}", "last_name": "Q"} for i in range(count)]
        _bulk(alice_api, "contacts", records)
        with CaptureQueriesContext(connection) as queries:
            assert _statuses(_bulk(alice_api, "contacts", records)) == ["unchanged"] * count
        lookups = [q["sql"] for q in queries.captured_queries if '"external_id" IN' in q["sql"]]
        assert len(lookups) == 1
