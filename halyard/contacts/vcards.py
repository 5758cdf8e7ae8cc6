"""Contacts as vCards (RFC 2426, version 3.0, which address books read most widely)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import vobject
from django.db import models
from django.db.models import Prefetch
from django_scopes import scope

from halyard.contacts.models import Contact, ContactEmail, ContactPhone, PhoneKind
from halyard.core.context import Actor
from halyard.core.export import audit_export, keyset_chunks
from halyard.core.listing import Sort

PHONE_TYPES: dict[str, list[str]] = {
    PhoneKind.MOBILE: ["CELL", "VOICE"],
    PhoneKind.WORK: ["WORK", "VOICE"],
    PhoneKind.HOME: ["HOME", "VOICE"],
    PhoneKind.OTHER: ["VOICE"],
}


def contact_vcard(contact: Contact) -> str:
    """Return one contact as a vCard: names, organisation, e-mails, phones, address, tags."""
    card = vobject.vCard()
    card.add("uid").value = f"halyard-contact-{contact.pk}@{contact.workspace.slug}.halyard"
    card.add("n").value = vobject.vcard.Name(
        family=contact.last_name,
        given=contact.first_name,
        additional=contact.middle_name,
        prefix=contact.prefix,
    )
    card.add("fn").value = contact.full_name or contact.last_name
    if contact.company is not None or contact.department:
        org = [contact.company.name if contact.company is not None else ""]
        if contact.department:
            org.append(contact.department)
        card.add("org").value = org
    if contact.title:
        card.add("title").value = contact.title
    emails = [e.email for e in contact.emails.all()] or ([contact.email] if contact.email else [])
    for position, email in enumerate(emails):
        line = card.add("email")
        line.value = email
        line.type_param = ["INTERNET", "PREF"] if position == 0 else ["INTERNET"]
    phones: list[tuple[str, str]] = [(p.number, p.kind) for p in contact.phones.all()]
    if not phones and contact.phone:
        phones = [(contact.phone, PhoneKind.OTHER)]
    for position, (number, kind) in enumerate(phones):
        line = card.add("tel")
        line.value = number
        line.type_param = PHONE_TYPES.get(kind, ["VOICE"]) + (["PREF"] if position == 0 else [])
    if any((contact.street, contact.city, contact.region, contact.postal_code, contact.country)):
        card.add("adr").value = vobject.vcard.Address(
            street=contact.street,
            city=contact.city,
            region=contact.region,
            code=contact.postal_code,
            country=contact.country,
        )
    if contact.birthday is not None:
        card.add("bday").value = contact.birthday.isoformat()
    for _label, value in contact.social_profiles():
        if value.startswith(("http://", "https://")):
            card.add("url").value = value
    tags = [t.name for t in contact.tags.all()]
    if tags:
        card.add("categories").value = tags
    card.add("rev").value = contact.updated_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    return str(card.serialize())


def contacts_vcards(
    *, actor: Actor, queryset: models.QuerySet, sort: Sort, filters: dict[str, Any]
) -> Iterator[str]:
    """Yield every contact of the list as vCards, a keyset page at a time, then audit it."""
    with scope(workspace=actor.workspace):
        queryset = queryset.select_related("company", "workspace").prefetch_related(
            Prefetch("emails", queryset=ContactEmail.objects.order_by("position", "pk")),
            Prefetch("phones", queryset=ContactPhone.objects.order_by("position", "pk")),
            "tags",
        )
    count = 0
    try:
        for contacts in keyset_chunks(actor=actor, queryset=queryset, sort=sort):
            with scope(workspace=actor.workspace):
                cards = [contact_vcard(c) for c in contacts]
            count += len(cards)
            yield "".join(cards)
    finally:
        audit_export(
            actor=actor, record_type="contacts", rows=count, columns=[], filters=filters, fmt="vcf"
        )
