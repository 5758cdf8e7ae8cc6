"""Writes on contacts (permissions, audit and events are applied by the record services).

A contact's e-mails and phones are child rows; the primary of each is copied to
`Contact.email` / `Contact.phone`, all in the same transaction as the contact itself.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from halyard.audit.services import record_apply, record_insert, record_restore, record_trash
from halyard.companies.models import Company
from halyard.contacts.models import Contact, ContactEmail, ContactPhone, PastCompany, PhoneKind
from halyard.core.context import Actor
from halyard.core.phones import phone_normalise

CONSENTS = ("do_not_email", "do_not_call")


def _rows(raw: list[Any], key: str) -> list[dict[str, Any]]:
    """Accept plain strings or dicts for child rows; drop empty ones."""
    rows = [dict(r) if isinstance(r, dict) else {key: r} for r in raw]
    return [r for r in rows if str(r.get(key) or "").strip()]


def _primary_first(rows: list[dict[str, Any]], field: str, message: str) -> list[dict[str, Any]]:
    """Refuse two primaries; make the first row primary when none is; put the primary first."""
    primaries = [r for r in rows if r.get("is_primary")]
    if len(primaries) > 1:
        raise ValidationError({field: message}, code="duplicate_primary")
    if rows and not primaries:
        rows[0]["is_primary"] = True
    return sorted(rows, key=lambda r: not r.get("is_primary"))


def emails_clean(raw: list[Any]) -> list[dict[str, Any]]:
    """Return valid, lower-cased, distinct e-mail rows with exactly one primary, primary first."""
    rows = _rows(raw, "email")
    seen: set[str] = set()
    for row in rows:
        email = str(row["email"]).strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError(
                {"emails": _("“%(value)s” is not a valid e-mail address.") % {"value": email}},
                code="email_invalid",
            ) from None
        if email in seen:
            raise ValidationError(
                {"emails": _("%(value)s is listed twice.") % {"value": email}}, code="email_twice"
            )
        seen.add(email)
        row["email"] = email
    return _primary_first(rows, "emails", _("Only one e-mail address can be primary."))


def phones_clean(raw: list[Any], country: str) -> list[dict[str, Any]]:
    """Return phone rows normalised to E.164 with a kind and exactly one primary, primary first."""
    rows = _rows(raw, "number")
    seen: set[str] = set()
    for row in rows:
        try:
            number = phone_normalise(str(row["number"]), country)
        except ValidationError as exc:
            raise ValidationError({"phones": exc.messages}, code="phone_invalid") from None
        if number in seen:
            raise ValidationError(
                {"phones": _("%(value)s is listed twice.") % {"value": number}}, code="phone_twice"
            )
        seen.add(number)
        row["number"] = number
        if row.get("kind") not in PhoneKind.values:
            row["kind"] = PhoneKind.MOBILE
    return _primary_first(rows, "phones", _("Only one phone number can be primary."))


def _current_rows(contact: Contact | None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return the contact's stored e-mail and phone rows (or its legacy single columns)."""
    if contact is None or contact.pk is None:
        return [], []
    emails = [
        {"email": e.email, "is_primary": e.is_primary}
        for e in ContactEmail._base_manager.filter(contact_id=contact.pk).order_by("position")
    ]
    phones = [
        {"number": p.number, "kind": p.kind, "is_primary": p.is_primary}
        for p in ContactPhone._base_manager.filter(contact_id=contact.pk).order_by("position")
    ]
    if not emails and contact.email:
        emails = [{"email": contact.email, "is_primary": True}]
    if not phones and contact.phone:
        phones = [{"number": contact.phone, "kind": PhoneKind.MOBILE, "is_primary": True}]
    return emails, phones


def _replace_primary(rows: list[dict[str, Any]], key: str, value: str) -> list[dict[str, Any]]:
    """Put `value` in place of the primary row (dropping it when `value` is empty)."""
    others = [r for r in rows if not r.get("is_primary") and r.get(key) != value]
    return ([{key: value, "is_primary": True}] if value else []) + others


