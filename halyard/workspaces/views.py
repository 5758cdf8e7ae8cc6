"""Workspace pages: dashboard, creation, settings, members, roles, teams, invitations."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_scopes import scopes_disabled

from halyard.accounts.forms import INVITATION_SESSION_KEY
from halyard.companies.models import Company
from halyard.contacts.models import Contact
from halyard.core.context import client_ip
from halyard.core.forms import add_validation_errors
from halyard.workspaces import permissions, services
from halyard.workspaces.access import WorkspaceRequest, admin_view, workspace_view
from halyard.workspaces.forms import (
    DeleteWorkspaceForm,
    InviteForm,
    RoleForm,
    TeamForm,
    WorkspaceCreateForm,
    WorkspaceSettingsForm,
)
from halyard.workspaces.models import Invitation, Membership, Role, Team


@workspace_view
def dashboard(request: WorkspaceRequest) -> HttpResponse:
    """The workspace's start page: counts and the newest records the member can see."""
    member = request.membership
    contacts = permissions.visible(member, "contacts", Contact.objects.alive())
    companies = permissions.visible(member, "companies", Company.objects.alive())
    return render(
        request,
        "workspaces/dashboard.html",
        {
            "recent_contacts": contacts.select_related("company").order_by("-pk")[:8],
            "recent_companies": companies.order_by("-pk")[:8],
            "contact_count": contacts.count(),
            "company_count": companies.count(),
        },
    )


@login_required
def workspace_create(request: WorkspaceRequest) -> HttpResponse:
    """Create another workspace; the creator becomes its owner."""
    form = WorkspaceCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workspace = services.workspace_create(
                owner=request.user,
                name=form.cleaned_data["name"],
                slug=form.cleaned_data["slug"],
                ip=client_ip(request),
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, _("Workspace created."))
            return redirect("dashboard", slug=workspace.slug)
    return render(request, "workspaces/workspace_create.html", {"form": form})


@admin_view
def settings_general(request: WorkspaceRequest) -> HttpResponse:
    """Edit the workspace's name, currency and security policy."""
    workspace = request.workspace
    form = WorkspaceSettingsForm(request.POST or None, instance=workspace)
    if request.method == "POST" and form.is_valid():
        services.workspace_update(actor=request.actor, values=form.cleaned_data)
        messages.success(request, _("Settings saved."))
        return redirect("settings_general", slug=workspace.slug)
    delete_form = DeleteWorkspaceForm()
    return render(
        request,
        "workspaces/settings_general.html",
        {"form": form, "delete_form": delete_form, "section": "general"},
    )


@admin_view
@require_POST
def workspace_delete(request: WorkspaceRequest) -> HttpResponse:
    """Delete the workspace with all its data after the owner types its address."""
    form = DeleteWorkspaceForm(request.POST)
    confirm = form.data.get("confirm", "")
    try:
        services.workspace_delete(actor=request.actor, confirm_slug=confirm)
    except ValidationError:
        messages.error(request, _("Type the workspace address exactly to confirm."))
        return redirect("settings_general", slug=request.workspace.slug)
    messages.success(request, _("The workspace and all its data were deleted."))
    return redirect("home")


@admin_view
def members(request: WorkspaceRequest) -> HttpResponse:
    """List members and pending invitations; invite someone."""
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_invite(
                actor=request.actor,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]}
            )
            return redirect("members", slug=request.workspace.slug)
    workspace = request.workspace
    return render(
        request,
        "workspaces/members.html",
        {
            "form": form,
            "section": "members",
            "members": Membership.objects.filter(workspace=workspace, is_active=True)
            .select_related("user", "role")
            .order_by("user__email"),
            "invitations": [
                i
                for i in Invitation.objects.filter(
                    workspace=workspace, accepted_at__isnull=True, revoked_at__isnull=True
                ).select_related("role")
                if i.is_pending
            ],
            "roles": Role.objects.all(),
        },
    )


@admin_view
@require_POST
def member_role(request: WorkspaceRequest, member_id: int) -> HttpResponse:
    """Give a member another role."""
    workspace = request.workspace
    membership = get_object_or_404(Membership, pk=member_id, workspace=workspace, is_active=True)
    role = Role.objects.filter(pk=request.POST.get("role") or 0).first()
    if role is None:
        raise Http404
    try:
        services.member_set_role(actor=request.actor, membership=membership, role=role)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Role changed."))
    return redirect("members", slug=workspace.slug)


