"""Merging records into one and undoing it: relations, values, audit, permissions, bad input."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_scopes import scope

from conftest import actor_for
from halyard.activities.models import Activity
from halyard.audit.models import AuditEntry
from halyard.companies.models import Company
from halyard.companies.services import company_create
from halyard.contacts.models import Contact, ContactEmail
from halyard.contacts.services import contact_create, contact_update
from halyard.core.models import OutboxEvent
from halyard.customfields.models import Tag
from halyard.deals.models import Deal, DealContact
from halyard.deals.services import deal_create, pipeline_ensure_default
from halyard.duplicates import services
from halyard.duplicates.models import DuplicatePair, MergeRecord, PairStatus
from halyard.duplicates.services import UnmergeRefused, merge_undo, records_merge
from halyard.leads.models import Lead
from halyard.leads.services import lead_create
from halyard.tasks.models import Task


@pytest.fixture
def world(acme, alice):
    """Two contacts for one person, each with activities, a task, a deal role and a tag."""
    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        sen = company_create(actor=actor, values={"name": "Sen Vàng"})
        a = contact_create(
            actor=actor,
            values={
                "last_name": "Nguyễn",
                "first_name": "An",
                "emails": ["an@senvang.vn"],
                "city": "",
                "title": "Buyer",
                "custom": {"size": "L"},
            },
        )
        b = contact_create(
            actor=actor,
            values={
                "last_name": "Nguyen",
                "first_name": "An",
                "emails": ["an.nguyen@gmail.com", "an@senvang.vn"],
                "phones": ["+84912345678"],
                "city": "Hà Nội",
                "title": "Head buyer",
                "company": sen,
                "do_not_email": True,
            },
        )
        tag = Tag.objects.create(workspace=acme, name="vip")
        b.tags.add(tag)
        Activity.objects.create(workspace=acme, kind="call", subject="Called B", contact=b)
        Activity.objects.create(workspace=acme, kind="note", subject="Note A", contact=a)
        meeting = Activity.objects.create(
            workspace=acme, kind="meeting", subject="Lunch", contact=a
        )
        meeting.attendee_contacts.add(a, b)
        Task.objects.create(workspace=acme, title="Call back", contact=b, due_at=None)
        stage = pipeline_ensure_default(actor=actor).stages.order_by("position").first()
        deal = deal_create(actor=actor, values={"name": "Big order", "stage": stage})
        deal2 = deal_create(actor=actor, values={"name": "Small order", "stage": stage})
        DealContact.objects.create(workspace=acme, deal=deal, contact=a, role="buyer")
        DealContact.objects.create(workspace=acme, deal=deal, contact=b, role="champion")
        DealContact.objects.create(workspace=acme, deal=deal2, contact=b, role="champion")
        lead = lead_create(actor=actor, values={"last_name": "Nguyen"})
        Lead.objects.filter(pk=lead.pk).update(converted_contact=b)
        a.refresh_from_db()
        b.refresh_from_db()
    return {
        "actor": actor,
        "a": a,
        "b": b,
        "sen": sen,
        "deal": deal,
        "deal2": deal2,
        "tag": tag,
        "meeting": meeting,
        "lead": lead,
    }


def _state(acme, a, b):
    """Everything that points at the two contacts, to compare before merge and after undo."""
    with scope(workspace=acme):
        return {
            "activities": sorted(
                Activity._base_manager.filter(contact__in=[a, b]).values_list("pk", "contact_id")
            ),
            "tasks": sorted(
                Task._base_manager.filter(contact__in=[a, b]).values_list("pk", "contact_id")
            ),
            "roles": sorted(
                DealContact._base_manager.filter(contact__in=[a, b]).values_list(
                    "deal_id", "contact_id", "role"
                )
            ),
            "attendees": sorted(
                Activity.attendee_contacts.through.objects.filter(contact__in=[a, b]).values_list(
                    "activity_id", "contact_id"
                )
            ),
            "leads": sorted(
                Lead._base_manager.filter(converted_contact__in=[a, b]).values_list(
                    "pk", "converted_contact_id"
                )
            ),
            "emails": sorted(
                ContactEmail._base_manager.filter(contact__in=[a, b]).values_list(
                    "contact_id", "email", "is_primary"
                )
            ),
            "a": Contact._base_manager.get(pk=a.pk).audit_snapshot(),
            "b": Contact._base_manager.get(pk=b.pk).audit_snapshot(),
            "alive": sorted(
                Contact.objects.alive().filter(pk__in=[a.pk, b.pk]).values_list("pk", flat=True)
            ),
        }


def test_merge_moves_every_relation_unites_values_and_trashes_the_loser(acme, world):
    a, b, actor = world["a"], world["b"], world["actor"]
    version = a.version
    with scope(workspace=acme):
        result = records_merge(
            actor=actor,
            record_type="contacts",
            survivor_id=a.pk,
            ids=[b.pk],
            choices={"title": b.pk, "company": b.pk},
        )
        a.refresh_from_db()
        b.refresh_from_db()
        assert b.deleted_at is not None
        assert a.title == "Head buyer"  # chosen from b
        assert a.city == "Hà Nội"  # empty on the survivor: filled from b by default
        assert a.company_id == world["sen"].pk
        assert a.do_not_email  # consent is united
        assert a.custom == {"size": "L"}
        assert list(a.emails.values_list("email", "is_primary")) == [
            ("an@senvang.vn", True),
            ("an.nguyen@gmail.com", False),
        ]
        assert a.phone == "+84912345678"
        assert set(a.tags.values_list("name", flat=True)) == {"vip"}
        assert Activity._base_manager.filter(contact=b).count() == 0
        assert Activity._base_manager.filter(contact=a).count() == 3
        assert Task._base_manager.get().contact_id == a.pk
        assert sorted(DealContact.objects.values_list("deal_id", "contact_id", "role")) == sorted(
            [(world["deal"].pk, a.pk, "buyer"), (world["deal2"].pk, a.pk, "champion")]
        )
        assert list(world["meeting"].attendee_contacts.values_list("pk", flat=True)) == [a.pk]
        assert Lead._base_manager.get(pk=world["lead"].pk).converted_contact_id == a.pk
        entry = AuditEntry.objects.filter(
            object_type="contacts.contact", object_id=str(a.pk)
        ).latest("pk")
        assert entry.changes["merge"] == {"id": result.merge.pk, "losers": [str(b)]}
        assert "title" in entry.changes
        assert entry.source == "web"
        trashed = AuditEntry.objects.filter(object_id=str(b.pk), action="delete").get()
        assert trashed.changes["merge"]["into"] == a.pk
        assert OutboxEvent.objects.filter(name="contact.merged", payload__id=a.pk).exists()
        assert a.version == version + 1


def test_undo_restores_exactly_what_the_merge_changed(acme, world):
    a, b, actor = world["a"], world["b"], world["actor"]
    before = _state(acme, a, b)
    with scope(workspace=acme):
        result = records_merge(
            actor=actor,
            record_type="contacts",
            survivor_id=a.pk,
            ids=[b.pk],
            choices={"title": b.pk},
        )
        assert _state(acme, a, b) != before
        merge_undo(actor=actor, merge=result.merge)
    after = _state(acme, a, b)
    assert after == before
    with scope(workspace=acme):
        assert MergeRecord.objects.get().is_undone
        assert OutboxEvent.objects.filter(name="contact.unmerged").exists()
        with pytest.raises(UnmergeRefused, match="already been undone"):
            merge_undo(actor=actor, merge=MergeRecord.objects.get())


def test_undo_keeps_survivor_fields_edited_since_the_merge(acme, world):
    a, b, actor = world["a"], world["b"], world["actor"]
    with scope(workspace=acme):
        result = records_merge(
            actor=actor,
            record_type="contacts",
            survivor_id=a.pk,
            ids=[b.pk],
            choices={"title": b.pk},
        )
        a.refresh_from_db()
        contact_update(
            actor=actor, contact=a, expected_version=a.version, values={"title": "Director"}
        )
        merge_undo(actor=actor, merge=result.merge)
        a.refresh_from_db()
        assert a.title == "Director"
        assert a.city == ""  # not edited since: back to its old value


def test_undo_is_refused_when_a_merged_record_was_purged(acme, world):
    a, b, actor = world["a"], world["b"], world["actor"]
    with scope(workspace=acme):
        result = records_merge(actor=actor, record_type="contacts", survivor_id=a.pk, ids=[b.pk])
        Contact._base_manager.filter(pk=b.pk).delete()
        with pytest.raises(UnmergeRefused, match="deleted for good"):
            merge_undo(actor=actor, merge=result.merge)
        assert not MergeRecord.objects.get().is_undone


def test_a_merge_is_one_transaction(acme, world, monkeypatch):
    a, b, actor = world["a"], world["b"], world["actor"]
    before = _state(acme, a, b)

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_pairs_merged", boom)
    with scope(workspace=acme), pytest.raises(RuntimeError):
        records_merge(actor=actor, record_type="contacts", survivor_id=a.pk, ids=[b.pk])
    assert _state(acme, a, b) == before
    with scope(workspace=acme):
        assert MergeRecord.objects.count() == 0


def test_merging_marks_the_pair_merged(acme, world):
    a, b, actor = world["a"], world["b"], world["actor"]
    with scope(workspace=acme):
        pair = DuplicatePair.objects.create(
            workspace=acme,
            record_type="contacts",
            first_id=min(a.pk, b.pk),
            second_id=max(a.pk, b.pk),
        )
        records_merge(actor=actor, record_type="contacts", survivor_id=a.pk, ids=[b.pk])
        pair.refresh_from_db()
        assert pair.status == PairStatus.MERGED


def test_companies_merge_moves_contacts_deals_and_subsidiaries(acme, alice):
    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        a = company_create(actor=actor, values={"name": "Hoa Sen", "domains": ["hoasen.vn"]})
        b = company_create(
            actor=actor, values={"name": "Hoa Sen JSC", "domains": ["hoasen.com.vn"]}
        )
        sub = company_create(actor=actor, values={"name": "Hoa Sen North", "parent": b})
        person = contact_create(actor=actor, values={"last_name": "Lê", "company": b})
        stage = pipeline_ensure_default(actor=actor).stages.order_by("position").first()
        deal = deal_create(actor=actor, values={"name": "Roofing", "company": b, "stage": stage})
        result = records_merge(actor=actor, record_type="companies", survivor_id=a.pk, ids=[b.pk])
        assert Contact.objects.get(pk=person.pk).company_id == a.pk
        assert Deal.objects.get(pk=deal.pk).company_id == a.pk
        assert Company.objects.get(pk=sub.pk).parent_id == a.pk
        assert list(a.domains.values_list("domain", flat=True)) == ["hoasen.vn", "hoasen.com.vn"]
        merge_undo(actor=actor, merge=result.merge)
        assert Contact.objects.get(pk=person.pk).company_id == b.pk
        assert Deal.objects.get(pk=deal.pk).company_id == b.pk
        assert Company.objects.get(pk=sub.pk).parent_id == b.pk
        assert list(a.domains.values_list("domain", flat=True)) == ["hoasen.vn"]
        assert Company.objects.alive().filter(pk=b.pk).exists()


def test_leads_merge_three_at_once(acme, alice):
    with scope(workspace=acme):
        actor = actor_for(acme, alice)
        leads = [
            lead_create(actor=actor, values={"last_name": "Ito", "email": e})
            for e in ("ito@x.jp", "", "ken@x.jp")
        ]
        Activity.objects.create(workspace=acme, kind="call", lead=leads[2])
        records_merge(
            actor=actor,
            record_type="leads",
            survivor_id=leads[1].pk,
            ids=[leads[0].pk, leads[2].pk],
            choices={"email": leads[2].pk},
        )
        survivor = Lead.objects.get(pk=leads[1].pk)
        assert survivor.email == "ken@x.jp"
        assert Activity.objects.get().lead_id == survivor.pk
        assert Lead.objects.alive().count() == 1


def test_bad_input_is_refused_with_a_clear_message(acme, other, alice, charlie, world):
    a, b, actor = world["a"], world["b"], world["actor"]
    with scope(workspace=other):
        theirs = contact_create(actor=actor_for(other, charlie), values={"last_name": "X"})
    with scope(workspace=acme):
        with pytest.raises(ValidationError, match="do not exist in this workspace"):
            records_merge(actor=actor, record_type="contacts", survivor_id=a.pk, ids=[theirs.pk])
        with pytest.raises(ValidationError, match="do not exist in this workspace"):
            records_merge(
                actor=actor,
                record_type="companies",
                survivor_id=world["sen"].pk,
                ids=[a.pk + 10_000],
            )
        with pytest.raises(ValidationError, match="at least two"):
            records_merge(actor=actor, record_type="contacts", survivor_id=a.pk, ids=[a.pk])
        with pytest.raises(ValidationError, match="cannot be merged"):
            records_merge(actor=actor, record_type="deals", survivor_id=a.pk, ids=[b.pk])
        from halyard.contacts.services import contact_trash

        contact_trash(actor=actor, contact=b)
        with pytest.raises(ValidationError, match="in the trash"):
            records_merge(actor=actor, record_type="contacts", survivor_id=a.pk, ids=[b.pk])
        s2 = company_create(actor=actor, values={"name": "Sen Vang"})
        with pytest.raises(ValidationError, match="changed after you opened"):
            records_merge(
                actor=actor,
                record_type="companies",
                survivor_id=world["sen"].pk,
                ids=[s2.pk],
                versions={s2.pk: s2.version + 1},
            )


def test_merging_needs_edit_and_delete_on_every_record_in_scope(acme, alice, bob):
    with scope(workspace=acme):
        bob_actor = actor_for(acme, bob)
        mine = contact_create(actor=bob_actor, values={"last_name": "Mine"})
        alices = contact_create(actor=actor_for(acme, alice), values={"last_name": "Hers"})
        with pytest.raises(PermissionDenied):
            records_merge(
                actor=bob_actor, record_type="contacts", survivor_id=mine.pk, ids=[alices.pk]
            )
        assert Contact.objects.alive().count() == 2
        other_mine = contact_create(actor=bob_actor, values={"last_name": "Mine too"})
        records_merge(
            actor=bob_actor, record_type="contacts", survivor_id=mine.pk, ids=[other_mine.pk]
        )
        assert Contact.objects.alive().count() == 2
