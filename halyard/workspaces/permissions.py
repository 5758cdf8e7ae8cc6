"""The one permission service: what a member may do, and which records they may see."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

if TYPE_CHECKING:
    from halyard.workspaces.models import Membership


class Action(models.TextChoices):
    VIEW = "view", _("View")
    CREATE = "create", _("Create")
    EDIT = "edit", _("Edit")
    DELETE = "delete", _("Delete")
    IMPORT = "import", _("Import")
    EXPORT = "export", _("Export")


class Module(models.TextChoices):
    """Areas of the product a role grants actions on."""

    COMPANIES = "companies", _("Companies")
    CONTACTS = "contacts", _("Contacts")
    LEADS = "leads", _("Leads")
    DEALS = "deals", _("Deals")
    ACTIVITIES = "activities", _("Activities")
    TASKS = "tasks", _("Tasks")
    CAMPAIGNS = "campaigns", _("Campaigns")
    CASES = "cases", _("Cases")
    QUOTES = "quotes", _("Quotes")
    REPORTS = "reports", _("Reports")
    # Workspace administration: members, roles, teams, custom fields, audit log.
    SETTINGS = "settings", _("Workspace settings")


class RecordScope(models.TextChoices):
    OWN = "own", _("Own records")
    TEAM = "team", _("Team records")
    ALL = "all", _("All records")


ALL_ACTIONS = [a.value for a in Action]
READ = [Action.VIEW.value]
READ_EXPORT = [Action.VIEW.value, Action.EXPORT.value]
WORK = [Action.VIEW.value, Action.CREATE.value, Action.EDIT.value]
SALES = ["companies", "contacts", "leads", "deals", "activities", "tasks", "quotes"]


def _grant(modules: list[str], actions: list[str]) -> dict[str, list[str]]:
    return {m: list(actions) for m in modules}


# Built-in roles: key -> (name, permissions, record scope). Owners and admins may do anything.
BUILTIN_ROLES: dict[str, tuple[Any, dict[str, list[str]], str]] = {
    "owner": (
        pgettext_lazy("workspace role", "Owner"),
        _grant([m.value for m in Module], ALL_ACTIONS),
        RecordScope.ALL,
    ),
    "admin": (_("Admin"), _grant([m.value for m in Module], ALL_ACTIONS), RecordScope.ALL),
    "sales_manager": (
        _("Sales manager"),
        {
            **_grant(SALES, ALL_ACTIONS),
            **_grant(["reports"], READ_EXPORT),
            **_grant(["campaigns", "cases"], READ),
        },
        RecordScope.ALL,
    ),
    "sales_rep": (
        _("Sales rep"),
        {
            **_grant(SALES, [*WORK, Action.DELETE.value]),
            **_grant(["reports"], READ),
            **_grant(["cases"], READ),
        },
        RecordScope.OWN,
    ),
    "marketing": (
        _("Marketing"),
        {
            **_grant(["campaigns", "leads", "contacts"], ALL_ACTIONS),
            **_grant(["companies"], WORK),
            **_grant(["reports"], READ_EXPORT),
            **_grant(["activities", "tasks"], WORK),
        },
        RecordScope.ALL,
    ),
    "support": (
        _("Support"),
        {
            **_grant(["cases"], [*WORK, Action.DELETE.value]),
            **_grant(["contacts", "companies", "activities", "tasks"], WORK),
            **_grant(["reports"], READ),
        },
        RecordScope.ALL,
    ),
    "finance": (
        _("Finance"),
        {
            **_grant(["deals", "quotes", "reports"], READ_EXPORT),
            **_grant(["companies", "contacts"], READ),
        },
        RecordScope.ALL,
    ),
    "read_only": (
        _("Read-only"),
        _grant([m.value for m in Module if m != Module.SETTINGS], READ),
        RecordScope.ALL,
    ),
}


def can(member: Membership | None, module: str, action: str) -> bool:
    """Say whether a member may perform an action on a module."""
    if member is None or not member.is_active:
        return False
    return action in member.role.permissions.get(module, [])


def require(member: Membership | None, module: str, action: str) -> None:
    """Raise PermissionDenied unless the member may perform the action."""
    if not can(member, module, action):
        raise PermissionDenied(_("Your role does not allow this."))


def visible(member: Membership, module: str, queryset: models.QuerySet) -> models.QuerySet:
    """Narrow a queryset of records to those the member's role lets them see."""
    if not can(member, module, Action.VIEW):
        return queryset.none()
    scope = member.role.record_scope
    if scope == RecordScope.ALL:
        return queryset
    if scope == RecordScope.TEAM:
        return queryset.filter(Q(owner_id__in=member.teammate_ids()) | Q(owner_id=member.user_id))
    return queryset.filter(owner_id=member.user_id)


def can_touch(member: Membership, module: str, action: str, record: Any) -> bool:
    """Say whether a member may perform an action on this particular record."""
    if not can(member, module, action):
        return False
    scope = member.role.record_scope
    if scope == RecordScope.ALL:
        return True
    if record.owner_id == member.user_id:
        return True
    return scope == RecordScope.TEAM and record.owner_id in member.teammate_ids()


def is_admin(member: Membership | None) -> bool:
    """Say whether a member administers the workspace."""
    return can(member, Module.SETTINGS, Action.EDIT)


def require_touch(member: Membership | None, module: str, action: str, record: Any) -> None:
    """Raise PermissionDenied unless the member may act on this record."""
    if member is None or not can_touch(member, module, action, record):
        raise PermissionDenied(_("Your role does not allow this."))
