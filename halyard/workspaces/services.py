"""Writes on workspaces, members, roles, teams and invitations."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from halyard.accounts.models import User
from halyard.audit.models import AuditAction
from halyard.audit.services import audit_write, field_changes
from halyard.core.context import Actor, Source
from halyard.core.events import event_record
from halyard.workspaces import permissions
from halyard.workspaces.models import (
    Invitation,
    Membership,
    Role,
    Team,
    Workspace,
    validate_slug,
)
from halyard.workspaces.permissions import BUILTIN_ROLES, Action, Module

INVITATION_DAYS = 7


def slug_suggest(name: str) -> str:
    """Return a free, valid slug derived from a workspace name."""
    base = slugify(name)[:40].strip("-") or "workspace"
    candidate, n = base, 1
    while Workspace.objects.filter(slug=candidate).exists() or candidate in {"new", "api"}:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


# The country a new workspace most likely works in, from its owner's language.
COUNTRY_BY_LANGUAGE = {"vi": "VN", "fa": "IR", "zh-hans": "CN", "zh-hant": "TW"}


def _country_for(owner: User) -> str:
    language = getattr(owner, "language", "") or translation.get_language() or "en"
    return COUNTRY_BY_LANGUAGE.get(language.lower(), "US")


def workspace_create(
    *, owner: User, name: str, slug: str = "", source: str = Source.WEB, ip: str | None = None
) -> Workspace:
    """Create a workspace with the built-in roles and its owner as first member."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Enter a name for the workspace.")})
    slug = slug.strip().lower() or slug_suggest(name)
    try:
        validate_slug(slug)
    except ValidationError as exc:
        raise ValidationError({"slug": exc.messages}) from exc
    with transaction.atomic():
        if Workspace.objects.filter(slug=slug).exists():
            raise ValidationError({"slug": _("This address is taken. Choose another.")})
        try:
            with transaction.atomic():
                workspace = Workspace.objects.create(
                    name=name, slug=slug, default_country=_country_for(owner)
                )
        except IntegrityError as exc:
            raise ValidationError({"slug": _("This address is taken. Choose another.")}) from exc
        with scopes_disabled():
            for key, (label, perms, scope) in BUILTIN_ROLES.items():
                Role.objects.create(
                    workspace=workspace,
                    key=key,
                    name=str(label),
                    permissions=perms,
                    record_scope=scope,
                )
            owner_role = Role.objects.get(workspace=workspace, key="owner")
        membership = Membership.objects.create(workspace=workspace, user=owner, role=owner_role)
        owner.last_workspace = workspace
        owner.save(update_fields=["last_workspace"])
        actor = Actor(workspace=workspace, user=owner, membership=membership, source=source, ip=ip)
        audit_write(
            actor=actor,
            action=AuditAction.CREATE,
            obj=workspace,
            changes={"name": [None, name], "slug": [None, slug]},
        )
    return workspace


def workspace_update(*, actor: Actor, values: dict[str, Any]) -> Workspace:
    """Change a workspace's settings (admins only)."""
    if not permissions.is_admin(actor.membership):
        raise PermissionDenied(_("Only administrators can change workspace settings."))
    workspace = actor.workspace
    fields = ["name", "default_currency", "default_country", "require_2fa"]
    before = {f: getattr(workspace, f) for f in fields}
    with transaction.atomic():
        for key in fields:
            if key in values:
                setattr(workspace, key, values[key])
        workspace.full_clean()
        workspace.save()
        after = {f: getattr(workspace, f) for f in fields}
        audit_write(
            actor=actor,
            action=AuditAction.SETTINGS_CHANGE,
            obj=workspace,
            changes=field_changes(before, after),
        )
    return workspace


def workspace_delete(*, actor: Actor, confirm_slug: str) -> None:
    """Delete a workspace and every row that belongs to it (the owner only)."""
    if actor.membership is None or actor.membership.role.key != "owner":
        raise PermissionDenied(_("Only the owner can delete the workspace."))
    if confirm_slug != actor.workspace.slug:
        raise ValidationError({"confirm": _("Type the workspace address exactly to confirm.")})
    with transaction.atomic(), scopes_disabled():
        # Memberships protect their roles; take them out first, then everything cascades.
        Membership.objects.filter(workspace=actor.workspace).delete()
        actor.workspace.delete()


