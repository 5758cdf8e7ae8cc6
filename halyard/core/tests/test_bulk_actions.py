"""Bulk actions on a list: every record through its services; what cannot change is skipped."""

import pytest
from django_scopes import scope, scopes_disabled

from conftest import actor_for, client_for, make_user
from halyard.audit.models import AuditEntry
from halyard.contacts.models import Contact
from halyard.contacts.services import contact_create
from halyard.core.models import OutboxEvent
from halyard.customfields.models import Tag
from halyard.deals.models import Deal, Pipeline, Stage
from halyard.deals.services import deal_create, pipeline_ensure_default
from halyard.workspaces.models import Membership, Role


@pytest.fixture
def book(acme, alice, bob):
    """Two of Alice's contacts, one of Bob's, and a VIP tag."""
    with scope(workspace=acme):
        vip = Tag.objects.create(workspace=acme, name="VIP")
        a1 = contact_create(actor=actor_for(acme, alice), values={"last_name": "A1"})
        a2 = contact_create(actor=actor_for(acme, alice), values={"last_name": "A2", "tags": [vip]})
        b1 = contact_create(actor=actor_for(acme, bob), values={"last_name": "B1"})
    return {"vip": vip, "a1": a1, "a2": a2, "b1": b1}


def _bulk(client, action, *records, path="/w/acme/contacts/"):
    return client.post(
        f"{path}bulk/",
        {"action": action, "ids": [r.pk for r in records], "next": f"{path}?s=1&q="},
        follow=True,
    )


def test_add_a_tag_skips_what_the_member_may_not_touch(acme, book, bob):
    response = _bulk(client_for(bob), f"tag_add:{book['vip'].pk}", book["a1"], book["b1"])
    page = response.content.decode()
    assert "1 record changed; 1 skipped" in page
    with scope(workspace=acme):
        b1 = Contact.objects.get(pk=book["b1"].pk)
        assert [t.name for t in b1.tags.all()] == ["VIP"] and b1.version == 2
        assert not Contact.objects.get(pk=book["a1"].pk).tags.exists()
        entry = AuditEntry.objects.get(action="update", object_id=str(b1.pk))
        assert entry.changes == {"tags": [[], ["VIP"]]} and entry.actor == bob
        assert OutboxEvent.objects.filter(name="contact.updated").count() == 1


def test_assign_owner_changes_each_record_through_its_service(acme, book, alice, bob):
    response = _bulk(client_for(alice), f"owner:{bob.pk}", book["a1"], book["a2"], book["b1"])
    assert "3 records changed." in response.content.decode()
    with scope(workspace=acme):
        assert set(Contact.objects.values_list("owner_id", flat=True)) == {bob.pk}
        # b1 already belonged to Bob: nothing to audit for it
        assert AuditEntry.objects.filter(action="update").count() == 2
        assert Contact.objects.get(pk=book["a1"].pk).version == 2


def test_a_read_only_member_changes_nothing(acme, book, alice):
    reader = make_user("rin@example.com", "Rin Reader")
    with scopes_disabled():
        Membership.objects.create(
            workspace=acme, user=reader, role=Role.objects.get(workspace=acme, key="read_only")
        )
    client = client_for(reader)
    page = client.get("/w/acme/contacts/").content.decode()
    assert 'name="ids"' not in page  # no checkboxes without an action to offer
    response = _bulk(client, f"tag_add:{book['vip'].pk}", book["a1"], book["b1"])
    assert "0 records changed; 2 skipped" in response.content.decode()
    with scope(workspace=acme):
        assert not AuditEntry.objects.filter(action="update").exists()


def test_remove_a_tag_and_move_to_trash(acme, book, alice):
    client = client_for(alice)
    _bulk(client, f"tag_remove:{book['vip'].pk}", book["a2"], book["a1"])
    with scope(workspace=acme):
        assert not Contact.objects.get(pk=book["a2"].pk).tags.exists()
        assert Contact.objects.get(pk=book["a1"].pk).version == 1  # had no tag: untouched
    response = _bulk(client, "trash:", book["a1"], book["b1"])
    assert "2 records changed." in response.content.decode()
    with scope(workspace=acme):
        assert Contact.objects.trashed().count() == 2
        assert AuditEntry.objects.filter(action="delete").count() == 2


def test_change_stage_only_within_each_deals_pipeline(acme, alice):
    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        sales = {s.name: s for s in pipeline_ensure_default(actor=actor).stages.all()}
        renewals = Pipeline.objects.create(workspace=acme, name="Renewals", position=1)
        due = Stage.objects.create(workspace=acme, pipeline=renewals, name="Due", position=0)
        new = deal_create(actor=actor, values={"name": "New", "stage": sales["Qualification"]})
        renewal = deal_create(actor=actor, values={"name": "Renewal", "stage": due})
    page = client_for(alice).get("/w/acme/deals/").content.decode()
    assert "Change stage" in page and "Sales › Proposal" in page
    response = _bulk(
        client_for(alice), f"stage:{sales['Proposal'].pk}", new, renewal, path="/w/acme/deals/"
    )
    text = response.content.decode()
    assert (
        "1 record changed; 1 skipped" in text and "Choose a stage of the pipeline Renewals" in text
    )
    with scope(workspace=acme):
        assert Deal.objects.get(pk=new.pk).stage == sales["Proposal"]
        assert Deal.objects.get(pk=renewal.pk).stage == due
        assert OutboxEvent.objects.filter(name="deal.stage_changed").count() == 1


def test_bad_bulk_requests_change_nothing(acme, book, alice, charlie, other):
    client = client_for(alice)
    for action in ("", "owner:abc", f"owner:{charlie.pk}", "tag_add:99999", "explode:1", "stage:1"):
        response = _bulk(client, action, book["a1"])
        assert response.status_code == 200
        assert "Choose an action from the list." in response.content.decode(), action
    response = client.post("/w/acme/contacts/bulk/", {"action": "trash:"}, follow=True)
    assert "Choose at least one record first." in response.content.decode()
    response = client.post(
        "/w/acme/contacts/bulk/", {"action": "trash:", "ids": list(range(1, 502))}, follow=True
    )
    assert "Choose at most 500 records at a time." in response.content.decode()
    with scope(workspace=acme):
        assert Contact.objects.alive().count() == 3
        assert not AuditEntry.objects.filter(action__in=["update", "delete"]).exists()


def test_the_next_address_stays_inside_the_workspace(acme, book, alice):
    response = client_for(alice).post(
        "/w/acme/contacts/bulk/",
        {"action": "trash:", "ids": [book["a1"].pk], "next": "https://evil.example/"},
    )
    assert response["Location"] == "/w/acme/contacts/"
