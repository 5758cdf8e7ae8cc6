"""The base record machinery: scoping, versions, trash, audit, events, custom fields."""

import pytest
from django.db import DatabaseError, connection
from django_scopes import ScopeError, scope, scopes_disabled

from conftest import actor_for
from halyard.audit.models import AuditAction, AuditEntry
from halyard.audit.services import VersionConflict
from halyard.contacts.models import Contact
from halyard.contacts.services import (
    contact_create,
    contact_restore,
    contact_trash,
    contact_update,
)
from halyard.core.models import OutboxEvent
from halyard.customfields.models import CustomField, FieldType
from halyard.customfields.values import filter_custom


def test_query_outside_a_workspace_scope_fails_loudly(acme):
    with pytest.raises(ScopeError):
        list(Contact.objects.all())
    with pytest.raises(ScopeError):
        Contact.objects.filter(last_name="x").count()


def test_scope_hides_other_workspaces_rows(acme, other, alice, charlie):
    with scope(workspace=acme):
        contact_create(actor=actor_for(acme, alice), values={"last_name": "Acme person"})
    with scope(workspace=other):
        contact_create(actor=actor_for(other, charlie), values={"last_name": "Other person"})
        assert [c.last_name for c in Contact.objects.all()] == ["Other person"]


def test_create_records_provenance_audit_and_event(in_acme, alice):
    contact = contact_create(
        actor=actor_for(in_acme, alice),
        values={"first_name": "Lan", "last_name": "Pham", "email": " LAN@Example.COM "},
    )
    assert contact.email == "lan@example.com"
    assert contact.created_by == alice and contact.owner == alice
    assert contact.version == 1 and contact.source == "web"
    entry = AuditEntry.objects.get(
        object_type="contacts.contact", object_id=str(contact.pk), action=AuditAction.CREATE
    )
    assert entry.changes["last_name"] == [None, "Pham"]
    assert entry.workspace == in_acme and entry.actor == alice
    assert OutboxEvent.objects.filter(name="contact.created", payload__id=contact.pk).exists()


def test_update_against_an_older_version_is_refused(in_acme, alice):
    actor = actor_for(in_acme, alice)
    contact = contact_create(actor=actor, values={"last_name": "Pham"})
    contact_update(
        actor=actor, contact=contact, expected_version=1, values={"last_name": "Pham Thi"}
    )
    with pytest.raises(VersionConflict):
        contact_update(
            actor=actor, contact=contact, expected_version=1, values={"last_name": "Overwritten"}
        )
    contact.refresh_from_db()
    assert contact.last_name == "Pham Thi" and contact.version == 2
    update = AuditEntry.objects.get(
        object_type="contacts.contact", object_id=str(contact.pk), action=AuditAction.UPDATE
    )
    assert update.changes == {"last_name": ["Pham", "Pham Thi"]}