def token_hash(token: str) -> str:
    """Return the stored form of an invitation token."""
    return hashlib.sha256(token.encode()).hexdigest()


def member_invite(*, actor: Actor, email: str, role: Role) -> tuple[Invitation, str]:
    """Invite someone by e-mail with a role; returns the invitation and its one-time token."""
    if not permissions.is_admin(actor.membership):
        raise PermissionDenied(_("Only administrators can invite members."))
    if role.workspace_id != actor.workspace.pk:
        raise ValidationError({"role": _("Choose a role of this workspace.")})
    if role.key == "owner":
        raise ValidationError({"role": _("A workspace has one owner; invite as Admin instead.")})
    email = email.strip().lower()
    if Membership.objects.filter(workspace=actor.workspace, user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already a member.")})
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        Invitation.objects.filter(
            workspace=actor.workspace,
            email__iexact=email,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
        ).update(revoked_at=timezone.now())
        invitation = Invitation.objects.create(
            workspace=actor.workspace,
            email=email,
            role=role,
            invited_by=actor.user,
            token_hash=token_hash(token),
            expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
        )
        audit_write(
            actor=actor,
            action=AuditAction.INVITATION,
            obj=invitation,
            changes={"email": [None, email], "role": [None, role.display_name]},
        )
        link = settings.SITE_URL.rstrip("/") + reverse("invitation_accept", args=[token])
        inviter = actor.user.display_name if actor.user else "Halyard"
        workspace_name = actor.workspace.name
        transaction.on_commit(lambda: _send_invitation(email, inviter, workspace_name, link))
    return invitation, token


def _send_invitation(email: str, inviter: str, workspace: str, link: str) -> None:
    existing = User.objects.filter(email__iexact=email).first()
    language = (existing.language if existing else "") or translation.get_language() or "en"
    with translation.override(language):
        context = {
            "inviter": inviter,
            "workspace": workspace,
            "link": link,
            "days": INVITATION_DAYS,
        }
        subject = _("%(inviter)s invited you to %(workspace)s on Halyard") % context
        body = render_to_string("workspaces/email/invitation.txt", context)
    send_mail(subject, body, None, [email])


def invitation_lookup(token: str) -> Invitation | None:
    """Return the invitation for a token, whatever its state, or None."""
    return (
        Invitation.objects.select_related("workspace", "role")
        .filter(token_hash=token_hash(token))
        .first()
    )


def invitation_accept(*, user: User, token: str, ip: str | None = None) -> Membership:
    """Join a workspace through a pending invitation addressed to the user's e-mail."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .select_related("workspace", "role")
            .filter(token_hash=token_hash(token))
            .first()
        )
        if invitation is None:
            raise ValidationError(_("This invitation link is not valid."), code="invalid")
        if invitation.accepted_at is not None:
            raise ValidationError(_("This invitation has already been used."), code="used")
        if invitation.revoked_at is not None:
            raise ValidationError(_("This invitation was withdrawn."), code="revoked")
        if invitation.expires_at <= timezone.now():
            raise ValidationError(
                _("This invitation has expired. Ask for a new one."), code="expired"
            )
        if invitation.email.lower() != user.email.lower():
            raise ValidationError(
                _("This invitation was sent to %(email)s. Sign in with that address to accept it.")
                % {"email": invitation.email},
                code="wrong_user",
            )
        membership, created = Membership.objects.get_or_create(
            workspace=invitation.workspace, user=user, defaults={"role": invitation.role}
        )
        if not created and not membership.is_active:
            membership.is_active = True
            membership.role = invitation.role
            membership.save(update_fields=["is_active", "role"])
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        user.last_workspace = invitation.workspace
        user.save(update_fields=["last_workspace"])
        actor = Actor(workspace=invitation.workspace, user=user, membership=membership, ip=ip)
        audit_write(actor=actor, action=AuditAction.INVITATION_ACCEPTED, obj=invitation)
        event_record(
            actor=actor,
            name="membership.joined",
            payload={
                "user_id": user.pk,
                "name": user.display_name,
                "invited_by": invitation.invited_by_id,
                "workspace": invitation.workspace.name,
                "url": reverse("members", kwargs={"slug": invitation.workspace.slug}),
            },
        )
    return membership


def invitation_revoke(*, actor: Actor, invitation: Invitation) -> None:
    """Withdraw a pending invitation."""
    if not permissions.is_admin(actor.membership):
        raise PermissionDenied(_("Only administrators can withdraw invitations."))
    with transaction.atomic():
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_write(actor=actor, action=AuditAction.INVITATION_REVOKED, obj=invitation)


def member_set_role(*, actor: Actor, membership: Membership, role: Role) -> Membership:
    """Give a member another role; the owner's role is not changed this way."""
    if not permissions.is_admin(actor.membership):
        raise PermissionDenied(_("Only administrators can change roles."))
    if membership.workspace_id != actor.workspace.pk or role.workspace_id != actor.workspace.pk:
        raise PermissionDenied(_("Not in this workspace."))
    if membership.role.key == "owner" or role.key == "owner":
        raise ValidationError(_("The owner's role cannot be changed here."))
    with transaction.atomic():
        old = membership.role.display_name
        membership.role = role
        membership.save(update_fields=["role"])
        audit_write(
            actor=actor,
            action=AuditAction.ROLE_CHANGE,
            obj=membership,
            changes={"role": [old, role.display_name]},
        )
        event_record(
            actor=actor,
            name="membership.role_changed",
            payload={
                "user_id": membership.user_id,
                "workspace": actor.workspace.name,
                "role": role.display_name,
                "role_key": role.key,
                "url": reverse("dashboard", kwargs={"slug": actor.workspace.slug}),
            },
        )
    return membership


def member_remove(*, actor: Actor, membership: Membership) -> None:
    """Take a member out of the workspace (their records stay)."""
    if not permissions.is_admin(actor.membership):
        raise PermissionDenied(_("Only administrators can remove members."))
    if membership.role.key == "owner":
        raise ValidationError(_("The owner cannot be removed."))
    with transaction.atomic():
        membership.is_active = False
        membership.save(update_fields=["is_active"])
        audit_write(actor=actor, action=AuditAction.MEMBER_REMOVED, obj=membership)


def role_save(
    *,
    actor: Actor,
    role: Role | None,
    name: str,
    permissions_map: dict[str, list[str]],
    record_scope: str,
) -> Role:
    """Create or edit a custom role; built-in roles are fixed."""
    if not permissions.is_admin(actor.membership):
        raise PermissionDenied(_("Only administrators can edit roles."))
    if role is not None and role.is_builtin:
        raise ValidationError(_("Built-in roles cannot be changed. Create a custom role instead."))
    valid_modules = {m.value for m in Module}
    valid_actions = {a.value for a in Action}
    clean = {
        module: sorted(set(actions) & valid_actions)
        for module, actions in permissions_map.items()
        if module in valid_modules
    }
    clean = {m: a for m, a in clean.items() if a}
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Enter a name for the role.")})
    if Role.objects.filter(name__iexact=name).exclude(pk=role.pk if role else 0).exists():
        raise ValidationError({"name": _("A role with this name exists already.")})
    with transaction.atomic():
        before = (
            {"name": role.name, "permissions": role.permissions, "record_scope": role.record_scope}
            if role
            else {}
        )
        role = role or Role(workspace=actor.workspace)
        role.name, role.permissions, role.record_scope = name, clean, record_scope
        role.save()
        after = {
            "name": role.name,
            "permissions": role.permissions,
            "record_scope": role.record_scope,
        }
        audit_write(
            actor=actor,
            action=AuditAction.ROLE_CHANGE,
            obj=role,
            changes=field_changes(before, after),
        )
    return role


def team_save(*, actor: Actor, team: Team | None, name: str, members: list[Membership]) -> Team:
    """Create or edit a team and its members."""
    if not permissions.is_admin(actor.membership):
        raise PermissionDenied(_("Only administrators can edit teams."))
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Enter a name for the team.")})
    if Team.objects.filter(name__iexact=name).exclude(pk=team.pk if team else 0).exists():
        raise ValidationError({"name": _("A team with this name exists already.")})
    with transaction.atomic():
        team = team or Team(workspace=actor.workspace)
        before = {
            "name": team.name or None,
            "members": sorted(m.user.email for m in team.members.all()) if team.pk else [],
        }
        team.name = name
        team.save()
        team.members.set([m for m in members if m.workspace_id == actor.workspace.pk])
        after = {"name": name, "members": sorted(m.user.email for m in team.members.all())}
        audit_write(
            actor=actor,
            action=AuditAction.SETTINGS_CHANGE,
            obj=team,
            changes=field_changes(before, after),
        )
    return team
