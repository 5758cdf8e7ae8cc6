"""Settings → API keys: every member manages their own keys; administrators see and revoke all."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from halyard.api import selectors, services
from halyard.api.forms import ApiKeyForm
from halyard.core.forms import add_validation_errors
from halyard.workspaces import permissions
from halyard.workspaces.access import WorkspaceRequest, workspace_view


@workspace_view
def api_keys(request: WorkspaceRequest) -> HttpResponse:
    """List the member's keys (all keys for admins) and create one; its secret is shown once."""
    form = ApiKeyForm(request.POST or None)
    secret = ""
    if request.method == "POST" and form.is_valid():
        try:
            new = services.apikey_create(
                actor=request.actor,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                expires_days=form.cleaned_data["expires_days"],
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            secret = new.secret
            form = ApiKeyForm()
    return render(
        request,
        "api/api_keys.html",
        {
            "form": form,
            "keys": selectors.apikeys_for_member(request.membership),
            "secret": secret,
            "is_admin": permissions.is_admin(request.membership),
            "section": "api_keys",
        },
    )


@workspace_view
@require_POST
def api_key_revoke(request: WorkspaceRequest, key_id: int) -> HttpResponse:
    """Revoke a key the member may see (their own, or any for admins)."""
    key = selectors.apikeys_for_member(request.membership).filter(pk=key_id).first()
    if key is None:
        raise Http404(_("No such API key."))
    services.apikey_revoke(actor=request.actor, key=key)
    messages.success(request, _("The key %(name)s was revoked.") % {"name": key.name})
    return redirect("api_keys", slug=request.workspace.slug)


def settings_urls() -> list[URLPattern]:
    return [
        path("api-keys/", api_keys, name="api_keys"),
        path("api-keys/<int:key_id>/revoke/", api_key_revoke, name="api_key_revoke"),
    ]
