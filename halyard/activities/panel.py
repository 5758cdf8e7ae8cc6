"""The timeline panel that contact, company and deal pages show."""

from __future__ import annotations

from typing import Any

from halyard.activities import selectors
from halyard.activities.forms import ActivityForm


def timeline_context(record: Any, link: str) -> dict[str, Any]:
    """Return what a record page needs for its timeline and its log form."""
    return {"timeline": selectors.timeline(record, link), "activity_form": ActivityForm()}
