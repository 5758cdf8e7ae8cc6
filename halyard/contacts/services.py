"""Writes on contacts (permissions, audit and events are applied by the record services)."""

from __future__ import annotations

from typing import Any

from halyard.audit.services import record_apply, record_insert, record_restore, record_trash
from halyard.contacts.models import Contact
from halyard.core.context import Actor


def _normalise(values: dict[str, Any]) -> dict[str, Any]:
    values = dict(values)
    if values.get("email"):
        values["email"] = values["email"].strip().lower()
    return values


def contact_create(*, actor: Actor, values: dict[str, Any]) -> Contact:
    """Create a contact."""
    values = _normalise(values)
    tags = values.pop("tags", None)
    return record_insert(actor=actor, record=Contact(**values), tags=tags)


def contact_update(
    *, actor: Actor, contact: Contact, expected_version: int, values: dict[str, Any]
) -> Contact:
    """Change a contact's fields, refusing an edit made against an older version."""
    return record_apply(
        actor=actor, record=contact, expected_version=expected_version, values=_normalise(values)
    )


def contact_trash(
    *, actor: Actor, contact: Contact, expected_version: int | None = None
) -> Contact:
    """Move a contact to the trash."""
    return record_trash(actor=actor, record=contact, expected_version=expected_version)


def contact_restore(*, actor: Actor, contact: Contact) -> Contact:
    """Bring a contact back from the trash."""
    return record_restore(actor=actor, record=contact)
