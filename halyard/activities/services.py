"""Writes on activities: log, edit, trash and restore calls, meetings, e-mails and notes."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from halyard.activities.models import Activity, ActivityKind
from halyard.activities.richtext import sanitize_html
from halyard.audit.services import record_apply, record_insert, record_restore, record_trash
from halyard.contacts.models import Contact
from halyard.core.context import Actor
from halyard.workspaces.models import Membership

LINKS = ("contact", "company", "deal", "lead")
# Fields that only mean something for one kind of activity; cleared on the others.
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    ActivityKind.CALL: ("direction", "duration_minutes", "outcome"),
    ActivityKind.MEETING: ("ends_at", "location", "attendee_emails"),
    ActivityKind.EMAIL: ("direction", "email_from", "email_to"),
    ActivityKind.NOTE: (),
}
EMPTY: dict[str, Any] = {
    "direction": "",
    "duration_minutes": None,
    "outcome": "",
    "ends_at": None,
    "location": "",
    "attendee_emails": [],
    "email_from": "",
    "email_to": "",
}
_SEPARATORS = re.compile(r"[,;\s]+")


def parse_addresses(text: str | list[str] | None, field: str) -> list[str]:
    """Split a list of e-mail addresses; raise a field error naming each invalid one."""
    parts = [p.strip() for p in text] if isinstance(text, list) else _SEPARATORS.split(text or "")
    addresses: list[str] = []
    bad: list[str] = []
    for part in (p for p in parts if p):
        try:
            validate_email(part)
        except ValidationError:
            bad.append(part)
        else:
            if part.lower() not in (a.lower() for a in addresses):
                addresses.append(part)
    if bad:
        raise ValidationError(
            {field: _("Not a valid e-mail address: %(list)s") % {"list": ", ".join(bad)}}
        )
    return addresses


def _clean(
    *, actor: Actor, kind: str, values: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Validate an activity's values; return (fields, many-to-many attendees)."""
    if kind not in ActivityKind.values:
        raise ValidationError({"kind": _("Choose what to log.")})
    values = {**values, "kind": kind}
    m2m: dict[str, Any] = {}
    for name, value in EMPTY.items():
        if name not in KIND_FIELDS[kind]:
            values[name] = value
    contacts = values.pop("attendee_contacts", None)
    user_ids = values.pop("attendee_users", None)
    if kind == ActivityKind.NOTE:
        values["body"] = sanitize_html(values.get("body") or "")
        if not values["body"]:
            raise ValidationError({"body": _("Write the note.")})
    else:
        values["body"] = (values.get("body") or "").strip()
    if kind == ActivityKind.CALL:
        duration = values.get("duration_minutes")
        if duration is not None and duration < 0:
            raise ValidationError({"duration_minutes": _("A call cannot last less than nothing.")})
    if kind == ActivityKind.EMAIL:
        values["email_from"] = ", ".join(parse_addresses(values.get("email_from"), "email_from"))
        values["email_to"] = ", ".join(parse_addresses(values.get("email_to"), "email_to"))
        if not (values["email_from"] or values["email_to"]):
            raise ValidationError({"email_to": _("Give the sender or the recipients.")})
    if kind == ActivityKind.MEETING:
        start, end = values.get("occurred_at"), values.get("ends_at")
        if end is None:
            raise ValidationError({"ends_at": _("Say when the meeting ends.")})
        if start is not None and end <= start:
            raise ValidationError({"ends_at": _("The meeting must end after it starts.")})
        emails = parse_addresses(values.get("attendee_emails"), "attendee_emails")
        contacts = list(contacts or [])
        if any(c.workspace_id != actor.workspace.pk for c in contacts):
            raise ValidationError({"attendee_contacts": _("Choose contacts of this workspace.")})
        if emails:
            # An address that belongs to a contact makes that contact an attendee.
            query = Q()
            for address in emails:
                query |= Q(email__iexact=address)
            known = list(Contact.objects.alive().filter(query))
            contacts += [c for c in known if c not in contacts]
            known_emails = {c.email.lower() for c in known}
            emails = [a for a in emails if a.lower() not in known_emails]
        values["attendee_emails"] = emails
        user_ids = list(user_ids or [])
        members = set(
            Membership.objects.filter(
                workspace=actor.workspace, user_id__in=user_ids, is_active=True
            ).values_list("user_id", flat=True)
        )
        if set(user_ids) - members:
            raise ValidationError({"attendee_users": _("Choose members of this workspace.")})
        m2m = {"attendee_contacts": contacts, "attendee_users": sorted(members)}
    return values, m2m


def activity_log(*, actor: Actor, values: dict[str, Any]) -> Activity:
    """Log a call, meeting, e-mail or note against one or more records of the workspace."""
    values = dict(values)
    if not any(values.get(name) for name in LINKS):
        raise ValidationError(_("Link the activity to a contact, a company, a deal or a lead."))
    for name in LINKS:
        record = values.get(name)
        if record is not None and record.workspace_id != actor.workspace.pk:
            raise ValidationError({name: _("Choose a record of this workspace.")})
    values, m2m = _clean(actor=actor, kind=values.get("kind", ""), values=values)
    with transaction.atomic():
        activity = record_insert(actor=actor, record=Activity(**values))
        for name, items in m2m.items():
            getattr(activity, name).set(items)
    return activity


def activity_update(
    *, actor: Actor, activity: Activity, expected_version: int, values: dict[str, Any]
) -> Activity:
    """Change what an activity says; the records it is linked to stay as they are."""
    values = {k: v for k, v in values.items() if k not in (*LINKS, "kind")}
    values, m2m = _clean(actor=actor, kind=activity.kind, values=values)
    with transaction.atomic():
        activity = record_apply(
            actor=actor, record=activity, expected_version=expected_version, values=values
        )
        for name, items in m2m.items():
            getattr(activity, name).set(items)
    return activity


def activity_trash(
    *, actor: Actor, activity: Activity, expected_version: int | None = None
) -> Activity:
    """Move an activity to the trash."""
    return record_trash(actor=actor, record=activity, expected_version=expected_version)


def activity_restore(*, actor: Actor, activity: Activity) -> Activity:
    """Bring an activity back from the trash."""
    return record_restore(actor=actor, record=activity)
