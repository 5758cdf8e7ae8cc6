"""Writes on companies (permissions, audit and events are applied by the record services)."""

from __future__ import annotations

from typing import Any

from halyard.audit.services import record_apply, record_insert, record_restore, record_trash
from halyard.companies.models import Company
from halyard.core.context import Actor


def _normalise(values: dict[str, Any]) -> dict[str, Any]:
    values = dict(values)
    if values.get("domain"):
        domain = values["domain"].strip().lower()
        domain = domain.removeprefix("https://").removeprefix("http://").removeprefix("www.")
        values["domain"] = domain.split("/")[0]
    return values


def company_create(*, actor: Actor, values: dict[str, Any]) -> Company:
    """Create a company."""
    values = _normalise(values)
    tags = values.pop("tags", None)
    return record_insert(actor=actor, record=Company(**values), tags=tags)


def company_update(
    *, actor: Actor, company: Company, expected_version: int, values: dict[str, Any]
) -> Company:
    """Change a company's fields, refusing an edit made against an older version."""
    return record_apply(
        actor=actor, record=company, expected_version=expected_version, values=_normalise(values)
    )


def company_trash(
    *, actor: Actor, company: Company, expected_version: int | None = None
) -> Company:
    """Move a company to the trash."""
    return record_trash(actor=actor, record=company, expected_version=expected_version)


def company_restore(*, actor: Actor, company: Company) -> Company:
    """Bring a company back from the trash."""
    return record_restore(actor=actor, record=company)
