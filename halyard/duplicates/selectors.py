"""Reads on duplicates: the review queue, the merge history, and what a new lead matches."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from halyard.companies.models import Company, CompanyDomain
from halyard.contacts.models import Contact, ContactEmail, ContactPhone
from halyard.core.phones import phone_normalise
from halyard.duplicates.models import (
    DuplicatePair,
    DuplicateScan,
    MergeRecord,
    PairStatus,
    RecordType,
)
from halyard.duplicates.services import MODELS
from halyard.leads.services import lead_domain
from halyard.workspaces import permissions
from halyard.workspaces.models import Membership

QUEUE_PAGE = 25
MATCHES_SHOWN = 5


def reason_text(reason: dict[str, Any]) -> str:
    """Say in words why two records look alike."""
    code = reason.get("code")
    if code == "email":
        return _("same e-mail %(value)s") % {"value": reason.get("value", "")}
    if code == "phone":
        return _("same phone %(value)s") % {"value": reason.get("value", "")}
    if code == "domain":
        return _("same domain %(value)s") % {"value": reason.get("value", "")}
    if code == "name":
        return _("similar name %(score)s%%") % {"score": reason.get("score", 0)}
    if code == "company":
        return _("same company")
    return str(code)


def _visible_pairs(membership: Membership, record_type: str, status: str) -> QuerySet:
    """Return the pairs of this status whose two records are live and visible to the member.

    Correlated EXISTS, not IN: with two IN lists SQLite probes the pair index for every
    combination of visible ids, which grows with the square of the workspace.
    """
    model = MODELS[record_type]
    visible = permissions.visible(membership, model.module, model.objects.alive())
    return DuplicatePair.objects.filter(
        Exists(visible.filter(pk=OuterRef("first_id"))),
        Exists(visible.filter(pk=OuterRef("second_id"))),
        record_type=record_type,
        status=status,
    )


@dataclass
class QueueRow:
    pair: DuplicatePair
    first: Any
    second: Any
    reasons: list[str]


def review_queue(
    *, membership: Membership, record_type: str, status: str = PairStatus.OPEN, page: int = 1
) -> tuple[list[QueueRow], bool]:
    """Return one page of pairs (highest score first) whose two records the member can see."""
    pairs = _visible_pairs(membership, record_type, status).order_by("-score", "pk")
    start = (max(page, 1) - 1) * QUEUE_PAGE
    rows = list(pairs[start : start + QUEUE_PAGE + 1])
    more = len(rows) > QUEUE_PAGE
    rows = rows[:QUEUE_PAGE]
    model = MODELS[record_type]
    related = ("company",) if record_type == RecordType.CONTACTS else ()
    wanted = {pk for p in rows for pk in (p.first_id, p.second_id)}
    records = {
        r.pk: r for r in model.objects.filter(pk__in=wanted).select_related("owner", *related)
    }
    result = [
        QueueRow(
            pair=p,
            first=records[p.first_id],
            second=records[p.second_id],
            reasons=[reason_text(r) for r in p.reasons],
        )
        for p in rows
        if p.first_id in records and p.second_id in records
    ]
    return result, more


def queue_counts(*, membership: Membership) -> dict[str, int]:
    """Return how many open pairs of each type the member can review (bounded count)."""
    counts = {}
    for record_type in RecordType.values:
        model = MODELS[record_type]
        if not permissions.can(membership, model.module, "view"):
            continue
        counts[record_type] = _visible_pairs(membership, record_type, PairStatus.OPEN)[
            :1000
        ].count()
    return counts


def last_scan() -> DuplicateScan | None:
    """Return the workspace's latest scan."""
    return DuplicateScan.objects.order_by("-created_at", "-pk").first()


