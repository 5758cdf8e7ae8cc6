"""Writes on companies (permissions, audit and events are applied by the record services).

A company's domains are child rows; the primary one is copied to `Company.domain`.
"""

from __future__ import annotations

import contextlib
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from halyard.audit.services import record_apply, record_insert, record_restore, record_trash
from halyard.companies.models import Company, CompanyDomain
from halyard.contacts.models import Contact, PastCompany
from halyard.core.context import Actor
from halyard.core.phones import phone_normalise
from halyard.deals.models import Deal

DOMAIN_RE = re.compile(
    r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{1,62}$"
)
# How far up a parent chain is followed when looking for a cycle; deeper trees are refused.
MAX_DEPTH = 50


class RelatedChoice:
    """What happens to a company's contacts and deals when it goes to the trash."""

    KEEP = "keep"  # they stay, unlinked from the company
    TRASH = "trash"  # they go to the trash with it


def domain_normalise(raw: str) -> str:
    """Return a bare lower-case domain (no scheme, www, path or port), or refuse the text."""
    text = (raw or "").strip().lower()
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text)
    text = text.split("/")[0].split("?")[0].split("#")[0].split("@")[-1].split(":")[0]
    text = text.removeprefix("www.").rstrip(".")
    with contextlib.suppress(UnicodeError):
        text = text.encode("idna").decode("ascii")
    if not DOMAIN_RE.match(text):
        raise ValidationError(
            {
                "domains": _("“%(value)s” is not a domain name such as example.com.")
                % {"value": raw}
            },
            code="domain_invalid",
        )
    return text


def domains_clean(raw: list[Any]) -> list[dict[str, Any]]:
    """Return normalised, distinct domain rows with exactly one primary, primary first."""
    rows = [dict(r) if isinstance(r, dict) else {"domain": r} for r in raw]
    rows = [r for r in rows if str(r.get("domain") or "").strip()]
    seen: set[str] = set()
    for row in rows:
        row["domain"] = domain_normalise(str(row["domain"]))
        if row["domain"] in seen:
            raise ValidationError(
                {"domains": _("%(value)s is listed twice.") % {"value": row["domain"]}},
                code="domain_twice",
            )
        seen.add(row["domain"])
    primaries = [r for r in rows if r.get("is_primary")]
    if len(primaries) > 1:
        raise ValidationError(
            {"domains": _("Only one domain can be primary.")}, code="duplicate_primary"
        )
    if rows and not primaries:
        rows[0]["is_primary"] = True
    return sorted(rows, key=lambda r: not r.get("is_primary"))


def _check_parent(actor: Actor, company: Company | None, parent: Company | None) -> None:
    """Refuse a parent of another workspace, in the trash, or that would make a cycle."""
    if parent is None:
        return
    if parent.workspace_id != actor.workspace.pk or parent.deleted_at is not None:
        raise ValidationError(
            {"parent": _("Choose a company of this workspace.")}, code="parent_invalid"
        )
    if company is None or company.pk is None:
        return
    node: Company | None = parent
    for _depth in range(MAX_DEPTH):
        if node is None:
            return
        if node.pk == company.pk:
            raise ValidationError(
                {
                    "parent": _(
                        "%(parent)s cannot be the parent of %(company)s: it is %(company)s itself "
                        "or one of its subsidiaries."
                    )
                    % {"parent": parent.name, "company": company.name}
                },
                code="parent_cycle",
            )
        node = Company._base_manager.filter(pk=node.parent_id).first() if node.parent_id else None
    raise ValidationError({"parent": _("The company tree is too deep.")}, code="parent_too_deep")


def _prepare(
    actor: Actor, values: dict[str, Any], company: Company | None
) -> tuple[dict[str, Any], list[dict[str, Any]] | None]:
    """Validate the values; return them with the primary domain set, and the domain rows."""
    values = dict(values)
    raw = values.pop("domains", None)
    if raw is None and "domain" in values:
        old = (
            [
                {"domain": d.domain, "is_primary": d.is_primary}
                for d in CompanyDomain._base_manager.filter(company_id=company.pk)
            ]
            if company is not None and company.pk
            else []
        )
        value = (values["domain"] or "").strip()
        new = domain_normalise(value) if value else ""
        others = [r for r in old if not r["is_primary"] and r["domain"] != new]
        raw = ([{"domain": new, "is_primary": True}] if new else []) + others
    domains = domains_clean(raw) if raw is not None else None
    if domains is not None:
        values["domain"] = domains[0]["domain"] if domains else ""
    if values.get("phone"):
        try:
            values["phone"] = phone_normalise(values["phone"], actor.workspace.default_country)
        except ValidationError as exc:
            raise ValidationError({"phone": exc.messages}, code="phone_invalid") from None
    if "parent" in values:
        _check_parent(actor, company, values["parent"])
    if values.get("annual_revenue") is not None and not values.get("revenue_currency"):
        values["revenue_currency"] = actor.workspace.default_currency
    return values, domains


