"""Bearer API key authentication: the key fixes the workspace and the member."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from halyard.api.models import ApiKey
from halyard.api.selectors import apikey_for_secret
from halyard.api.services import apikey_touch
from halyard.workspaces.models import Membership


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """Accept `Authorization: Bearer hk_…`; a revoked or expired key, or a gone member, is 401."""

    def authenticate(self, request: Request) -> tuple[Any, ApiKey] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        kind, _sep, secret = header.strip().partition(" ")
        if kind.lower() != "bearer" or not secret.strip():
            raise exceptions.AuthenticationFailed(
                _("Send the key as “Authorization: Bearer <key>”.")
            )
        key = apikey_for_secret(secret.strip())
        if key is None:
            raise exceptions.AuthenticationFailed(_("This API key is not valid."))
        if key.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("This API key was revoked."))
        if key.is_expired:
            raise exceptions.AuthenticationFailed(_("This API key has expired."))
        membership = (
            Membership.objects.select_related("workspace", "role")
            .filter(workspace_id=key.workspace_id, user_id=key.user_id, is_active=True)
            .first()
        )
        if membership is None or not key.user.is_active:
            raise exceptions.AuthenticationFailed(
                _("The key's user is no longer a member of this workspace.")
            )
        apikey_touch(key=key)
        request.membership = membership
        return key.user, key

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'
