"""Workspace creation, invitations and roles."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from conftest import actor_for, client_for, make_user
from halyard.audit.models import AuditAction, AuditEntry
from halyard.workspaces import permissions
from halyard.workspaces.models import Invitation, Membership, Role, Workspace
from halyard.workspaces.services import (
    invitation_accept,
    member_invite,
    member_set_role,
    role_save,
    workspace_create,
)


def test_new_workspace_has_the_built_in_roles_and_its_owner(alice):
    workspace = workspace_create(owner=alice, name="Công ty Hà Nội", slug="")
    assert workspace.slug == "cong-ty-ha-noi"
    with scope(workspace=workspace):
        keys = set(Role.objects.values_list("key", flat=True))
    assert keys == {
        "owner",
        "admin",
        "sales_manager",
        "sales_rep",
        "marketing",
        "support",
        "finance",
        "read_only",
    }
    member = Membership.objects.get(workspace=workspace, user=alice)
    assert member.role.key == "owner" and permissions.is_admin(member)


def test_a_chinese_name_gets_a_usable_slug(alice):
    assert workspace_create(owner=alice, name="北京贸易", slug="").slug == "workspace"


@pytest.mark.parametrize("slug", ["-bad", "under_score", "has space", "a" * 60, "admin", "ü"])
def test_malformed_or_reserved_slugs_are_refused(alice, slug):
    with pytest.raises(ValidationError) as exc:
        workspace_create(owner=alice, name="X", slug=slug)
    assert "slug" in exc.value.message_dict
    assert not Workspace.objects.exists()


def test_a_taken_slug_is_refused(acme, charlie):
    with pytest.raises(ValidationError, match="taken"):
        workspace_create(owner=charlie, name="Acme again", slug="acme")


def _invite(acme, alice, email="dana@example.com", key="sales_rep"):
    with scope(workspace=acme):
        role = Role.objects.get(key=key)
        return member_invite(actor=actor_for(acme, alice), email=email, role=role)


def test_invitation_is_mailed_and_accepted_once(
    acme, alice, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invitation, token = _invite(acme, alice)
    assert len(mailoutbox) == 1 and token in mailoutbox[0].body
    dana = make_user("dana@example.com", "Dana")
    membership = invitation_accept(user=dana, token=token)
    assert membership.role.key == "sales_rep" and membership.workspace == acme
    with pytest.raises(ValidationError, match="already been used"):
        invitation_accept(user=dana, token=token)
    assert AuditEntry.objects.filter(action=AuditAction.INVITATION_ACCEPTED).count() == 1


def test_expired_invitation_is_refused(acme, alice):
    invitation, token = _invite(acme, alice)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(1))
    with pytest.raises(ValidationError, match="expired"):
        invitation_accept(user=make_user("dana@example.com", "Dana"), token=token)
    assert not Membership.objects.filter(user__email="dana@example.com").exists()


def test_invitation_for_someone_else_is_refused(acme, alice, charlie):
    _invitation, token = _invite(acme, alice)
    with pytest.raises(ValidationError, match=r"dana@example\.com"):
        invitation_accept(user=charlie, token=token)


def test_a_tampered_token_is_refused(acme, alice):
    _invite(acme, alice)
    with pytest.raises(ValidationError, match="not valid"):
        invitation_accept(user=make_user("dana@example.com", "Dana"), token="forged")


def test_invitation_page_for_a_bad_token_is_a_clear_message(db, client):
    response = client.get("/invitations/forged-token/")
    assert response.status_code == 200
    assert "This invitation link is not valid." in response.content.decode()


def test_role_change_is_audited_and_only_for_admins(acme, alice, bob):
    with scope(workspace=acme):
        member = Membership.objects.get(workspace=acme, user=bob)
        marketing = Role.objects.get(key="marketing")
        with pytest.raises(PermissionDenied):
            member_set_role(actor=actor_for(acme, bob), membership=member, role=marketing)
        member_set_role(actor=actor_for(acme, alice), membership=member, role=marketing)
    entry = AuditEntry.objects.get(action=AuditAction.ROLE_CHANGE)
    assert entry.changes == {"role": ["Sales rep", "Marketing"]}


def test_custom_role_grants_exactly_what_it_lists(acme, alice, bob):
    with scope(workspace=acme):
        role = role_save(
            actor=actor_for(acme, alice),
            role=None,
            name="Contacts viewer",
            permissions_map={"contacts": ["view", "export", "fly"], "nope": ["view"]},
            record_scope="all",
        )
        assert role.permissions == {"contacts": ["export", "view"]}
        member = Membership.objects.get(workspace=acme, user=bob)
        member_set_role(actor=actor_for(acme, alice), membership=member, role=role)
    member.refresh_from_db()
    assert permissions.can(member, "contacts", "view")
    assert not permissions.can(member, "contacts", "create")
    assert not permissions.can(member, "companies", "view")


def test_built_in_roles_cannot_be_edited(acme, alice):
    with scope(workspace=acme), pytest.raises(ValidationError):
        role_save(
            actor=actor_for(acme, alice),
            role=Role.objects.get(key="admin"),
            name="Admin",
            permissions_map={},
            record_scope="all",
        )


def test_role_editor_saves_a_custom_role_through_the_page(acme, alice):
    client = client_for(alice)
    response = client.post(
        "/w/acme/settings/roles/new/",
        {
            "name": "Interns",
            "record_scope": "own",
            "perm_contacts_view": "on",
            "perm_contacts_create": "on",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        role = Role.objects.get(workspace=acme, name="Interns")
    assert role.permissions == {"contacts": ["create", "view"]}


def test_members_page_invites_and_shows_the_pending_invitation(acme, alice):
    client = client_for(alice)
    with scopes_disabled():
        rep = Role.objects.get(workspace=acme, key="sales_rep")
    response = client.post(
        "/w/acme/settings/members/", {"email": "eve@example.com", "role": rep.pk}
    )
    assert response.status_code == 302
    page = client.get("/w/acme/settings/members/").content.decode()
    assert "eve@example.com" in page
    response = client.post(
        "/w/acme/settings/members/", {"email": "bob@example.com", "role": rep.pk}
    )
    assert "already a member" in response.content.decode()


def test_teams_are_created_and_edited_through_the_page(acme, alice, bob):
    from halyard.workspaces.models import Team

    client = client_for(alice)
    with scopes_disabled():
        members = {m.user.email: m.pk for m in Membership.objects.filter(workspace=acme)}
    response = client.post(
        "/w/acme/settings/teams/",
        {
            "name": "Hà Nội",
            "members": [members["alice@example.com"]],
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        team = Team.objects.get(workspace=acme)
    response = client.post(
        f"/w/acme/settings/teams/{team.pk}/",
        {
            "name": "Hà Nội",
            "members": [members["alice@example.com"], members["bob@example.com"]],
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        assert sorted(m.user.email for m in team.members.all()) == [
            "alice@example.com",
            "bob@example.com",
        ]
        assert Team.objects.count() == 1
    entry = AuditEntry.objects.filter(object_type="workspaces.team").order_by("-pk").first()
    assert entry.changes["members"] == [
        ["alice@example.com"],
        ["alice@example.com", "bob@example.com"],
    ]


def test_the_owner_deletes_the_workspace_from_its_settings(acme, alice, bob):
    client = client_for(alice)
    response = client.post("/w/acme/settings/delete/", {"confirm": "wrong"})
    assert response.status_code == 302 and Workspace.objects.filter(pk=acme.pk).exists()
    with scopes_disabled():
        Membership.objects.filter(user=bob).update(
            role=Role.objects.get(workspace=acme, key="admin")
        )
    assert client_for(bob).post("/w/acme/settings/delete/", {"confirm": "acme"}).status_code == 403
    response = client.post("/w/acme/settings/delete/", {"confirm": "acme"})
    assert response.status_code == 302
    assert not Workspace.objects.filter(pk=acme.pk).exists()
    assert client.get("/w/acme/").status_code == 404