def _writer(domains: list[dict[str, Any]] | None) -> Any:
    """Return the function that rewrites a company's domain rows inside the record transaction."""

    def write(company: Company) -> None:
        if domains is None:
            return
        CompanyDomain._base_manager.filter(company_id=company.pk).delete()
        CompanyDomain._base_manager.bulk_create(
            CompanyDomain(
                workspace_id=company.workspace_id,
                company=company,
                domain=row["domain"],
                is_primary=bool(row.get("is_primary")),
                position=i,
            )
            for i, row in enumerate(domains)
        )

    return write


def company_create(*, actor: Actor, values: dict[str, Any]) -> Company:
    """Create a company with its domains."""
    values, domains = _prepare(actor, values, None)
    tags = values.pop("tags", None)
    return record_insert(actor=actor, record=Company(**values), tags=tags, related=_writer(domains))


def company_update(
    *, actor: Actor, company: Company, expected_version: int, values: dict[str, Any]
) -> Company:
    """Change a company and its domains, refusing an edit made against an older version."""
    values, domains = _prepare(actor, values, company)
    return record_apply(
        actor=actor,
        record=company,
        expected_version=expected_version,
        values=values,
        related=_writer(domains),
    )


def _keep_as_past_company(contact: Contact, company: Company) -> None:
    """Remember on the contact's page that they were at this company until today."""
    PastCompany._base_manager.create(
        workspace_id=contact.workspace_id,
        contact=contact,
        company=company,
        company_name=company.name,
        title=contact.title,
        started_on=contact.company_since or contact.created_at.date(),
        ended_on=timezone.localdate(),
    )


def company_trash(
    *,
    actor: Actor,
    company: Company,
    expected_version: int | None = None,
    related: str = RelatedChoice.KEEP,
) -> Company:
    """Move a company to the trash; its contacts and deals are unlinked, or trashed with it."""
    if related not in (RelatedChoice.KEEP, RelatedChoice.TRASH):
        raise ValidationError({"related": _("Choose what happens to the contacts and deals.")})
    touched: dict[str, list[int]] = {"contacts": [], "deals": []}
    with transaction.atomic():
        for key, model in (("contacts", Contact), ("deals", Deal)):
            rows = model._base_manager.filter(
                workspace_id=company.workspace_id, company_id=company.pk, deleted_at__isnull=True
            ).order_by("pk")
            for row in rows:
                if related == RelatedChoice.TRASH:
                    record_trash(actor=actor, record=row)
                else:
                    record_apply(
                        actor=actor,
                        record=row,
                        expected_version=row.version,
                        values={"company": None},
                    )
                    if isinstance(row, Contact):
                        _keep_as_past_company(row, company)
                touched[key].append(row.pk)
        verb = "trashed" if related == RelatedChoice.TRASH else "unlinked"
        changes = {f"{verb}_{key}": [ids, None] for key, ids in touched.items() if ids}
        trashed = record_trash(
            actor=actor, record=company, expected_version=expected_version, changes=changes
        )
        trashed.trash_links = {"related": related, **touched}
        Company._base_manager.filter(pk=trashed.pk).update(trash_links=trashed.trash_links)
    return trashed


def company_restore(*, actor: Actor, company: Company) -> Company:
    """Bring a company back from the trash, with the contacts and deals that left with it.

    Unlinked ones are linked again unless they have moved to another company since; trashed
    ones come back from the trash unless someone restored or deleted them on their own.
    """
    links = dict(company.trash_links or {})
    trashed_on = timezone.localdate(company.deleted_at) if company.deleted_at else None
    with transaction.atomic():
        restored = record_restore(actor=actor, record=company)
        for key, model in (("contacts", Contact), ("deals", Deal)):
            ids = [i for i in links.get(key, []) if isinstance(i, int)]
            rows = model._base_manager.filter(workspace_id=company.workspace_id, pk__in=ids)
            for row in rows.order_by("pk"):
                if links.get("related") == RelatedChoice.TRASH:
                    if row.deleted_at is not None and row.company_id == company.pk:
                        record_restore(actor=actor, record=row)
                elif row.deleted_at is None and row.company_id is None:
                    record_apply(
                        actor=actor,
                        record=row,
                        expected_version=row.version,
                        values={"company": restored},
                    )
                    if isinstance(row, Contact) and trashed_on is not None:
                        # They never really left: drop the past company the trash wrote.
                        PastCompany._base_manager.filter(
                            contact=row, company=restored, ended_on__gte=trashed_on
                        ).delete()
        if links:
            restored.trash_links = {}
            Company._base_manager.filter(pk=restored.pk).update(trash_links={})
    return restored
