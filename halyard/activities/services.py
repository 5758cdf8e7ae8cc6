"""Writes on activities."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from halyard.activities.models import Activity, ActivityKind
from halyard.audit.services import record_insert
from halyard.core.context import Actor


def activity_log(*, actor: Actor, values: dict[str, Any]) -> Activity:
    """Log a call or a note against one or more records of the workspace."""
    values = dict(values)
    if not any(values.get(name) for name in ("contact", "company", "deal", "lead")):
        raise ValidationError(_("Link the activity to a contact, a company, a deal or a lead."))
    for name in ("contact", "company", "deal", "lead"):
        record = values.get(name)
        if record is not None and record.workspace_id != actor.workspace.pk:
            raise ValidationError({name: _("Choose a record of this workspace.")})
    if values.get("kind") == ActivityKind.NOTE:
        if not (values.get("body") or "").strip():
            raise ValidationError({"body": _("Write the note.")})
        for name in ("direction", "duration_minutes", "outcome"):
            values.pop(name, None)
    # A call on a contact of a company shows on the company's timeline too.
    contact = values.get("contact")
    if contact is not None and values.get("company") is None and contact.company_id:
        values["company"] = contact.company
    return record_insert(actor=actor, record=Activity(**values))
