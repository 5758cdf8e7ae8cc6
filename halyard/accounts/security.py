"""Security events into the audit log: sign-in, failures, lockouts, password and 2FA changes."""

from __future__ import annotations

from typing import Any

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from halyard.audit.models import AuditAction
from halyard.audit.services import audit_write
from halyard.core.context import Source, client_ip


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str | None:
    """Return the login name that django-axes counts failures against."""
    credentials = credentials or {}
    value = credentials.get("email") or credentials.get("username") or credentials.get("login")
    if not value and request is not None:
        value = request.POST.get("login")
    return str(value).strip().lower() if value else None


def _log(
    request: HttpRequest | None,
    action: str,
    user: Any = None,
    label: str = "",
    changes: dict[str, Any] | None = None,
) -> None:
    audit_write(
        action=action,
        user=user if user is not None and getattr(user, "pk", None) else None,
        source=Source.WEB,
        ip=client_ip(request) if request is not None else None,
        label=label,
        changes=changes,
    )


@receiver(account_signals.user_logged_in)
def on_login(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    _log(request, AuditAction.SIGN_IN, user)


@receiver(user_logged_out)
def on_logout(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is not None:
        _log(request, AuditAction.SIGN_OUT, user)


@receiver(user_login_failed)
def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    login = axes_username(request, credentials) if request is not None else None
    user = get_user_model().objects.filter(email__iexact=login).first() if login else None
    _log(request, AuditAction.SIGN_IN_FAILED, user, label=login or "")


@receiver(user_locked_out)
def on_locked_out(
    sender: Any, request: HttpRequest, username: str | None, ip_address: str, **kwargs: Any
) -> None:
    _log(request, AuditAction.LOCKED_OUT, label=username or ip_address or "")


@receiver(account_signals.password_changed)
@receiver(account_signals.password_set)
def on_password_changed(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    _log(request, AuditAction.PASSWORD_CHANGE, user)


@receiver(account_signals.password_reset)
def on_password_reset(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    _log(request, AuditAction.PASSWORD_RESET, user)


@receiver(mfa_signals.authenticator_added)
def on_mfa_added(
    sender: Any, request: HttpRequest, user: Any, authenticator: Any, **kwargs: Any
) -> None:
    _log(request, AuditAction.MFA_ENABLED, user, changes={"type": [None, authenticator.type]})


@receiver(mfa_signals.authenticator_removed)
def on_mfa_removed(
    sender: Any, request: HttpRequest, user: Any, authenticator: Any, **kwargs: Any
) -> None:
    _log(request, AuditAction.MFA_DISABLED, user, changes={"type": [authenticator.type, None]})


@receiver(mfa_signals.authenticator_reset)
def on_mfa_reset(
    sender: Any, request: HttpRequest, user: Any, authenticator: Any, **kwargs: Any
) -> None:
    _log(request, AuditAction.RECOVERY_CODES, user)