def merge_history(*, membership: Membership, record_type: str | None = None) -> list[Any]:
    """Return the latest merges the member can see the survivor of."""
    merges = MergeRecord.objects.select_related("created_by", "undone_by").order_by(
        "-created_at", "-pk"
    )
    if record_type:
        merges = merges.filter(record_type=record_type)
    rows = list(merges[:50])
    for record_type_ in {m.record_type for m in rows}:
        model = MODELS[record_type_]
        visible = permissions.visible(membership, model.module, model._base_manager.all())
        found = {
            r.pk: r
            for r in visible.filter(
                workspace_id=membership.workspace_id,
                pk__in=[m.survivor_id for m in rows if m.record_type == record_type_],
            )
        }
        for m in rows:
            if m.record_type == record_type_:
                m.survivor = found.get(m.survivor_id)  # type: ignore[attr-defined]
    return [m for m in rows if getattr(m, "survivor", None) is not None]


def merge_for_member(membership: Membership, pk: int) -> MergeRecord | None:
    """Return a merge of the member's workspace whose survivor they may see."""
    merge = MergeRecord.objects.select_related("created_by", "undone_by").filter(pk=pk).first()
    if merge is None:
        return None
    model = MODELS[merge.record_type]
    survivor = (
        permissions.visible(membership, model.module, model._base_manager.all())
        .filter(workspace_id=membership.workspace_id, pk=merge.survivor_id)
        .first()
    )
    if survivor is None:
        return None
    merge.survivor = survivor  # type: ignore[attr-defined]
    merge.losers = list(  # type: ignore[attr-defined]
        model._base_manager.filter(workspace_id=membership.workspace_id, pk__in=merge.loser_ids)
    )
    return merge


class LeadMatches(list):
    """Existing contacts and companies a lead's details point at (a list of both, for forms)."""

    def __init__(self, contacts: list[Contact], companies: list[Company]) -> None:
        super().__init__([*contacts, *companies])
        self.contacts = contacts
        self.companies = companies


def lead_matches(
    *,
    membership: Membership | None,
    email: str = "",
    phone: str = "",
    domain: str = "",
    company_name: str = "",
    country: str = "",
) -> LeadMatches:
    """Return the live contacts (e-mail, phone) and companies (domain, name) a lead matches."""
    email = (email or "").strip().lower()
    phone = (phone or "").strip()
    if phone:
        try:
            phone = phone_normalise(phone, country)
        except ValidationError:
            phone = ""
    contact_ids: set[int] = set()
    if email:
        contact_ids |= set(
            ContactEmail.objects.filter(email=email).values_list("contact_id", flat=True)
        )
        contact_ids |= set(Contact.objects.filter(email__iexact=email).values_list("pk", flat=True))
    if phone:
        contact_ids |= set(
            ContactPhone.objects.filter(number=phone).values_list("contact_id", flat=True)
        )
        contact_ids |= set(Contact.objects.filter(phone=phone).values_list("pk", flat=True))
    contacts: QuerySet = Contact.objects.alive().filter(pk__in=contact_ids)
    company_q = Q()
    domain = (domain or "").strip().lower()
    if domain:
        company_q |= Q(domain=domain) | Q(
            pk__in=CompanyDomain.objects.filter(domain=domain).values("company_id")
        )
    if company_name.strip():
        company_q |= Q(name__iexact=company_name.strip())
    companies: QuerySet = (
        Company.objects.alive().filter(company_q) if company_q else Company.objects.none()
    )
    if membership is not None:
        contacts = permissions.visible(membership, "contacts", contacts)
        companies = permissions.visible(membership, "companies", companies)
    return LeadMatches(
        contacts=list(contacts.select_related("company").order_by("pk")[:MATCHES_SHOWN]),
        companies=list(companies.order_by("pk")[:MATCHES_SHOWN]),
    )


def matches_for_lead(*, membership: Membership | None, lead: Any, country: str = "") -> LeadMatches:
    """Return what an existing or typed-in lead matches among contacts and companies."""
    return lead_matches(
        membership=membership,
        email=lead.email,
        phone=lead.phone,
        domain=lead_domain(lead),
        company_name=lead.company_name,
        country=country,
    )
