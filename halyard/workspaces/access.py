"""The tenant boundary: resolve the workspace of a request and the records a member may reach."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django_scopes import scope

from halyard.accounts.models import User
from halyard.core.context import Actor, client_ip
from halyard.core.models import Record
from halyard.workspaces import permissions
from halyard.workspaces.models import Membership, Workspace

R = TypeVar("R", bound=Record)


class WorkspaceRequest(HttpRequest):
    """A request inside a workspace, as `workspace_view` prepares it (for type checking)."""

    workspace: Workspace
    membership: Membership
    actor: Actor
    htmx: Any
    user: User


View = Callable[..., HttpResponse]


def membership_for(user: Any, slug: str) -> Membership | None:
    """Return the user's active membership in the workspace with this slug."""
    if not user.is_authenticated:
        return None
    return (
        Membership.objects.select_related("workspace", "role")
        .filter(workspace__slug=slug, user=user, is_active=True)
        .first()
    )


def workspace_view(view: View) -> View:
    """Run a view inside the workspace named by the URL, as a member of it, or answer 404."""

    @login_required
    @wraps(view)
    def wrapper(http_request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
        request = cast(WorkspaceRequest, http_request)
        membership = membership_for(request.user, slug)
        if membership is None:
            raise Http404(_("No such workspace."))
        workspace = membership.workspace
        if workspace.require_2fa and not is_mfa_enabled(request.user):
            messages.warning(
                request,
                _(
                    "%(workspace)s requires two-factor authentication. Set up an authenticator app "
                    "to continue."
                )
                % {"workspace": workspace.name},
            )
            return redirect("mfa_activate_totp")
        request.workspace = workspace
        request.membership = membership
        request.actor = Actor(
            workspace=workspace,
            user=request.user,
            membership=membership,
            ip=client_ip(request),
        )
        if request.user.last_workspace_id != workspace.pk:
            get_user_model().objects.filter(pk=request.user.pk).update(last_workspace=workspace)
        with scope(workspace=workspace):
            return view(request, *args, **kwargs)

    return wrapper


def admin_view(view: View) -> View:
    """Like workspace_view, for pages only administrators may open."""

    @wraps(view)
    def inner(request: WorkspaceRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not permissions.is_admin(request.membership):
            raise PermissionDenied(_("Only administrators can open this page."))
        return view(request, *args, **kwargs)

    return workspace_view(inner)


def record_for_member(
    request: WorkspaceRequest, model: type[R], pk: Any, action: str = "view", trashed: bool = False
) -> R:
    """Return a record of the request's workspace that the member may act on, or 404/403."""
    membership: Membership = request.membership
    queryset = model.objects.trashed() if trashed else model.objects.alive()
    try:
        record = permissions.visible(membership, model.module, queryset).get(pk=int(pk))
    except (model.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404(_("No such record.")) from None
    if action != "view" and not permissions.can_touch(membership, model.module, action, record):
        raise PermissionDenied(_("Your role does not allow this."))
    return record
