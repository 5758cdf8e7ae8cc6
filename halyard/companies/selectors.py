"""Reads on companies: duplicates, the picker, the subsidiary tree and a company's page."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q

from halyard.companies.models import Company, CompanyDomain
from halyard.contacts.models import Contact, PastCompany
from halyard.deals.models import Deal
from halyard.workspaces import permissions

DUPLICATES_SHOWN = 10
PICKER_SHOWN = 10
# Levels of subsidiaries walked for the tree and "include subsidiaries".
TREE_DEPTH = 6
RELATED_SHOWN = 50


def duplicates_for_company(
    *, domains: Iterable[str] = (), exclude_pk: int | None = None, membership: Any = None
) -> list[Company]:
    """Return live companies of the active workspace that already have one of these domains."""
    wanted = {d.strip().lower() for d in domains if d and d.strip()}
    if not wanted:
        return []
    ids = set(
        CompanyDomain.objects.filter(domain__in=wanted).values_list("company_id", flat=True)
    ) | set(Company.objects.filter(domain__in=wanted).values_list("id", flat=True))
    if exclude_pk is not None:
        ids.discard(exclude_pk)
    if not ids:
        return []
    found = Company.objects.alive().filter(pk__in=ids)
    if membership is not None:
        found = permissions.visible(membership, "companies", found)
    return list(found.order_by("name", "id")[:DUPLICATES_SHOWN])


def company_picker(*, membership: Any, term: str) -> list[Company]:
    """Return the first companies the member can see whose name or domain matches `term`."""
    companies = permissions.visible(membership, "companies", Company.objects.alive())
    term = term.strip()
    if term:
        companies = companies.filter(Q(name__icontains=term) | Q(domain__istartswith=term.lower()))
    return list(companies.only("id", "name", "domain").order_by("name", "id")[:PICKER_SHOWN])


def subsidiary_tree(company: Company) -> list[tuple[Company, int]]:
    """Return the live subsidiaries under a company, depth-first, with their depth (1 = child)."""
    children: dict[int, list[Company]] = {}
    level = [company.pk]
    for _depth in range(TREE_DEPTH):
        rows = list(
            Company.objects.alive()
            .filter(parent_id__in=level)
            .only("id", "name", "parent_id")
            .order_by("name", "id")
        )
        if not rows:
            break
        for row in rows:
            children.setdefault(row.parent_id, []).append(row)
        level = [row.pk for row in rows]
    tree: list[tuple[Company, int]] = []

    def walk(pk: int, depth: int) -> None:
        for child in children.get(pk, []):
            tree.append((child, depth))
            walk(child.pk, depth + 1)

    walk(company.pk, 1)
    return tree


def company_page(
    company: Company, *, membership: Any, include_subsidiaries: bool = False
) -> dict[str, Any]:
    """Return the parent chain, subsidiary tree, contacts and deals for a company's page."""
    tree = subsidiary_tree(company)
    ids = [company.pk, *(c.pk for c, _depth in tree)] if include_subsidiaries else [company.pk]
    contacts = permissions.visible(
        membership, "contacts", Contact.objects.alive().filter(company_id__in=ids)
    ).select_related("company")
    deals = permissions.visible(
        membership, "deals", Deal.objects.alive().filter(company_id__in=ids)
    ).select_related("company", "stage")
    parents: list[Company] = []
    node = company.parent if company.parent_id else None
    while node is not None and len(parents) < TREE_DEPTH and node.pk != company.pk:
        parents.insert(0, node)
        node = node.parent if node.parent_id else None
    return {
        "domains": list(CompanyDomain.objects.filter(company=company))
        or ([CompanyDomain(domain=company.domain, is_primary=True)] if company.domain else []),
        "parents": parents,
        "subsidiaries": tree,
        "include_subsidiaries": include_subsidiaries,
        "company_contacts": list(contacts.order_by("last_name", "id")[:RELATED_SHOWN]),
        "company_deals": list(deals.order_by("-id")[:RELATED_SHOWN]),
        "former_contacts": list(
            PastCompany.objects.filter(company=company, contact__deleted_at__isnull=True)
            .select_related("contact")
            .order_by("-ended_on", "-id")[:RELATED_SHOWN]
        ),
    }


def related_counts(company: Company) -> dict[str, int]:
    """Count the live contacts and deals linked to a company (for the delete question)."""
    return {
        "contacts": Contact.objects.alive().filter(company=company).count(),
        "deals": Deal.objects.alive().filter(company=company).count(),
    }
