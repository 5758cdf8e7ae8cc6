"""A workspace with at least one row of every kind the export holds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_scopes import scopes_disabled

from conftest import actor_for
from halyard.activities.models import Activity
from halyard.audit.models import AuditAction
from halyard.audit.services import audit_write
from halyard.companies.models import Company, CompanyDomain
from halyard.contacts.models import Contact, ContactEmail, ContactPhone, PastCompany
from halyard.customfields.models import CustomField, Tag
from halyard.deals.models import (
    Deal,
    DealContact,
    DealStageChange,
    ExchangeRate,
    LostReason,
    Pipeline,
    Stage,
)
from halyard.imports.models import Import, ImportRow, MappingTemplate
from halyard.leads.models import Lead
from halyard.savedviews.models import SavedView
from halyard.tasks.models import Task
from halyard.workspaces.models import Membership, Team


def seed_everything(workspace: Any, alice: Any, bob: Any) -> dict[str, Any]:
    """Write one or more rows of every exported table; return the notable ones."""
    now = timezone.now()
    ws = {"workspace": workspace}
    with scopes_disabled():
        alice_m = Membership.objects.get(workspace=workspace, user=alice)
        bob_m = Membership.objects.get(workspace=workspace, user=bob)
        team = Team.objects.create(**ws, name="Hà Nội")
        team.members.set([alice_m, bob_m])
        vip = Tag.objects.create(**ws, name="VIP")
        Tag.objects.create(**ws, name="新客户")
        CustomField.objects.create(
            **ws,
            record_type="contacts",
            key="tier",
            label="Tier",
            field_type="select",
            options=["gold", "silver"],
        )
        CustomField.objects.create(
            **ws,
            record_type="contacts",
            key="account_manager",
            label="Account manager",
            field_type="user",
        )
        CustomField.objects.create(
            **ws, record_type="deals", key="budget", label="Budget", field_type="currency"
        )
        pipeline = Pipeline.objects.create(**ws, name="New business")
        qualify = Stage.objects.create(**ws, pipeline=pipeline, name="Qualify", probability=20)
        won = Stage.objects.create(
            **ws, pipeline=pipeline, name="Won", probability=100, kind="won", position=1
        )
        reason = LostReason.objects.create(**ws, name="Price")
        ExchangeRate.objects.create(
            **ws,
            currency="EUR",
            base_currency="USD",
            rate=Decimal("1.0812345678"),
            effective_on=dt.date(2026, 1, 1),
            created_by=alice,
        )
        parent = Company.objects.create(**ws, name="Sen Vàng Group", owner=alice)
        company = Company.objects.create(
            **ws,
            name="Sen Vàng",
            domain="senvang.vn",
            parent=parent,
            owner=bob,
            annual_revenue=Decimal("1234567.89"),
            social={"linkedin": "senvang"},
        )
        company.tags.set([vip])
        CompanyDomain.objects.create(**ws, company=company, domain="senvang.vn", is_primary=True)
        CompanyDomain.objects.create(**ws, company=company, domain="senvang.com", position=1)
        an = Contact.objects.create(
            **ws,
            first_name="An",
            last_name="Nguyễn",
            email="an@senvang.vn",
            company=company,
            owner=bob,
            custom={"tier": "gold", "account_manager": bob.pk},
            birthday=dt.date(1990, 5, 17),
        )
        an.tags.set([vip])
        ContactEmail.objects.create(**ws, contact=an, email="an@senvang.vn", is_primary=True)
        ContactPhone.objects.create(**ws, contact=an, number="+84912345678", is_primary=True)
        PastCompany.objects.create(
            **ws,
            contact=an,
            company=parent,
            company_name="Sen Vàng Group",
            ended_on=dt.date(2024, 12, 31),
        )
        trashed = Contact.objects.create(
            **ws, first_name="Old", last_name="Contact", deleted_at=now, owner=alice
        )
        parent.trash_links = {"related": "trash", "contacts": [trashed.pk], "deals": []}
        parent.save(update_fields=["trash_links"])
        deal = Deal.objects.create(
            **ws,
            name="Sen Vàng renewal",
            company=company,
            pipeline=pipeline,
            stage=won,
            amount=Decimal("5000.00"),
            currency="EUR",
            owner=bob,
            custom={"budget": "6000.00"},
        )
        lost = Deal.objects.create(
            **ws, name="Lost one", pipeline=pipeline, stage=qualify, lost_reason=reason
        )
        deal.tags.set([vip])
        DealContact.objects.create(**ws, deal=deal, contact=an, role="champion")
        DealStageChange.objects.create(
            **ws, deal=deal, from_stage=qualify, to_stage=won, to_stage_name="Won", changed_by=bob
        )
        lead = Lead.objects.create(
            **ws,
            first_name="Bình",
            last_name="Trần",
            company_name="Sen Vàng",
            status="qualified",
            converted_at=now,
            converted_contact=an,
            converted_company=company,
            converted_deal=deal,
        )
        lead.tags.set([vip])
        meeting = Activity.objects.create(
            **ws,
            kind="meeting",
            subject="Kick-off",
            deal=deal,
            owner=bob,
            ends_at=now + dt.timedelta(hours=1),
            attendee_emails=["guest@example.org"],
            body='Line one\nLine "two", with a comma',
        )
        meeting.attendee_contacts.set([an])
        meeting.attendee_users.set([alice, bob])
        Activity.objects.create(**ws, kind="call", lead=lead, outcome="connected")
        Task.objects.create(**ws, title="Send the quote", contact=an, owner=bob, due_at=now)
        SavedView.objects.create(
            **ws,
            record_type="contacts",
            name="Gold",
            owner=alice,
            shared=True,
            filters={
                "q": "",
                "conditions": [["cf_tier", "eq", "gold", ""], ["owner", "eq", str(bob.pk), ""]],
                "other": {"pipeline": str(pipeline.pk)},
            },
        )
        MappingTemplate.objects.create(
            **ws, record_type="contacts", name="CRM export", mapping={"email": "email"}
        )
        upload = Path(settings.VAR_DIR) / "imports" / str(workspace.pk) / "upload.csv"
        upload.parent.mkdir(parents=True, exist_ok=True)
        upload.write_bytes(b"Email\nan@senvang.vn\n")
        job = Import.objects.create(
            **ws,
            user=alice,
            record_type="contacts",
            file_name="khách hàng.csv",
            file_path=f"imports/{workspace.pk}/upload.csv",
            file_format="csv",
            headers=["Email"],
            status="done",
        )
        ImportRow.objects.create(
            **ws, job=job, row_number=1, model="contact", action="created", record_id=an.pk
        )
        audit_write(
            actor=actor_for(workspace, alice),
            action=AuditAction.UPDATE,
            obj=an,
            changes={"title": [None, "CEO"]},
        )
    return {
        "contact": an,
        "company": company,
        "parent": parent,
        "deal": deal,
        "lost": lost,
        "lead": lead,
        "meeting": meeting,
        "trashed": trashed,
    }
