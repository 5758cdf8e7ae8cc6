"""Writes on leads, and converting a qualified lead into a contact, a company and a deal."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from halyard.activities.models import Activity
from halyard.audit.models import AuditAction
from halyard.audit.services import (
    audit_write,
    field_changes,
    record_apply,
    record_event,
    record_insert,
    record_restore,
    record_trash,
)
from halyard.companies.models import Company
from halyard.companies.services import company_create
from halyard.contacts.models import Contact
from halyard.contacts.services import contact_create
from halyard.core.context import Actor
from halyard.deals.models import ContactRole, Deal, Stage
from halyard.deals.services import deal_contact_add, deal_create
from halyard.leads.models import Lead, LeadStatus
from halyard.tasks.models import Task
from halyard.workspaces import permissions


def _normalise(values: dict[str, Any]) -> dict[str, Any]:
    values = dict(values)
    for name in ("first_name", "last_name", "company_name", "title", "phone", "website"):
        if isinstance(values.get(name), str):
            values[name] = values[name].strip()
    if values.get("email"):
        values["email"] = values["email"].strip().lower()
    return values


def _check_name(lead: Lead) -> None:
    if not (lead.first_name or lead.last_name or lead.company_name):
        raise ValidationError(
            {"last_name": _("Give the person's name or the company name (or both).")}
        )


def lead_create(*, actor: Actor, values: dict[str, Any]) -> Lead:
    """Create a lead."""
    values = _normalise(values)
    tags = values.pop("tags", None)
    lead = Lead(**values)
    _check_name(lead)
    return record_insert(actor=actor, record=lead, tags=tags)


def lead_update(*, actor: Actor, lead: Lead, expected_version: int, values: dict[str, Any]) -> Lead:
    """Change a lead's fields, refusing an edit made against an older version."""
    values = _normalise(values)
    merged = Lead(**{k: values.get(k, getattr(lead, k)) for k in ("first_name", "last_name")})
    merged.company_name = values.get("company_name", lead.company_name)
    _check_name(merged)
    return record_apply(actor=actor, record=lead, expected_version=expected_version, values=values)


def lead_trash(*, actor: Actor, lead: Lead, expected_version: int | None = None) -> Lead:
    """Move a lead to the trash."""
    return record_trash(actor=actor, record=lead, expected_version=expected_version)


def lead_restore(*, actor: Actor, lead: Lead) -> Lead:
    """Bring a lead back from the trash."""
    return record_restore(actor=actor, record=lead)


def lead_domain(lead: Lead) -> str:
    """Return the organisation's web domain from the website or a non-webmail e-mail."""
    if lead.website:
        domain = lead.website.strip().lower().removeprefix("https://").removeprefix("http://")
        return domain.removeprefix("www.").split("/")[0]
    if "@" in lead.email:
        domain = lead.email.rsplit("@", 1)[1].lower()
        if domain not in WEBMAIL:
            return domain
    return ""


# Domains of personal mailboxes: an address there says nothing about the employer.
WEBMAIL = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "yahoo.com.vn",
        "hotmail.com",
        "outlook.com",
        "live.com",
        "icloud.com",
        "me.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "qq.com",
        "163.com",
        "126.com",
        "sina.com",
        "yandex.com",
        "mail.ru",
        "zoho.com",
    }
)


@dataclass
class ConversionMatch:
    """The existing records a lead's conversion would attach to instead of creating new ones."""

    company: Company | None
    contact: Contact | None


def lead_conversion_match(lead: Lead) -> ConversionMatch:
    """Find the company (by domain, then exact name) and contact (by e-mail) the lead matches."""
    company = None
    domain = lead_domain(lead)
    companies = Company.objects.alive()
    if domain:
        company = companies.filter(domain=domain).order_by("pk").first()
    if company is None and lead.company_name:
        company = companies.filter(name__iexact=lead.company_name).order_by("pk").first()
    contact = None
    if lead.email:
        contact = Contact.objects.alive().filter(email=lead.email).order_by("pk").first()
    return ConversionMatch(company=company, contact=contact)


