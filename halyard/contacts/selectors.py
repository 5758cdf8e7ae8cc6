"""Reads on contacts: duplicates and the pieces of a contact's page."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from halyard.contacts.models import Contact, ContactEmail, ContactPhone
from halyard.workspaces import permissions

DUPLICATES_SHOWN = 10


def duplicates_for_contact(
    *,
    emails: Iterable[str] = (),
    phones: Iterable[str] = (),
    exclude_pk: int | None = None,
    membership: Any = None,
) -> list[Contact]:
    """Return live contacts of the active workspace sharing an e-mail or an E.164 phone."""
    wanted_emails = {e.strip().lower() for e in emails if e and e.strip()}
    wanted_phones = {p.strip() for p in phones if p and p.strip()}
    ids: set[int] = set()
    if wanted_emails:
        ids |= set(
            ContactEmail.objects.filter(email__in=wanted_emails).values_list(
                "contact_id", flat=True
            )
        )
        ids |= set(Contact.objects.filter(email__in=wanted_emails).values_list("id", flat=True))
    if wanted_phones:
        ids |= set(
            ContactPhone.objects.filter(number__in=wanted_phones).values_list(
                "contact_id", flat=True
            )
        )
        ids |= set(Contact.objects.filter(phone__in=wanted_phones).values_list("id", flat=True))
    if exclude_pk is not None:
        ids.discard(exclude_pk)
    if not ids:
        return []
    found = Contact.objects.alive().filter(pk__in=ids).select_related("company")
    if membership is not None:
        found = permissions.visible(membership, "contacts", found)
    return list(found.order_by("last_name", "id")[:DUPLICATES_SHOWN])


def contact_page(contact: Contact) -> dict[str, Any]:
    """Return the e-mails, phones and past companies shown on a contact's page."""
    emails = list(ContactEmail.objects.filter(contact=contact))
    phones = list(ContactPhone.objects.filter(contact=contact))
    if not emails and contact.email:
        emails = [ContactEmail(email=contact.email, is_primary=True)]
    if not phones and contact.phone:
        phones = [ContactPhone(number=contact.phone, is_primary=True)]
    return {
        "emails": emails,
        "phones": phones,
        "past_companies": list(contact.past_companies.select_related("company")),
    }
