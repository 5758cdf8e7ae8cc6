"""`halyard seed`: realistic data in bulk, findable, in the proportions the benchmarks assume."""

import io

import phonenumbers
import pytest
from django.core.management import CommandError, call_command
from django_scopes import scope

from halyard.activities.models import Activity
from halyard.companies.models import Company
from halyard.contacts.models import Contact
from halyard.core.seed import seed_workspace
from halyard.deals.models import Deal, DealStageChange, Pipeline
from halyard.leads.models import Lead
from halyard.search.models import SearchEntry
from halyard.search.normalise import is_cjk
from halyard.tasks.models import Task
from halyard.workspaces.models import Workspace


def test_seed_writes_every_record_type_in_proportion(acme):
    with scope(workspace=acme):
        counts = seed_workspace(acme, contacts=200, seed=3)
        assert (counts.companies, counts.contacts, counts.leads) == (20, 200, 40)
        assert (counts.deals, counts.activities, counts.tasks) == (60, 600, 100)
        assert Contact.objects.count() == 200
        assert Company.objects.count() == 20
        assert Lead.objects.count() == 40
        assert Deal.objects.count() == 60
        assert DealStageChange.objects.count() == 60
        assert Activity.objects.count() == 600
        assert Task.objects.count() == 100
        assert Pipeline.objects.count() == 3
        assert SearchEntry.objects.count() == 200 + 20 + 40 + 60  # deals are found too
        contacts = list(Contact.objects.all())
        assert any(is_cjk(c.last_name) for c in contacts)
        assert any("\u0600" <= c.last_name[:1] <= "\u06ff" for c in contacts)
        assert len({c.email for c in contacts}) == 200
        for contact in contacts[:50]:
            assert phonenumbers.is_valid_number(phonenumbers.parse(contact.phone, None)), (
                contact.phone
            )
        assert len({c.owner_id for c in contacts}) == 2  # Alice and Bob share the book
        assert len({c.lifecycle_stage for c in contacts}) > 3
        assert all(c.do_not_email_at and c.do_not_email_source for c in contacts if c.do_not_email)
        assert Company.objects.exclude(size="").count() == 20
        deal = Deal.objects.select_related("stage").first()
        assert deal.stage.pipeline_id == deal.pipeline_id
        lost = Deal.objects.filter(stage__kind="lost")
        assert lost.exists() and not lost.filter(lost_reason=None).exists()
        assert not lost.filter(lost_on=None).exists()
        assert not Deal.objects.filter(stage__kind="won", won_on=None).exists()
        assert not DealStageChange.objects.filter(to_stage_name="").exists()


def test_seed_command_creates_a_workspace_and_refuses_nonsense(db):
    out = io.StringIO()
    call_command(
        "seed", "--workspace", "load-test", "--contacts", "30", stdout=out, stderr=io.StringIO()
    )
    assert "load-test: 3 companies, 30 contacts" in out.getvalue()
    assert "owner@load-test.halyard.test" in out.getvalue()
    workspace = Workspace.objects.get(slug="load-test")
    with scope(workspace=workspace):
        assert Contact.objects.count() == 30
    with pytest.raises(CommandError):
        call_command("seed", "--workspace", "load-test", "--contacts", "0")
