"""Activities and notes through the API: logging, editing, trash, attendees and sanitised notes."""

from __future__ import annotations

from typing import Any

from django_scopes import scope

from conftest import actor_for
from halyard.activities.models import Activity
from halyard.api.tests.conftest import problem
from halyard.audit.models import AuditEntry
from halyard.contacts.services import contact_create


def _contact(workspace: Any, user: Any, name: str = "Trần") -> Any:
    with scope(workspace=workspace):
        return contact_create(actor=actor_for(workspace, user), values={"last_name": name})


def test_log_a_call_read_change_trash_and_restore(acme: Any, alice: Any, alice_api: Any) -> None:
    contact = _contact(acme, alice)
    created = alice_api.post(
        "/api/v1/activities",
        {
            "kind": "call",
            "contact": str(contact.pk),
            "subject": "Gọi hỏi giá",
            "direction": "outbound",
            "duration_minutes": 12,
            "outcome": "connected",
            "occurred_at": "2025-03-01T09:00:00Z",
        },
    )
    assert created.status_code == 201, created.json()
    call = created.json()
    assert call["contact"] == str(contact.pk)
    assert call["kind"] == "call" and call["duration_minutes"] == 12
    assert created["ETag"] == '"1"'
    url = f"/api/v1/activities/{call['id']}"
    assert alice_api.get(url).json()["subject"] == "Gọi hỏi giá"
    changed = alice_api.patch(url, {"outcome": "voicemail"}, if_match='"1"')
    assert changed.status_code == 200, changed.json()
    assert changed.json()["outcome"] == "voicemail"
    assert changed.json()["duration_minutes"] == 12  # untouched fields stay
    assert changed.json()["version"] == 2
    problem(alice_api.patch(url, {"outcome": "busy"}, if_match='"1"'), 412, "version_mismatch")
    with scope(workspace=acme):
        entry = AuditEntry.objects.filter(object_type="activities.activity").latest("pk")
    assert entry.changes["outcome"] == ["connected", "voicemail"]
    assert entry.source == "api"
    trashed = alice_api.delete(url)
    assert trashed.json()["deleted_at"] is not None
    problem(alice_api.get(url), 404)
    assert alice_api.get("/api/v1/activities").json()["results"] == []
    assert alice_api.post(f"{url}/restore").json()["deleted_at"] is None


def test_a_meeting_has_attendees(acme: Any, alice: Any, bob: Any, alice_api: Any) -> None:
    contact = _contact(acme, alice)
    guest = _contact(acme, alice, "Lê")
    with scope(workspace=acme):
        guest.email = "le@example.vn"
        guest.save()
    created = alice_api.post(
        "/api/v1/activities",
        {
            "kind": "meeting",
            "contact": str(contact.pk),
            "subject": "Demo",
            "occurred_at": "2025-03-01T09:00:00Z",
            "ends_at": "2025-03-01T10:00:00Z",
            "location": "Hà Nội",
            "attendee_contacts": [str(contact.pk)],
            "attendee_users": [str(bob.pk)],
            "attendee_emails": ["le@example.vn", "someone@example.com"],
        },
    )
    assert created.status_code == 201, created.json()
    meeting = created.json()
    assert sorted(meeting["attendee_contacts"]) == sorted([str(contact.pk), str(guest.pk)])
    assert meeting["attendee_users"] == [str(bob.pk)]
    assert meeting["attendee_emails"] == ["someone@example.com"]
    url = f"/api/v1/activities/{meeting['id']}"
    moved = alice_api.patch(url, {"location": "Online"}).json()
    assert moved["location"] == "Online"
    assert moved["attendee_users"] == [str(bob.pk)]  # a PATCH keeps the attendees it omits
    bad = problem(alice_api.patch(url, {"ends_at": "2025-03-01T08:00:00Z"}), 400, "invalid")
    assert "ends_at" in bad["errors"]


