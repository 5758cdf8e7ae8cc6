"""Reads on API keys."""

from __future__ import annotations

from django.db.models import QuerySet

from halyard.api.models import ApiKey
from halyard.api.services import KEY_PREFIX, key_hash
from halyard.workspaces import permissions
from halyard.workspaces.models import Membership


def apikey_for_secret(secret: str) -> ApiKey | None:
    """Return the key a bearer secret names, whatever its state (the caller checks it)."""
    if not secret.startswith(KEY_PREFIX) or len(secret) > 200:
        return None
    return (
        ApiKey.objects.select_related("workspace", "user").filter(key_hash=key_hash(secret)).first()
    )


def apikeys_for_member(membership: Membership) -> QuerySet[ApiKey]:
    """Return the keys a member may see: their own, or every key of the workspace for admins."""
    keys = ApiKey.objects.select_related("user").filter(workspace_id=membership.workspace_id)
    if not permissions.is_admin(membership):
        keys = keys.filter(user_id=membership.user_id)
    return keys
