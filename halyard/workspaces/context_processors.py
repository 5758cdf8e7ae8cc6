"""Template context for the workspace shell: current workspace, switcher, permissions."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from halyard.workspaces import permissions
from halyard.workspaces.models import Membership


class _Perms:
    """Lets templates ask `perms_ws.contacts.create`."""

    def __init__(self, membership: Membership | None) -> None:
        self.membership = membership

    def __getattr__(self, module: str) -> Any:
        membership = self.membership

        class _Module:
            def __getattr__(self, action: str) -> bool:
                return permissions.can(membership, module, action)

        return _Module()


def workspace(request: HttpRequest) -> dict[str, Any]:
    """Expose the current workspace, membership and the user's other workspaces."""
    membership = getattr(request, "membership", None)
    context: dict[str, Any] = {
        "workspace": getattr(request, "workspace", None),
        "membership": membership,
        "perms_ws": _Perms(membership),
        "is_ws_admin": permissions.is_admin(membership),
    }
    if request.user.is_authenticated:
        context["my_memberships"] = list(
            Membership.objects.filter(user=request.user, is_active=True)
            .select_related("workspace")
            .order_by("workspace__name")
        )
    return context
