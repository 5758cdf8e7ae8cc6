"""Reads of saved views: the ones a member may open."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from halyard.savedviews.models import SavedView
from halyard.workspaces.models import Membership


def saved_views_for(*, member: Membership, record_type: str) -> QuerySet[SavedView]:
    """Return the member's own views of a record type and those shared with everyone."""
    return SavedView.objects.filter(record_type=record_type).filter(
        Q(owner_id=member.user_id) | Q(shared=True)
    )