def test_bad_activities_are_clear_problems(acme: Any, alice: Any, alice_api: Any) -> None:
    contact = _contact(acme, alice)
    cid = str(contact.pk)
    no_link = problem(alice_api.post("/api/v1/activities", {"kind": "call"}), 400, "invalid")
    assert "Link the activity" in no_link["detail"]
    wrong = problem(
        alice_api.post("/api/v1/activities", {"kind": "note", "contact": cid, "outcome": "busy"}),
        400,
    )
    assert "outcome" in wrong["errors"]
    kind = problem(alice_api.post("/api/v1/activities", {"kind": "fax", "contact": cid}), 400)
    assert "kind" in kind["errors"]
    typed = problem(
        alice_api.post(
            "/api/v1/activities", {"kind": "call", "contact": cid, "duration_minutes": "long"}
        ),
        400,
    )
    assert "duration_minutes" in typed["errors"]
    email = problem(
        alice_api.post(
            "/api/v1/activities", {"kind": "email", "contact": cid, "email_to": "not an address"}
        ),
        400,
    )
    assert "email_to" in email["errors"]
    unknown = problem(
        alice_api.post("/api/v1/activities", {"kind": "call", "contact": cid, "mood": "ok"}), 400
    )
    assert "mood" in unknown["errors"]
    created = alice_api.post("/api/v1/activities", {"kind": "call", "contact": cid}).json()
    locked = problem(alice_api.patch(f"/api/v1/activities/{created['id']}", {"kind": "note"}), 400)
    assert "kind" in locked["errors"]
    with scope(workspace=acme):
        assert Activity.objects.count() == 1


def test_notes_are_sanitised_like_the_app(acme: Any, alice: Any, alice_api: Any) -> None:
    contact = _contact(acme, alice)
    created = alice_api.post(
        "/api/v1/notes",
        {
            "contact": str(contact.pk),
            "subject": "Ghi chú",
            "body": '<p onclick="x()">Hi <script>alert(1)</script><b>there</b></p>',
        },
    )
    assert created.status_code == 201, created.json()
    note = created.json()
    assert note["body"] == "<p>Hi <b>there</b></p>"
    assert "kind" not in note
    plain = alice_api.patch(f"/api/v1/notes/{note['id']}", {"body": "line one\nline two"}).json()
    assert plain["body"] == "<p>line one<br>line two</p>"
    assert plain["subject"] == "Ghi chú"
    empty = problem(
        alice_api.patch(f"/api/v1/notes/{note['id']}", {"body": "<script></script>"}), 400
    )
    assert "body" in empty["errors"]
    assert [n["id"] for n in alice_api.get("/api/v1/notes").json()["results"]] == [note["id"]]
    as_activity = alice_api.get(f"/api/v1/activities/{note['id']}").json()
    assert as_activity["kind"] == "note"
    call = alice_api.post("/api/v1/activities", {"kind": "call", "contact": str(contact.pk)})
    problem(alice_api.get(f"/api/v1/notes/{call.json()['id']}"), 404, "not_found")
    assert alice_api.delete(f"/api/v1/notes/{note['id']}").json()["deleted_at"] is not None
    assert alice_api.post(f"/api/v1/notes/{note['id']}/restore").json()["deleted_at"] is None


def test_activity_filters(acme: Any, alice: Any, bob: Any, alice_api: Any) -> None:
    first, second = _contact(acme, alice), _contact(acme, alice, "Võ")
    for contact, kind, moment in (
        (first, "call", "2025-01-10T09:00:00Z"),
        (first, "note", "2025-02-10T09:00:00Z"),
        (second, "call", "2025-03-10T09:00:00Z"),
    ):
        body: dict[str, Any] = {"kind": kind, "contact": str(contact.pk), "occurred_at": moment}
        if kind == "note":
            body["body"] = "Hello"
        assert alice_api.post("/api/v1/activities", body).status_code == 201

    def kinds(query: str) -> list[str]:
        response = alice_api.get(f"/api/v1/activities?{query}")
        assert response.status_code == 200, response.json()
        return [a["kind"] for a in response.json()["results"]]

    assert kinds(f"contact={first.pk}") == ["note", "call"]
    assert kinds("kind=call") == ["call", "call"]
    assert kinds("occurred_at__gte=2025-02-01&occurred_at__lt=2025-03-01") == ["note"]
    assert kinds(f"contact__in={first.pk},{second.pk}&kind__ne=note") == ["call", "call"]
    assert kinds(f"owner={bob.pk}") == []
    assert kinds("ordering=occurred_at") == ["call", "note", "call"]
    bad = problem(alice_api.get("/api/v1/activities?kind=fax"), 400, "invalid_parameter")
    assert "kind" in bad["errors"]
    problem(alice_api.get("/api/v1/activities?occurred_at__gt=yesterday"), 400)
    problem(alice_api.get("/api/v1/activities?contact=abc"), 400, "invalid_parameter")
