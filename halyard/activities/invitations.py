"""Meeting invitations as iCalendar files (RFC 5545), built with the icalendar library."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC

from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from halyard.activities.models import Activity
from halyard.activities.richtext import plain_text


def meeting_uid(activity: Activity) -> str:
    """Return the invitation's UID: the same for every download of the same meeting."""
    return f"halyard-activity-{activity.pk}@{activity.workspace.slug}.halyard"


def _address(email: str, name: str = "", role: str = "") -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["cn"] = vText(name)
    if role:
        address.params["role"] = vText(role)
    return address


def _calendar(method: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//Halyard CRM//Meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    return calendar


def _meeting_event(activity: Activity) -> Event:
    event = Event()
    event.add("uid", meeting_uid(activity))
    event.add("dtstamp", (activity.updated_at or timezone.now()).astimezone(UTC))
    event.add("dtstart", activity.occurred_at.astimezone(UTC))
    end = activity.ends_at or activity.occurred_at
    event.add("dtend", end.astimezone(UTC))
    event.add("summary", activity.subject or str(activity.get_kind_display()))
    if activity.location:
        event.add("location", activity.location)
    if activity.body:
        event.add("description", plain_text(activity.body))
    event.add("sequence", activity.version)
    owner = activity.owner
    if owner is not None:
        event.add("organizer", _address(owner.email, owner.display_name))
    seen: set[str] = set()
    attendees: list[tuple[str, str]] = [
        (c.email, c.full_name) for c in activity.attendee_contacts.all() if c.email
    ]
    attendees += [(u.email, u.display_name) for u in activity.attendee_users.all()]
    attendees += [(e, "") for e in activity.attendee_emails or []]
    for email, name in attendees:
        if email.lower() in seen:
            continue
        seen.add(email.lower())
        event.add("attendee", _address(email, name, "REQ-PARTICIPANT"))
    return event


def meeting_ics(activity: Activity) -> bytes:
    """Return an .ics invitation for a meeting, its times in UTC."""
    calendar = _calendar("PUBLISH")
    calendar.add_component(_meeting_event(activity))
    return calendar.to_ical()


def meetings_ics(activities: Iterable[Activity], name: str) -> bytes:
    """Return several meetings as one calendar (e.g. a record's, or a member's own)."""
    calendar = _calendar("PUBLISH")
    calendar.add("x-wr-calname", name)
    for activity in activities:
        calendar.add_component(_meeting_event(activity))
    return calendar.to_ical()


def meeting_filename(activity: Activity) -> str:
    """Return a file name for the invitation: the subject, any script, without path characters."""
    return meeting_filename_for(activity.subject or "")


def meeting_filename_for(title: str) -> str:
    """Return an .ics file name made of a title, any script, without path characters."""
    stem = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', " ", title).strip(" .")
    stem = re.sub(r"\s+", " ", stem)[:80] or "meeting"
    return f"{stem}.ics"
