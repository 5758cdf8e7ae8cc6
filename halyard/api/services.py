"""Writes on API keys: create (the secret is returned once) and revoke, both audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from halyard.api.models import ApiKey, KeyScope
from halyard.audit.models import AuditAction
from halyard.audit.services import audit_write
from halyard.core.context import Actor
from halyard.workspaces import permissions

KEY_PREFIX = "hk_"
MAX_EXPIRY_DAYS = 3650


def key_hash(secret: str) -> str:
    """Return the stored form of a key."""
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class NewKey:
    key: ApiKey
    secret: str


def apikey_create(
    *, actor: Actor, name: str, scope: str = KeyScope.WRITE, expires_days: int | None = None
) -> NewKey:
    """Create a key for the acting member; the secret is in the result and nowhere else."""
    if actor.user is None or actor.membership is None or not actor.membership.is_active:
        raise PermissionDenied(_("Only members of the workspace can create API keys."))
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the key a name, e.g. the system that uses it.")})
    if len(name) > 80:
        raise ValidationError({"name": _("Keep the name under 80 characters.")})
    if scope not in KeyScope.values:
        raise ValidationError({"scope": _("Choose read only or read and write.")})
    expires_at = None
    if expires_days is not None:
        if not 1 <= expires_days <= MAX_EXPIRY_DAYS:
            raise ValidationError(
                {"expires_days": _("Give between 1 and 3650 days, or no expiry.")}
            )
        expires_at = timezone.now() + dt.timedelta(days=expires_days)
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        key = ApiKey.objects.create(
            workspace=actor.workspace,
            user=actor.user,
            name=name,
            prefix=secret[:10],
            key_hash=key_hash(secret),
            scope=scope,
            expires_at=expires_at,
        )
        audit_write(
            actor=actor,
            action=AuditAction.SETTINGS_CHANGE,
            obj=key,
            changes={
                "api_key": [None, key.prefix],
                "scope": [None, scope],
                "expires_at": [None, expires_at.isoformat() if expires_at else None],
            },
        )
    return NewKey(key=key, secret=secret)


def apikey_revoke(*, actor: Actor, key: ApiKey) -> ApiKey:
    """Revoke a key: its own user or an administrator may; it stops working at once."""
    if key.workspace_id != actor.workspace.pk:
        raise PermissionDenied(_("Your role does not allow this."))
    if actor.user is None or (
        key.user_id != actor.user.pk and not permissions.is_admin(actor.membership)
    ):
        raise PermissionDenied(_("Only the key's owner or an administrator can revoke it."))
    with transaction.atomic():
        current = ApiKey.objects.select_for_update().get(pk=key.pk)
        if current.revoked_at is not None:
            return current
        current.revoked_at = timezone.now()
        current.save(update_fields=["revoked_at"])
        audit_write(
            actor=actor,
            action=AuditAction.SETTINGS_CHANGE,
            obj=current,
            changes={"revoked": [None, current.prefix]},
        )
    return current


def apikey_touch(*, key: ApiKey) -> None:
    """Record that a key was used, at most once a minute (no write on every request)."""
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > dt.timedelta(minutes=1):
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
