"""Pages about the signed-in person: home redirect, profile, lockout."""

from __future__ import annotations

from typing import Any

from allauth.account import views as allauth_views
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from halyard.accounts.forms import ProfileForm
from halyard.workspaces.models import Membership


def home(request: HttpRequest) -> HttpResponse:
    """Send a visitor to sign-in, and a member to their last (or first) workspace."""
    if not request.user.is_authenticated:
        return redirect("account_login")
    memberships = Membership.objects.filter(user=request.user, is_active=True).select_related(
        "workspace"
    )
    last = request.user.last_workspace_id
    chosen = next((m for m in memberships if m.workspace_id == last), None) or memberships.first()
    if chosen is None:
        return redirect("workspace_create")
    return redirect("dashboard", slug=chosen.workspace.slug)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """Edit name, language and time zone."""
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        translation.activate(user.language or translation.get_language_from_request(request))
        messages.success(request, _("Your profile was saved."))
        response = redirect("profile")
        _set_language_cookie(response, user.language)
        return response
    return render(request, "accounts/profile.html", {"form": form})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; a signed-in user keeps it in their profile."""
    from django.conf import settings
    from django.utils.http import url_has_allowed_host_and_scheme

    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        language = ""
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, {request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    if request.user.is_authenticated:
        request.user.language = language
        request.user.save(update_fields=["language"])
    response = redirect(next_url)
    _set_language_cookie(response, language)
    return response


def _set_language_cookie(response: HttpResponse, language: str) -> None:
    from django.conf import settings

    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=365 * 24 * 3600,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    else:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)


def locked_out(
    request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    """Tell a locked-out visitor what happened and when to try again."""
    return render(request, "accounts/locked_out.html", status=429)


class SignupView(allauth_views.SignupView):
    """allauth's sign-up, told about a pending invitation (no workspace of one's own then)."""

    def get_form(self, form_class: Any = None) -> Any:
        form = super().get_form(form_class)
        form.request = self.request
        if self._invitation() is not None:
            for name in ("workspace_name", "workspace_slug"):
                form.fields.pop(name, None)
        return form

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["invitation"] = self._invitation()
        return context

    def _invitation(self) -> Any:
        from django_scopes import scopes_disabled

        from halyard.accounts.forms import INVITATION_SESSION_KEY
        from halyard.workspaces.models import Invitation
        from halyard.workspaces.services import token_hash

        token = self.request.session.get(INVITATION_SESSION_KEY)
        if not token:
            return None
        with scopes_disabled():
            invitation = (
                Invitation.objects.select_related("workspace")
                .filter(token_hash=token_hash(token))
                .first()
            )
        return invitation if invitation is not None and invitation.is_pending else None


signup = transaction.atomic(SignupView.as_view())