def test_trash_and_restore_are_audited(in_acme, alice):
    actor = actor_for(in_acme, alice)
    contact = contact_create(actor=actor, values={"last_name": "Pham"})
    contact_trash(actor=actor, contact=contact)
    assert not Contact.objects.alive().filter(pk=contact.pk).exists()
    assert Contact.objects.trashed().filter(pk=contact.pk).exists()
    contact_restore(actor=actor, contact=contact)
    assert Contact.objects.alive().filter(pk=contact.pk).exists()
    actions = list(
        AuditEntry.objects.filter(object_type="contacts.contact", object_id=str(contact.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "delete", "restore"]


def test_audit_log_is_append_only(in_acme, alice):
    contact_create(actor=actor_for(in_acme, alice), values={"last_name": "Pham"})
    entry = AuditEntry.objects.filter(workspace=in_acme).first()
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="update")
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(DatabaseError), connection.cursor() as cursor:  # the database refuses too
        cursor.execute("UPDATE audit_auditentry SET action = 'x' WHERE id = %s", [entry.pk])


@pytest.mark.parametrize(
    ("field_type", "options", "stored", "op", "value", "matches"),
    [
        (FieldType.SELECT, ["SMB", "Enterprise"], "SMB", "eq", "SMB", True),
        (FieldType.SELECT, ["SMB", "Enterprise"], "SMB", "eq", "Enterprise", False),
        (FieldType.MULTI_SELECT, ["a", "b"], ["a", "b"], "eq", "b", True),
        (FieldType.NUMBER, [], 40, "gt", "30", True),
        (FieldType.NUMBER, [], 20, "gt", "30", False),
        (FieldType.DECIMAL, [], "12.50", "lt", "13", True),
        (FieldType.CHECKBOX, [], True, "eq", "true", True),
        (FieldType.TEXT, [], "Hà Nội office", "contains", "hà nội", True),
    ],
)
def test_custom_fields_can_be_filtered(
    in_acme, alice, field_type, options, stored, op, value, matches
):
    definition = CustomField.objects.create(
        workspace=in_acme,
        record_type="contacts",
        key="f",
        label="F",
        field_type=field_type,
        options=options,
    )
    contact = contact_create(
        actor=actor_for(in_acme, alice), values={"last_name": "X", "custom": {"f": stored}}
    )
    found = filter_custom(Contact.objects.all(), definition, op, value)
    assert (contact in found) is matches


def test_events_are_delivered_once_even_when_dispatched_twice(in_acme, alice):
    from halyard.core import events
    from halyard.core.jobs import event_deliver

    seen = []
    handler = events.subscribe("contact.created")(lambda event: seen.append(event.pk))
    try:
        contact_create(actor=actor_for(in_acme, alice), values={"last_name": "Pham"})
        event = OutboxEvent.objects.get(name="contact.created")
        event_deliver(event.pk)
        event_deliver(event.pk)
        assert seen == [event.pk]
        event.refresh_from_db()
        assert event.dispatched_at is not None
    finally:
        events._SUBSCRIBERS["contact.created"].remove(handler)


def test_a_failing_subscriber_is_retried_without_rerunning_the_others(in_acme, alice):
    from halyard.core import events
    from halyard.core.jobs import DeliveryFailed, event_deliver

    calls = {"ok": 0, "flaky": 0}

    def ok(event):
        calls["ok"] += 1

    def flaky(event):
        calls["flaky"] += 1
        if calls["flaky"] == 1:
            raise RuntimeError("receiver down")

    events.subscribe("contact.created")(ok)
    events.subscribe("contact.created")(flaky)
    try:
        contact_create(actor=actor_for(in_acme, alice), values={"last_name": "Pham"})
        event = OutboxEvent.objects.get(name="contact.created")
        with pytest.raises(DeliveryFailed):
            event_deliver(event.pk)
        event.refresh_from_db()
        assert event.dispatched_at is None and "receiver down" in event.last_error
        event_deliver(event.pk)
        assert calls == {"ok": 1, "flaky": 2}
    finally:
        events._SUBSCRIBERS["contact.created"][:] = [
            h for h in events._SUBSCRIBERS["contact.created"] if h not in (ok, flaky)
        ]


def test_deleting_a_workspace_removes_all_its_data(acme, other, alice, charlie):
    from halyard.workspaces.services import workspace_delete

    with scope(workspace=acme):
        contact_create(actor=actor_for(acme, alice), values={"last_name": "Gone"})
    with scope(workspace=other):
        contact_create(actor=actor_for(other, charlie), values={"last_name": "Kept"})
    workspace_delete(actor=actor_for(acme, alice), confirm_slug="acme")
    with scopes_disabled():
        assert list(Contact.objects.values_list("last_name", flat=True)) == ["Kept"]
        assert not AuditEntry.objects.filter(workspace_id=acme.pk).exists()
        assert not OutboxEvent.objects.filter(workspace_id=acme.pk).exists()


def test_the_relay_resends_a_lost_event_once_not_on_every_run(in_acme, alice, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from halyard.core import events, jobs

    sent = []
    monkeypatch.setattr(jobs.dispatch_event, "delay", sent.append)
    handler = events.subscribe("contact.created")(lambda event: None)
    try:
        contact_create(actor=actor_for(in_acme, alice), values={"last_name": "Lost"})
        event = OutboxEvent.objects.get(name="contact.created")
        assert jobs.relay_outbox() == 0  # too fresh: its own enqueue may still be on the way
        OutboxEvent.objects.filter(pk=event.pk).update(
            created_at=timezone.now() - timedelta(minutes=1)
        )
        assert jobs.relay_outbox() == 1 and sent == [event.pk]
        assert jobs.relay_outbox() == 0  # already in the queue
    finally:
        events._SUBSCRIBERS["contact.created"].remove(handler)
