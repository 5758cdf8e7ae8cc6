"""Hooks into django-allauth: sign-up in one transaction, workspace 2FA policy, invitations."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.http import HttpRequest
from django.urls import reverse

from halyard.accounts.forms import INVITATION_SESSION_KEY


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request: HttpRequest) -> str:
        token = request.session.get(INVITATION_SESSION_KEY)
        if token:
            return reverse("invitation_accept", args=[token])
        return super().get_login_redirect_url(request)

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        return self.get_login_redirect_url(request)

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        user = super().save_user(request, user, form, commit=False)
        language = getattr(request, "LANGUAGE_CODE", "")
        if language and language != "en":
            user.language = language
        if commit:
            user.save()
        return user


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator: Any) -> bool:
        """Refuse to turn 2FA off while a workspace of the user requires it."""
        from halyard.workspaces.models import Membership

        if authenticator.type == authenticator.Type.TOTP:
            return not Membership.objects.filter(
                user_id=authenticator.user_id, is_active=True, workspace__require_2fa=True
            ).exists()
        return True