@admin_view
@require_POST
def member_remove(request: WorkspaceRequest, member_id: int) -> HttpResponse:
    """Remove a member from the workspace."""
    workspace = request.workspace
    membership = get_object_or_404(Membership, pk=member_id, workspace=workspace, is_active=True)
    try:
        services.member_remove(actor=request.actor, membership=membership)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Member removed."))
    return redirect("members", slug=workspace.slug)


@admin_view
@require_POST
def invitation_revoke(request: WorkspaceRequest, invitation_id: int) -> HttpResponse:
    """Withdraw a pending invitation."""
    workspace = request.workspace
    invitation = get_object_or_404(Invitation, pk=invitation_id, workspace=workspace)
    services.invitation_revoke(actor=request.actor, invitation=invitation)
    messages.success(request, _("Invitation withdrawn."))
    return redirect("members", slug=workspace.slug)


def invitation_accept(request: WorkspaceRequest, token: str) -> HttpResponse:
    """Show an invitation; a signed-in invitee joins, others sign in or sign up first."""
    with scopes_disabled():
        invitation = services.invitation_lookup(token)
    if not request.user.is_authenticated:
        if invitation is not None and invitation.is_pending:
            request.session[INVITATION_SESSION_KEY] = token
        return render(request, "workspaces/invitation.html", {"invitation": invitation})
    error = None
    if request.method == "POST":
        try:
            membership = services.invitation_accept(
                user=request.user,
                token=token,
                ip=client_ip(request),
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            request.session.pop(INVITATION_SESSION_KEY, None)
            messages.success(
                request, _("Welcome to %(workspace)s.") % {"workspace": membership.workspace.name}
            )
            return redirect("dashboard", slug=membership.workspace.slug)
    return render(
        request,
        "workspaces/invitation.html",
        {"invitation": invitation, "error": error},
        status=400 if error else 200,
    )


@admin_view
def roles(request: WorkspaceRequest) -> HttpResponse:
    """List the built-in and custom roles."""
    return render(
        request,
        "workspaces/roles.html",
        {
            "roles": Role.objects.all(),
            "section": "roles",
        },
    )


@admin_view
def role_edit(request: WorkspaceRequest, role_id: int | None = None) -> HttpResponse:
    """Create or edit a custom role; built-in roles are shown read-only."""
    role = get_object_or_404(Role, pk=role_id) if role_id else None
    form = RoleForm(request.POST or None, role=role)
    readonly = bool(role and role.is_builtin)
    if request.method == "POST" and not readonly and form.is_valid():
        try:
            services.role_save(
                actor=request.actor,
                role=role,
                name=form.cleaned_data["name"],
                permissions_map=form.permissions_map(),
                record_scope=form.cleaned_data["record_scope"],
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, _("Role saved."))
            return redirect("roles", slug=request.workspace.slug)
    return render(
        request,
        "workspaces/role_form.html",
        {"form": form, "role": role, "readonly": readonly, "section": "roles"},
    )


@admin_view
def teams(request: WorkspaceRequest, team_id: int | None = None) -> HttpResponse:
    """List teams; create one, or edit the one in the URL."""
    workspace = request.workspace
    team = get_object_or_404(Team, pk=team_id) if team_id else None
    initial = {"name": team.name, "members": [m.pk for m in team.members.all()]} if team else {}
    form = TeamForm(request.POST or None, choices=_member_choices(workspace), initial=initial)
    if request.method == "POST" and form.is_valid():
        chosen = Membership.objects.filter(workspace=workspace, pk__in=form.cleaned_data["members"])
        try:
            services.team_save(
                actor=request.actor,
                team=team,
                name=form.cleaned_data["name"],
                members=list(chosen),
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, _("Team saved."))
            return redirect("teams", slug=workspace.slug)
    return render(
        request,
        "workspaces/teams.html",
        {
            "form": form,
            "team": team,
            "section": "teams",
            "teams": Team.objects.prefetch_related("members__user"),
        },
    )


def _member_choices(workspace) -> list[tuple[int, str]]:
    return [
        (m.pk, m.user.display_name)
        for m in Membership.objects.filter(workspace=workspace, is_active=True)
        .select_related("user")
        .order_by("user__email")
    ]
