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


def _fernet() -> Any:
    import base64
    import hashlib

    from cryptography.fernet import Fernet
    from django.conf import settings

    digest = hashlib.sha256(b"halyard.mfa-secrets:" + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


class MFAAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        """Store TOTP secrets and recovery seeds encrypted with a key derived from SECRET_KEY."""
        return "fernet:" + _fernet().encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text: str) -> str:
        if not encrypted_text.startswith("fernet:"):
            return encrypted_text  # stored before encryption was turned on
        return _fernet().decrypt(encrypted_text.removeprefix("fernet:").encode()).decode()

    def can_delete_authenticator(self, authenticator: Any) -> bool:
        """Refuse to turn 2FA off while a workspace of the user requires it."""
        from halyard.workspaces.models import Membership

        if authenticator.type == authenticator.Type.TOTP:
            return not Membership.objects.filter(
                user_id=authenticator.user_id, is_active=True, workspace__require_2fa=True
            ).exists()
        return True
