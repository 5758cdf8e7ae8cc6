"""Notifications: events become messages in the bell, in the reader's language, once."""

from django_scopes import scope

from conftest import actor_for, client_for, make_user
from halyard.core.jobs import event_deliver
from halyard.core.models import OutboxEvent
from halyard.notifications.models import Notification
from halyard.workspaces.models import Membership, Role
from halyard.workspaces.services import invitation_accept, member_invite, member_set_role


def _deliver_all():
    for event in OutboxEvent.objects.filter(dispatched_at__isnull=True):
        event_deliver(event.pk)


def test_the_inviter_hears_that_the_invitation_was_accepted(acme, alice):
    with scope(workspace=acme):
        _invitation, token = member_invite(
            actor=actor_for(acme, alice),
            email="dana@example.com",
            role=Role.objects.get(key="sales_rep"),
        )
    invitation_accept(user=make_user("dana@example.com", "Dana Le"), token=token)
    _deliver_all()
    _deliver_all()  # a second delivery run changes nothing
    notification = Notification.objects.get(user=alice)
    assert notification.text == "Dana Le accepted your invitation to Acme."
    assert notification.url == "/w/acme/settings/members/"


def test_a_member_hears_of_a_role_change_in_their_own_language(acme, alice, bob):
    bob.language = "zh-hans"
    bob.save()
    with scope(workspace=acme):
        member_set_role(
            actor=actor_for(acme, alice),
            membership=Membership.objects.get(workspace=acme, user=bob),
            role=Role.objects.get(key="marketing"),
        )
    _deliver_all()
    client = client_for(bob)
    page = client.get("/w/acme/").content.decode()
    assert "您在 Acme 中的角色现在是“营销”。" in page  # the role named in her language
    assert 'class="count"' in page
    client.post("/notifications/read/", {"next": "/w/acme/"})
    assert not Notification.objects.filter(user=bob, read_at__isnull=True).exists()
    assert 'class="count"' not in client.get("/w/acme/").content.decode()


def test_nobody_else_sees_someone_elses_notifications(acme, alice, bob, charlie, other):
    with scope(workspace=acme):
        member_set_role(
            actor=actor_for(acme, alice),
            membership=Membership.objects.get(workspace=acme, user=bob),
            role=Role.objects.get(key="support"),
        )
    _deliver_all()
    assert "is now" not in client_for(charlie).get("/w/other/").content.decode()
    assert "is now" not in client_for(alice).get("/w/acme/").content.decode()
