"""`halyard demo`: create the demo workspace with sample data once, and print its login."""

from __future__ import annotations

import random
import secrets
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django_scopes import scope

from halyard.accounts.models import User
from halyard.contacts.models import Contact
from halyard.core.context import Source
from halyard.customfields.models import CustomField, FieldType, Tag
from halyard.workspaces.models import Membership, Role, Team, Workspace

OWNER_EMAIL = "owner@demo.halyard.test"
REP_EMAIL = "rep@demo.halyard.test"
TAGS = ["VIP", "Partner", "Newsletter", "Trade show 2026", "Referral"]


class Command(BaseCommand):
    help = "Create the demo workspace (slug 'demo') with sample data, once; print its login."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--contacts", type=int, default=240)

    def handle(self, *args: Any, **options: Any) -> None:
        login_file = settings.VAR_DIR / "demo-login.txt"
        if not Workspace.objects.filter(slug="demo").exists():
            password = secrets.token_urlsafe(12)
            self._create(password, options["contacts"])
            login_file.write_text(f"{OWNER_EMAIL}\n{password}\n")
            login_file.chmod(0o600)
        if login_file.exists():
            email, password = login_file.read_text().split()[:2]
            self.stdout.write(
                self.style.SUCCESS(
                    f"\nDemo workspace 'demo' — sign in as {email} with password {password}\n"
                )
            )
        else:
            self.stdout.write("The demo workspace exists; its login file in var/ is missing.")

    @transaction.atomic
    def _create(self, password: str, n_contacts: int) -> None:
        from halyard.core.seed import seed_workspace
        from halyard.workspaces.services import workspace_create

        owner = _user(OWNER_EMAIL, "Alice Tran", password)
        rep = _user(REP_EMAIL, "Bob Nguyen", password)
        workspace = workspace_create(
            owner=owner, name="Demo Trading Co.", slug="demo", source=Source.SYSTEM
        )
        rnd = random.Random(2026)  # noqa: S311 - sample data, not security
        with scope(workspace=workspace):
            rep_role = Role.objects.get(key="sales_rep")
            rep_member = Membership.objects.create(workspace=workspace, user=rep, role=rep_role)
            owner_member = Membership.objects.get(workspace=workspace, user=owner)
            team = Team.objects.create(workspace=workspace, name="Ho Chi Minh City")
            team.members.set([owner_member, rep_member])
            for name in TAGS:
                Tag.objects.create(workspace=workspace, name=name)
            CustomField.objects.create(
                workspace=workspace,
                record_type="contacts",
                key="segment",
                label="Segment",
                field_type=FieldType.SELECT,
                options=["SMB", "Mid-market", "Enterprise"],
            )
            CustomField.objects.create(
                workspace=workspace,
                record_type="companies",
                key="employees",
                label="Employees",
                field_type=FieldType.NUMBER,
            )
            seed_workspace(workspace, contacts=n_contacts)
            _work(workspace, owner, rnd)


def _user(email: str, name: str, password: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, password, full_name=name)
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    return user


CALLS = [
    "Hỏi giá kho lạnh",
    "Follow-up on the proposal",
    "确认交货时间",
    "پیگیری پیش‌فاکتور",
    "Intro call",
    "Gia hạn hợp đồng",
    "Demo scheduling",
]
TASKS = [
    "Send the revised quote",
    "Gửi báo giá mới",
    "准备合同草稿",
    "تماس برای پیگیری",
    "Book the site visit",
    "Chuẩn bị demo",
    "Check payment status",
]


def _work(workspace: Workspace, owner: User, rnd: random.Random) -> None:
    """Give the demo's owner calls and notes on contacts, and tasks due around today."""
    from datetime import timedelta

    from django.utils import timezone

    from halyard.activities.services import activity_log
    from halyard.core.context import Actor as _Actor
    from halyard.tasks.services import task_create

    membership = Membership.objects.get(workspace=workspace, user=owner)
    actor = _Actor(workspace=workspace, user=owner, membership=membership, source=Source.SYSTEM)
    contacts = list(Contact.objects.order_by("pk")[:60])
    now = timezone.now()
    for i, contact in enumerate(contacts):
        kind = "call" if i % 3 else "note"
        activity_log(
            actor=actor,
            values={
                "kind": kind,
                "contact": contact,
                "subject": rnd.choice(CALLS),
                "body": "Khách quan tâm, hẹn gọi lại tuần sau." if kind == "note" else "",
                "occurred_at": now - timedelta(days=rnd.randint(0, 30), hours=rnd.randint(0, 8)),
                "direction": "outbound" if kind == "call" else "",
                "duration_minutes": rnd.randint(2, 25) if kind == "call" else None,
                "outcome": rnd.choice(["connected", "no_answer", "voicemail"])
                if kind == "call"
                else "",
            },
        )
    for i in range(12):
        task_create(
            actor=actor,
            values={
                "title": rnd.choice(TASKS),
                "owner_id": owner.pk,
                "contact": rnd.choice(contacts),
                "priority": rnd.choice(["low", "normal", "normal", "high"]),
                "due_at": now + timedelta(days=i - 3, hours=rnd.randint(0, 6)),
            },
        )
