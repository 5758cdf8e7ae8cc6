"""Logging calls and notes, and the timeline that shows them with the record's changes."""

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope

from conftest import actor_for, client_for
from halyard.activities.models import Activity
from halyard.activities.services import activity_log
from halyard.companies.services import company_create
from halyard.contacts.services import contact_create, contact_update


@pytest.fixture
def lan(acme, alice):
    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        company = company_create(actor=actor, values={"name": "Sao Mai"})
        return contact_create(actor=actor, values={"last_name": "Lan", "company": company})


def test_a_call_logged_on_a_contact_shows_on_its_and_its_companys_timeline(acme, alice, lan):
    client = client_for(alice)
    response = client.post(
        f"/w/acme/contacts/{lan.pk}/log/",
        {
            "kind": "call",
            "subject": "Hỏi giá kho lạnh",
            "body": "Gọi lại thứ Hai",
            "occurred_at": "2026-11-20T09:30",
            "direction": "outbound",
            "duration_minutes": "12",
            "outcome": "connected",
            "also_company": "on",
        },
    )
    assert response.status_code == 302
    page = client.get(f"/w/acme/contacts/{lan.pk}/").content.decode()
    timeline = page.split('id="timeline-h"')[1]
    assert "Call: Hỏi giá kho lạnh" in timeline and "Connected" in timeline
    # The timeline is in the order things happened: the call (logged as three days ago) comes
    # below the record's creation today.
    assert timeline.index("Created") < timeline.index("Hỏi giá kho lạnh")
    company_page = client.get(f"/w/acme/companies/{lan.company_id}/").content.decode()
    assert "Hỏi giá kho lạnh" in company_page


def test_notes_keep_their_formatting_but_never_a_script(acme, alice, lan):
    client = client_for(alice)
    client.post(
        f"/w/acme/contacts/{lan.pk}/log/",
        {
            "kind": "note",
            "body": "<script>alert('x')</script><b>bold</b>",
        },
    )
    page = client.get(f"/w/acme/contacts/{lan.pk}/").content.decode()
    assert "alert('x')" not in page and "<b>bold</b>" in page


def test_bad_input_keeps_what_was_typed_and_saves_nothing(acme, alice, lan):
    client = client_for(alice)
    response = client.post(
        f"/w/acme/contacts/{lan.pk}/log/",
        {
            "kind": "call",
            "subject": "Báo giá",
            "duration_minutes": "-3",
            "occurred_at": "not a date",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="Báo giá"' in page and "Enter a valid date/time." in page
    assert "Ensure this value is greater than or equal to 0." in page
    empty_note = client.post(f"/w/acme/contacts/{lan.pk}/log/", {"kind": "note", "body": " "})
    assert "Write the note." in empty_note.content.decode()
    with scope(workspace=acme):
        assert not Activity.objects.exists()


def test_an_activity_must_concern_a_record_of_the_workspace(acme, alice, other, charlie):
    with scope(workspace=other):
        foreign = contact_create(actor=actor_for(other, charlie), values={"last_name": "X"})
    with scope(workspace=acme), pytest.raises(ValidationError):
        activity_log(actor=actor_for(acme, alice), values={"kind": "note", "body": "x"})
    with scope(workspace=acme), pytest.raises(ValidationError):
        activity_log(
            actor=actor_for(acme, alice), values={"kind": "note", "body": "x", "contact": foreign}
        )
    assert (
        client_for(charlie)
        .post(f"/w/other/contacts/{foreign.pk}/log/", {"kind": "note", "body": "ok"})
        .status_code
        == 302
    )
    assert (
        client_for(alice)
        .post(f"/w/acme/contacts/{foreign.pk}/log/", {"kind": "note", "body": "x"})
        .status_code
        == 404
    )


def test_a_read_only_member_cannot_log(acme, alice, bob, lan):
    from halyard.workspaces.models import Membership, Role

    with scope(workspace=acme):
        Membership.objects.filter(user=bob).update(role=Role.objects.get(key="read_only"))
    response = client_for(bob).post(
        f"/w/acme/contacts/{lan.pk}/log/", {"kind": "note", "body": "hi"}
    )
    assert response.status_code == 403


def test_the_timeline_query_count_does_not_grow(acme, alice, lan):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(alice)
    url = f"/w/acme/contacts/{lan.pk}/"
    client.get(url)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        return len(ctx.captured_queries)

    with scope(workspace=acme):
        activity_log(
            actor=actor_for(acme, alice), values={"kind": "note", "body": "1", "contact": lan}
        )
    few = count()
    with scope(workspace=acme):
        for i in range(10):
            activity_log(
                actor=actor_for(acme, alice),
                values={"kind": "note", "body": str(i), "contact": lan},
            )
        contact_update(
            actor=actor_for(acme, alice), contact=lan, expected_version=1, values={"title": "CFO"}
        )
    assert count() == few


def test_a_call_logged_now_sorts_after_the_records_creation(acme, alice, lan):
    from halyard.activities.forms import ActivityForm

    form = ActivityForm()
    initial = form["occurred_at"].value().strftime("%Y-%m-%dT%H:%M")
    client = client_for(alice)
    client.post(
        f"/w/acme/contacts/{lan.pk}/log/",
        {"kind": "call", "subject": "Vừa gọi", "occurred_at": initial},
    )
    timeline = (
        client.get(f"/w/acme/contacts/{lan.pk}/").content.decode().split('id="timeline-h"')[1]
    )
    assert timeline.index("Vừa gọi") < timeline.index("Created")
