"""The events a webhook can receive: one list, with the labels the settings page shows."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

RECORD_TYPES = {
    "contact": _("Contacts"),
    "company": _("Companies"),
    "lead": _("Leads"),
    "deal": _("Deals"),
    "activity": _("Activities"),
    "task": _("Tasks"),
}

# (name, label), grouped by record type in this order; the API's enum and the form's checkboxes.
EVENTS: list[tuple[str, Any]] = [
    ("contact.created", _("Contact created")),
    ("contact.updated", _("Contact changed")),
    ("contact.trashed", _("Contact moved to the trash")),
    ("contact.restored", _("Contact restored")),
    ("contact.merged", _("Contacts merged")),
    ("contact.unmerged", _("Contacts merge undone")),
    ("company.created", _("Company created")),
    ("company.updated", _("Company changed")),
    ("company.trashed", _("Company moved to the trash")),
    ("company.restored", _("Company restored")),
    ("company.merged", _("Companies merged")),
    ("company.unmerged", _("Companies merge undone")),
    ("lead.created", _("Lead created")),
    ("lead.updated", _("Lead changed")),
    ("lead.trashed", _("Lead moved to the trash")),
    ("lead.restored", _("Lead restored")),
    ("lead.merged", _("Leads merged")),
    ("lead.unmerged", _("Leads merge undone")),
    ("lead.converted", _("Lead converted")),
    ("deal.created", _("Deal created")),
    ("deal.updated", _("Deal changed")),
    ("deal.trashed", _("Deal moved to the trash")),
    ("deal.restored", _("Deal restored")),
    ("deal.stage_changed", _("Deal moved to another stage")),
    ("deal.won", _("Deal won")),
    ("deal.lost", _("Deal lost")),
    ("deal.contact_added", _("Contact put on a deal")),
    ("deal.contact_removed", _("Contact taken off a deal")),
    ("activity.created", _("Activity logged")),
    ("activity.updated", _("Activity changed")),
    ("activity.trashed", _("Activity moved to the trash")),
    ("activity.restored", _("Activity restored")),
    ("task.created", _("Task created")),
    ("task.updated", _("Task changed")),
    ("task.trashed", _("Task moved to the trash")),
    ("task.restored", _("Task restored")),
    ("task.completed", _("Task completed")),
]
EVENT_NAMES = frozenset(name for name, _label in EVENTS)
PING = "ping"  # the "Send test" event; never emitted by a record


def event_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """Return the events grouped by record type, for the settings form."""
    return [
        (str(label), [(n, str(lbl)) for n, lbl in EVENTS if n.split(".")[0] == key])
        for key, label in RECORD_TYPES.items()
    ]
