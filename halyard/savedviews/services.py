"""Writes on saved views: only their creator or an administrator may change them."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from halyard.core.context import Actor
from halyard.savedviews.models import SavedView
from halyard.workspaces import permissions


def can_change(actor: Actor, view: SavedView) -> bool:
    """Say whether the actor may update, rename or delete a saved view."""
    return view.owner_id == getattr(actor.user, "pk", None) or permissions.is_admin(
        actor.membership
    )


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the view a name.")})
    if len(name) > 80:
        raise ValidationError({"name": _("Keep the name to 80 characters or fewer.")})
    return name


def saved_view_create(
    *,
    actor: Actor,
    record_type: str,
    module: str,
    name: str,
    shared: bool,
    filters: dict[str, Any],
    columns: list[str],
    sort: str,
) -> SavedView:
    """Save the list a member is looking at under a name."""
    permissions.require(actor.membership, module, "view")
    if actor.user is None:
        raise PermissionDenied(_("Your role does not allow this."))
    return SavedView.objects.create(
        workspace=actor.workspace,
        record_type=record_type,
        name=_clean_name(name),
        owner=actor.user,
        shared=shared,
        filters=filters,
        columns=columns,
        sort=sort,
    )


def saved_view_update(
    *,
    actor: Actor,
    view: SavedView,
    name: str | None = None,
    shared: bool | None = None,
    state: tuple[dict[str, Any], list[str], str] | None = None,
) -> SavedView:
    """Rename a view, share or unshare it, or replace its filters, columns and sort."""
    if not can_change(actor, view):
        raise PermissionDenied(_("Only the person who saved this view or an admin can change it."))
    with transaction.atomic():
        if name is not None:
            view.name = _clean_name(name)
        if shared is not None:
            view.shared = shared
        if state is not None:
            view.filters, view.columns, view.sort = state
        view.updated_at = timezone.now()
        view.save()
    return view


def saved_view_delete(*, actor: Actor, view: SavedView) -> None:
    """Delete a saved view (the records it lists are not touched)."""
    if not can_change(actor, view):
        raise PermissionDenied(_("Only the person who saved this view or an admin can change it."))
    view.delete()
