"""The tenant boundary: resolve the workspace of a request and the records a member may reach."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django_scopes import scope

from halyard.core.context import Actor, client_ip
from halyard.core.models import Record
from halyard.workspaces import permissions
from halyard.workspaces.models import Membership

R = TypeVar("R", bound=Record)
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
    def wrapper(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
        membership = membership_for(request.user, slug)
        if membership is None:
            raise Http404(_("No such workspace."))
        workspace = membership.workspace
        if workspace.require_2fa and not is_mfa_enabled(request.user):
            messages.warning(
                request,
                _("%(workspace)s requires two-factor authentication. Set up an authenticator app "
                  "to continue.") % {"workspace": workspace.name},
            )
            return redirect("mfa_activate_totp")
        request.workspace = workspace  # type: ignore[attr-defined]
        request.membership = membership  # type: ignore[attr-defined]
        request.actor = Actor(  # type: ignore[attr-defined]
            workspace=workspace, user=request.user,  # type: ignore[arg-type]
            membership=membership, ip=client_ip(request),
        )
        user = request.user
        if user.last_workspace_id != workspace.pk:  # type: ignore[union-attr]
            get_user_model().objects.filter(pk=user.pk).update(last_workspace=workspace)
        with scope(workspace=workspace):
            return view(request, *args, **kwargs)

    return wrapper


def admin_view(view: View) -> View:
    """Like workspace_view, for pages only administrators may open."""

    @wraps(view)
    def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not permissions.is_admin(request.membership):  # type: ignore[attr-defined]
            raise PermissionDenied(_("Only administrators can open this page."))
        return view(request, *args, **kwargs)

    return workspace_view(inner)


def record_for_member(
    request: HttpRequest, model: type[R], pk: Any, action: str = "view", trashed: bool = False
) -> R:
    """Return a record of the request's workspace that the member may act on, or 404/403."""
    membership: Membership = request.membership  # type: ignore[attr-defined]
    queryset = model.objects.trashed() if trashed else model.objects.alive()  # type: ignore[attr-defined]
    try:
        record = permissions.visible(membership, model.module, queryset).get(pk=int(pk))
    except (model.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404(_("No such record.")) from None
    if action != "view" and not permissions.can_touch(membership, model.module, action, record):
        raise PermissionDenied(_("Your role does not allow this."))
    return record