@dataclass
class Conversion:
    contact: Contact
    company: Company | None
    deal: Deal | None


def lead_convert(
    *,
    actor: Actor,
    lead: Lead,
    company_choice: str = "match",
    existing_company: Company | None = None,
    existing_contact: Contact | None = None,
    deal_name: str = "",
    deal_amount: Decimal | None = None,
    deal_stage: Stage | None = None,
    deal_role: str = ContactRole.OTHER,
) -> Conversion:
    """Turn a lead into a contact (and a company, and a deal when named), in one transaction.

    `company_choice` is "existing" (attach to `existing_company`), "new" (create one from the
    lead's organisation) or "none". The lead's activities and tasks stay on the lead and are
    linked to the new contact, company and deal too, so every timeline shows them.
    """
    if actor.membership is not None:
        permissions.require_touch(actor.membership, "leads", "edit", lead)
    if lead.is_converted:
        raise ValidationError(_("This lead has already been converted."))
    if company_choice == "existing" and existing_company is None:
        raise ValidationError({"company": _("Choose the company to attach the contact to.")})
    if company_choice == "new" and not lead.company_name:
        raise ValidationError({"company": _("This lead has no company name to create from.")})
    if deal_name and deal_stage is None:
        raise ValidationError({"deal_stage": _("Choose the stage of the new deal.")})
    with transaction.atomic():
        current = Lead._base_manager.select_for_update().get(pk=lead.pk)
        if current.converted_at is not None or current.deleted_at is not None:
            raise ValidationError(_("This lead has already been converted."))
        company: Company | None = None
        if company_choice == "existing":
            company = existing_company
        elif company_choice == "new":
            company = company_create(
                actor=actor,
                values={
                    "name": lead.company_name,
                    "domain": lead_domain(lead),
                    "owner": lead.owner,
                },
            )
        contact = existing_contact
        if contact is None:
            contact = contact_create(
                actor=actor,
                values={
                    "first_name": lead.first_name,
                    "last_name": lead.last_name or lead.company_name,
                    "email": lead.email,
                    "phone": lead.phone,
                    "title": lead.title,
                    "company": company,
                    "owner": lead.owner,
                    "custom": _shared_custom(lead, "contacts"),
                    "tags": list(lead.tags.all()),
                },
            )
        deal = None
        if deal_name:
            deal = deal_create(
                actor=actor,
                values={
                    "name": deal_name,
                    "company": company,
                    "stage": deal_stage,
                    "amount": deal_amount,
                    "currency": actor.workspace.default_currency,
                    "owner": lead.owner,
                },
            )
        if deal is not None:
            deal_contact_add(actor=actor, deal=deal, contact=contact, role=deal_role)
        links: dict[str, Any] = {"contact": contact}
        if company is not None:
            links["company"] = company
        if deal is not None:
            links["deal"] = deal
        # Keep the lead's history on the new records: its activities and tasks now belong to
        # them as well (the lead keeps its link, so its own timeline stays whole).
        for model in (Activity, Task):
            for name, target in links.items():
                model.objects.filter(lead=current, **{f"{name}__isnull": True}).update(
                    **{name: target}
                )
        before = current.audit_snapshot()
        current.status = LeadStatus.QUALIFIED
        current.converted_at = timezone.now()
        current.converted_contact = contact
        current.converted_company = company
        current.converted_deal = deal
        current.version += 1
        current.updated_at = timezone.now()
        current.save()
        audit_write(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=current,
            changes=field_changes(before, current.audit_snapshot()),
        )
        record_event(
            actor=actor,
            name="lead.converted",
            record=current,
            contact=str(contact.pk),
            company=str(company.pk) if company else None,
            deal=str(deal.pk) if deal else None,
        )
    return Conversion(contact=contact, company=company, deal=deal)


def _shared_custom(lead: Lead, record_type: str) -> dict[str, Any]:
    """Carry over the lead's custom values whose key also exists on the target record type."""
    from halyard.customfields.models import CustomField

    keys = set(CustomField.objects.filter(record_type=record_type).values_list("key", flat=True))
    return {k: v for k, v in (lead.custom or {}).items() if k in keys}