def _prepare(
    actor: Actor, values: dict[str, Any], contact: Contact | None
) -> tuple[dict[str, Any], list[dict[str, Any]] | None, list[dict[str, Any]] | None]:
    """Validate the values; return them with the primary columns set, and the child rows."""
    values = dict(values)
    emails_raw = values.pop("emails", None)
    phones_raw = values.pop("phones", None)
    old_emails, old_phones = _current_rows(contact)
    if emails_raw is None and "email" in values:
        emails_raw = _replace_primary(old_emails, "email", (values["email"] or "").strip())
    if phones_raw is None and "phone" in values:
        phones_raw = _replace_primary(old_phones, "number", (values["phone"] or "").strip())
    emails = emails_clean(emails_raw) if emails_raw is not None else None
    phones = (
        phones_clean(phones_raw, actor.workspace.default_country)
        if phones_raw is not None
        else None
    )
    if emails is not None:
        values["email"] = emails[0]["email"] if emails else ""
    if phones is not None:
        values["phone"] = phones[0]["number"] if phones else ""
    company = values.get("company")
    if company is None and values.get("company_id"):
        company = Company._base_manager.filter(pk=values.pop("company_id")).first()
        values["company"] = company
    if company is not None and (
        company.workspace_id != actor.workspace.pk or company.deleted_at is not None
    ):
        raise ValidationError(
            {"company": _("Choose a company of this workspace.")}, code="company_invalid"
        )
    now = timezone.now()
    for consent in CONSENTS:
        if consent not in values:
            continue
        was = bool(contact and getattr(contact, consent))
        if values[consent] and not was:
            values[f"{consent}_at"] = now
        elif not values[consent]:
            values[f"{consent}_at"] = None
            values[f"{consent}_source"] = ""
    return values, emails, phones


def _writer(
    emails: list[dict[str, Any]] | None,
    phones: list[dict[str, Any]] | None,
    past_company: Company | None = None,
    past_title: str = "",
) -> Any:
    """Return the function that rewrites a contact's child rows inside the record transaction."""

    def write(contact: Contact) -> None:
        if emails is not None:
            ContactEmail._base_manager.filter(contact_id=contact.pk).delete()
            ContactEmail._base_manager.bulk_create(
                ContactEmail(
                    workspace_id=contact.workspace_id,
                    contact=contact,
                    email=row["email"],
                    is_primary=bool(row.get("is_primary")),
                    position=i,
                )
                for i, row in enumerate(emails)
            )
        if phones is not None:
            ContactPhone._base_manager.filter(contact_id=contact.pk).delete()
            ContactPhone._base_manager.bulk_create(
                ContactPhone(
                    workspace_id=contact.workspace_id,
                    contact=contact,
                    number=row["number"],
                    kind=row.get("kind") or PhoneKind.MOBILE,
                    is_primary=bool(row.get("is_primary")),
                    position=i,
                )
                for i, row in enumerate(phones)
            )
        if past_company is not None:
            today = timezone.localdate()
            PastCompany._base_manager.create(
                workspace_id=contact.workspace_id,
                contact=contact,
                company=past_company,
                company_name=past_company.name,
                title=past_title,
                started_on=contact.company_since or contact.created_at.date(),
                ended_on=today,
            )

    return write


def contact_create(*, actor: Actor, values: dict[str, Any]) -> Contact:
    """Create a contact with its e-mails and phones."""
    values, emails, phones = _prepare(actor, values, None)
    tags = values.pop("tags", None)
    contact = Contact(**values)
    if contact.company_id and not contact.company_since:
        contact.company_since = timezone.localdate()
    return record_insert(actor=actor, record=contact, tags=tags, related=_writer(emails, phones))


def contact_update(
    *, actor: Actor, contact: Contact, expected_version: int, values: dict[str, Any]
) -> Contact:
    """Change a contact and its e-mails and phones, refusing an edit on an older version.

    When the company changes, the previous one is kept as a past company.
    """
    values, emails, phones = _prepare(actor, values, contact)
    past: Company | None = None
    if "company" in values:
        new_id = values["company"].pk if values["company"] is not None else None
        if new_id != contact.company_id:
            past = contact.company
            values["company_since"] = timezone.localdate() if new_id else None
    return record_apply(
        actor=actor,
        record=contact,
        expected_version=expected_version,
        values=values,
        related=_writer(emails, phones, past, contact.title),
    )


def contact_trash(
    *, actor: Actor, contact: Contact, expected_version: int | None = None
) -> Contact:
    """Move a contact to the trash."""
    return record_trash(actor=actor, record=contact, expected_version=expected_version)


def contact_restore(*, actor: Actor, contact: Contact) -> Contact:
    """Bring a contact back from the trash."""
    return record_restore(actor=actor, record=contact)
