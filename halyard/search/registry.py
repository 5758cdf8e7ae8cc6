"""The record types the search covers, in the order results are grouped."""

from __future__ import annotations

from typing import Any

from halyard.companies.models import Company
from halyard.contacts.models import Contact
from halyard.deals.models import Deal
from halyard.leads.models import Lead

# record type -> (model, relations a result line shows)
SEARCHABLE: dict[str, tuple[Any, tuple[str, ...]]] = {
    "contacts": (Contact, ("company",)),
    "companies": (Company, ()),
    "leads": (Lead, ()),
    "deals": (Deal, ("stage",)),
}
