"""Workspaces (tenants), their members, roles and teams, and invitations."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from halyard.core.models import WorkspaceScoped
from halyard.workspaces.permissions import RecordScope

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$")
RESERVED_SLUGS = {
    "admin",
    "api",
    "accounts",
    "static",
    "media",
    "new",
    "settings",
    "healthz",
    "www",
}


def validate_slug(value: str) -> None:
    """Refuse a malformed or reserved workspace slug."""
    if not SLUG_RE.match(value or ""):
        raise ValidationError(
            _(
                "Use 1 to 48 lower-case letters, digits and hyphens, not starting or ending with a "
                "hyphen."
            ),
            code="slug_malformed",
        )
    if value in RESERVED_SLUGS:
        raise ValidationError(_("This address is reserved. Choose another."), code="slug_reserved")


class Workspace(models.Model):
    """One business's CRM: every business record belongs to exactly one workspace."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("address"), max_length=48, unique=True, validators=[validate_slug])
    default_currency = models.CharField(_("default currency"), max_length=3, default="USD")
    default_country = models.CharField(
        _("default country"),
        max_length=2,
        default="US",
        help_text=_("Phone numbers typed without a country code are read as this country's."),
    )
    require_2fa = models.BooleanField(
        _("require two-factor authentication"),
        default=False,
        help_text=_(
            "Members must set up an authenticator app before they can open this workspace."
        ),
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name


class Role(WorkspaceScoped):
    """A set of permissions per module plus a record scope; built-in roles have a key."""

    name = models.CharField(_("name"), max_length=80)
    key = models.CharField(
        max_length=32, blank=True, help_text="Built-in role key; empty for custom."
    )
    permissions = models.JSONField(default=dict)
    record_scope = models.CharField(
        _("record scope"), max_length=8, choices=RecordScope.choices, default=RecordScope.OWN
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="role_name_unique"),
            models.UniqueConstraint(
                fields=["workspace", "key"], condition=~models.Q(key=""), name="role_key_unique"
            ),
        ]
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def is_builtin(self) -> bool:
        return bool(self.key)

    @property
    def display_name(self) -> str:
        """Return the translated name of a built-in role, else the name the admin gave."""
        from halyard.workspaces.permissions import BUILTIN_ROLES

        if self.key in BUILTIN_ROLES:
            return str(BUILTIN_ROLES[self.key][0])
        return self.name


class Team(WorkspaceScoped):
    """A group of members; a role with record scope "team" sees the records of teammates."""

    name = models.CharField(_("name"), max_length=80)
    members = models.ManyToManyField("Membership", related_name="teams", blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="team_name_unique")
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's place in a workspace, with one role."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="memberships")
    is_active = models.BooleanField(default=True)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.workspace}"

    @cached_property
    def _teammates(self) -> frozenset[int]:
        ids = Membership.objects.filter(
            teams__in=Team.objects.filter(members=self), is_active=True
        ).values_list("user_id", flat=True)
        return frozenset(ids)

    def teammate_ids(self) -> frozenset[int]:
        """Return the user ids of everyone who shares a team with this member."""
        return self._teammates


class Invitation(models.Model):
    """An invitation by e-mail to join a workspace with a role; its token is stored hashed."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email"))
    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="+")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.workspace}"

    @property
    def is_pending(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and (self.expires_at > timezone.now())
        )
