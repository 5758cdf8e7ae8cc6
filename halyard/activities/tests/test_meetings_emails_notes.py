"""Meetings (with their .ics invitation), hand-logged e-mails and sanitised rich-text notes."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_scopes import scope
from icalendar import Calendar

from conftest import actor_for, client_for
from halyard.activities.models import Activity, ActivityKind
from halyard.activities.richtext import sanitize_html
from halyard.activities.services import activity_log
from halyard.companies.services import company_create
from halyard.contacts.services import contact_create


@pytest.fixture
def lan(acme, alice):
    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        company = company_create(actor=actor, values={"name": "Sao Mai"})
        return contact_create(
            actor=actor,
            values={
                "first_name": "Lan",
                "last_name": "Trần",
                "email": "lan@saomai.vn",
                "company": company,
            },
        )


def _count(acme):
    with scope(workspace=acme):
        return Activity.objects.count()


def _meeting(acme, user, contact, **values):
    start = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    with scope(workspace=acme):
        return activity_log(
            actor=actor_for(acme, user),
            values={
                "kind": ActivityKind.MEETING,
                "subject": "Họp báo giá kho lạnh",
                "occurred_at": start,
                "ends_at": start + timedelta(hours=1),
                "location": "Văn phòng Sao Mai, Q.1",
                "body": "Agenda: giá & tiến độ",
                "contact": contact,
                **values,
            },
        )


def test_a_meeting_must_end_after_it_starts(acme, alice, lan):
    start = timezone.now()
    with pytest.raises(ValidationError) as raised:
        _meeting(acme, alice, lan, occurred_at=start, ends_at=start - timedelta(minutes=5))
    assert "ends_at" in raised.value.error_dict
    response = client_for(alice).post(
        f"/w/acme/contacts/{lan.pk}/log/",
        {
            "kind": "meeting",
            "subject": "Họp",
            "occurred_at": "2026-12-01T10:00",
            "ends_at": "2026-12-01T09:00",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "The meeting must end after it starts." in page and 'value="Họp"' in page
    assert _count(acme) == 0


def test_meeting_attendees_are_contacts_members_and_addresses(acme, alice, bob, lan):
    response = client_for(alice).post(
        f"/w/acme/contacts/{lan.pk}/log/",
        {
            "kind": "meeting",
            "subject": "Demo",
            "occurred_at": "2026-12-01T10:00",
            "ends_at": "2026-12-01T11:00",
            "attendee_users": [str(bob.pk)],
            # Lan's address makes her an attendee as a contact, not as a bare address.
            "attendee_emails": "minh@example.vn; LAN@saomai.vn, minh@example.vn",
        },
    )
    assert response.status_code == 302
    with scope(workspace=acme):
        meeting = Activity.objects.get()
        assert list(meeting.attendee_contacts.all()) == [lan]
        assert list(meeting.attendee_users.all()) == [bob]
        assert meeting.attendee_emails == ["minh@example.vn"]


def test_an_invalid_attendee_address_is_named_at_the_field(acme, alice, lan):
    response = client_for(alice).post(
        f"/w/acme/contacts/{lan.pk}/log/",
        {
            "kind": "meeting",
            "occurred_at": "2026-12-01T10:00",
            "ends_at": "2026-12-01T11:00",
            "attendee_emails": "ok@example.com, not-an-address",
        },
    )
    assert response.status_code == 400
    assert "Not a valid e-mail address: not-an-address" in response.content.decode()
    assert _count(acme) == 0


def test_a_member_of_another_workspace_cannot_be_an_attendee(acme, alice, charlie, lan):
    with pytest.raises(ValidationError) as raised:
        _meeting(acme, alice, lan, attendee_users=[charlie.pk])
    assert "attendee_users" in raised.value.error_dict
    response = client_for(alice).post(
        f"/w/acme/contacts/{lan.pk}/log/",
        {
            "kind": "meeting",
            "occurred_at": "2026-12-01T10:00",
            "ends_at": "2026-12-01T11:00",
            "attendee_users": [str(charlie.pk)],
        },
    )
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    assert _count(acme) == 0


def test_the_invitation_is_a_valid_ics_with_a_stable_uid(acme, alice, bob, lan):
    meeting = _meeting(
        acme,
        alice,
        lan,
        attendee_contacts=[lan],
        attendee_users=[bob.pk],
        attendee_emails=["an@x.vn"],
    )
    client = client_for(alice)
    url = f"/w/acme/activities/{meeting.pk}/invite.ics"
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    # The subject is Vietnamese: the file name travels RFC 5987-encoded, never raw.
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=utf-8''H%E1%BB%8Dp")
    assert disposition.endswith(".ics")
    event = Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "Họp báo giá kho lạnh"
    assert str(event["LOCATION"]) == "Văn phòng Sao Mai, Q.1"
    assert str(event["DESCRIPTION"]) == "Agenda: giá & tiến độ"
    assert event["DTSTART"].dt == datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    assert event["DTEND"].dt == datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
    assert "DTSTART:20261201T020000Z" in response.content.decode()
    assert str(event["ORGANIZER"]) == "mailto:alice@example.com"
    attendees = sorted(str(a) for a in event["ATTENDEE"])
    assert attendees == ["mailto:an@x.vn", "mailto:bob@example.com", "mailto:lan@saomai.vn"]
    uid = str(event["UID"])
    with scope(workspace=acme):
        from halyard.activities.services import activity_update

        activity_update(
            actor=actor_for(acme, alice),
            activity=meeting,
            expected_version=meeting.version,
            values={
                "subject": "Dời lịch",
                "occurred_at": meeting.occurred_at,
                "ends_at": meeting.ends_at + timedelta(hours=1),
            },
        )
    again = Calendar.from_ical(client.get(url).content).walk("VEVENT")[0]
    assert str(again["UID"]) == uid and str(again["SUMMARY"]) == "Dời lịch"


def test_only_members_who_may_see_the_meeting_get_its_invitation(acme, alice, bob, charlie, lan):
    meeting = _meeting(acme, alice, lan)
    url = f"/w/acme/activities/{meeting.pk}/invite.ics"
    assert client_for(charlie).get(url).status_code == 404
    assert client_for(bob).get(url).status_code == 404  # a rep sees his own activities only
    with scope(workspace=acme):
        call = activity_log(
            actor=actor_for(acme, alice), values={"kind": "call", "contact": lan, "subject": "x"}
        )
    assert client_for(alice).get(f"/w/acme/activities/{call.pk}/invite.ics").status_code == 404


def test_an_email_is_logged_with_its_direction_and_addresses(acme, alice, lan):
    client = client_for(alice)
    response = client.post(
        f"/w/acme/contacts/{lan.pk}/log/",
        {
            "kind": "email",
            "direction": "inbound",
            "email_from": "lan@saomai.vn",
            "email_to": "alice@example.com, sales@example.com",
            "subject": "Re: báo giá",
            "occurred_at": "2026-11-20T08:15",
            "body": "Chị gửi lại bảng giá nhé.",
        },
    )
    assert response.status_code == 302
    with scope(workspace=acme):
        email = Activity.objects.get()
    assert email.kind == "email" and email.direction == "inbound"
    assert email.email_to == "alice@example.com, sales@example.com"
    page = client.get(f"/w/acme/contacts/{lan.pk}/").content.decode()
    assert "E-mail: Re: báo giá" in page and "Received" in page


def test_an_email_with_a_bad_address_is_refused_at_the_field(acme, alice, lan):
    response = client_for(alice).post(
        f"/w/acme/contacts/{lan.pk}/log/",
        {"kind": "email", "direction": "outbound", "email_to": "lan@", "subject": "x"},
    )
    assert response.status_code == 400
    assert "Not a valid e-mail address: lan@" in response.content.decode()
    assert _count(acme) == 0


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        '<a href="javascript:alert(1)">click</a>',
        '<a href=" JaVaScRiPt:alert(1)">click</a>',
        '<iframe src="https://evil.example"></iframe>',
        "<style>body{display:none}</style>",
        '<p onclick="alert(1)" style="color:red">x</p>',
        "<svg><script>alert(1)</script></svg>",
    ],
)
def test_hostile_markup_never_survives_in_a_note(acme, alice, lan, hostile):
    client = client_for(alice)
    client.post(f"/w/acme/contacts/{lan.pk}/log/", {"kind": "note", "body": f"Ghi chú {hostile}"})
    with scope(workspace=acme):
        stored = Activity.objects.get().body
    page = client.get(f"/w/acme/contacts/{lan.pk}/").content.decode()
    timeline = page.split('id="timeline-h"')[1]
    for text in (stored, timeline):
        lowered = text.lower()
        assert "<script" not in lowered and "onerror" not in lowered and "onclick" not in lowered
        assert "javascript:" not in lowered and "<iframe" not in lowered
        assert "<style" not in lowered and "alert(1)" not in lowered
    assert "Ghi chú" in timeline


def test_a_note_keeps_its_formatting_and_links_are_safe(acme, alice, lan):
    html = (
        "<h3>Kết quả</h3><p><b>Đồng ý</b> và <i>chờ</i></p><ul><li>một</li></ul>"
        '<blockquote>trích</blockquote><a href="https://saomai.vn">web</a>'
    )
    assert sanitize_html(html) == (
        "<h3>Kết quả</h3><p><b>Đồng ý</b> và <i>chờ</i></p><ul><li>một</li></ul>"
        '<blockquote>trích</blockquote><a href="https://saomai.vn" rel="noopener noreferrer '
        'nofollow">web</a>'
    )
    # Plain text typed without the editor keeps its line breaks, and its "<" stays text.
    assert sanitize_html("a < b\nc") == "<p>a &lt; b<br>c</p>"


def test_a_call_cannot_last_a_negative_time(acme, alice, lan):
    with pytest.raises(ValidationError) as raised, scope(workspace=acme):
        activity_log(
            actor=actor_for(acme, alice),
            values={"kind": "call", "contact": lan, "duration_minutes": -5},
        )
    assert "duration_minutes" in raised.value.error_dict
    response = client_for(alice).post(
        f"/w/acme/contacts/{lan.pk}/log/", {"kind": "call", "duration_minutes": "-5"}
    )
    assert response.status_code == 400
    assert "Ensure this value is greater than or equal to 0." in response.content.decode()
    assert _count(acme) == 0


def test_a_records_meetings_download_as_one_calendar_and_only_visible_ones(acme, alice, bob, lan):
    first = _meeting(acme, alice, lan)
    second = _meeting(acme, alice, lan, subject="Ký hợp đồng")
    with scope(workspace=acme):
        activity_log(
            actor=actor_for(acme, alice), values={"kind": "call", "contact": lan, "subject": "x"}
        )
    page = client_for(alice).get(f"/w/acme/contacts/{lan.pk}/")
    link = f"/w/acme/contacts/{lan.pk}/meetings.ics"
    assert link in page.content.decode()
    response = client_for(alice).get(link)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert response["Content-Disposition"].endswith(".ics")
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["X-WR-CALNAME"]) == "Meetings: Lan Trần"
    uids = sorted(str(e["UID"]) for e in calendar.walk("VEVENT"))
    assert uids == sorted(f"halyard-activity-{m.pk}@acme.halyard" for m in (first, second))
    # Bob (a rep) sees only his own activities: the contact is not his, so no page at all.
    assert client_for(bob).get(link).status_code == 404
    assert client_for(alice).get("/w/acme/nothing/1/meetings.ics").status_code == 404


def test_a_record_without_meetings_shows_no_calendar_link(acme, alice, lan):
    page = client_for(alice).get(f"/w/acme/contacts/{lan.pk}/")
    assert "meetings.ics" not in page.content.decode()


def test_my_meetings_hold_what_i_organise_or_attend_from_30_days_ago(acme, alice, bob, lan):
    soon = timezone.now() + timedelta(days=2)
    mine = _meeting(acme, alice, lan, occurred_at=soon, ends_at=soon + timedelta(hours=1))
    invited = _meeting(
        acme,
        bob,
        lan,
        occurred_at=soon,
        ends_at=soon + timedelta(hours=1),
        attendee_users=[alice.pk],
        subject="Bob's",
    )
    old = timezone.now() - timedelta(days=40)
    _meeting(acme, alice, lan, occurred_at=old, ends_at=old + timedelta(hours=1))
    _meeting(acme, bob, lan, occurred_at=soon, ends_at=soon + timedelta(hours=1))  # not hers
    assert (
        "/w/acme/my-work/meetings.ics" in client_for(alice).get("/w/acme/my-work/").content.decode()
    )
    response = client_for(alice).get("/w/acme/my-work/meetings.ics")
    assert response.status_code == 200
    uids = {str(e["UID"]) for e in Calendar.from_ical(response.content).walk("VEVENT")}
    assert uids == {f"halyard-activity-{m.pk}@acme.halyard" for m in (mine, invited)}
