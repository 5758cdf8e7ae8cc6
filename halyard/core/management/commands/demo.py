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
from faker import Faker

from halyard.accounts.models import User
from halyard.companies.models import Company
from halyard.contacts.models import Contact
from halyard.core.context import Actor, Source
from halyard.customfields.models import CustomField, FieldType, Tag
from halyard.workspaces.models import Membership, Role, Team, Workspace

OWNER_EMAIL = "owner@demo.halyard.test"
REP_EMAIL = "rep@demo.halyard.test"
LOCALES = ["en_US", "vi_VN", "zh_CN", "zh_TW", "fa_IR"]
INDUSTRIES = [
    "Software",
    "Manufacturing",
    "Retail",
    "Logistics",
    "Healthcare",
    "Education",
    "Finance",
    "Hospitality",
    "Construction",
    "Agriculture",
]
TAGS = ["VIP", "Partner", "Newsletter", "Trade show 2026", "Referral"]


class Command(BaseCommand):
    help = "Create the demo workspace (slug 'demo') with sample data, once; print its login."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--companies", type=int, default=60)
        parser.add_argument("--contacts", type=int, default=240)

    def handle(self, *args: Any, **options: Any) -> None:
        login_file = settings.VAR_DIR / "demo-login.txt"
        if not Workspace.objects.filter(slug="demo").exists():
            password = secrets.token_urlsafe(12)
            self._create(password, options["companies"], options["contacts"])
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
    def _create(self, password: str, n_companies: int, n_contacts: int) -> None:
        from halyard.audit.services import record_insert
        from halyard.workspaces.services import workspace_create

        owner = _user(OWNER_EMAIL, "Alice Tran", password)
        rep = _user(REP_EMAIL, "Bob Nguyen", password)
        workspace = workspace_create(
            owner=owner, name="Demo Trading Co.", slug="demo", source=Source.SYSTEM
        )
        rnd = random.Random(2026)  # noqa: S311 - sample data, not security
        fakers = [Faker(loc) for loc in LOCALES]
        for i, fake in enumerate(fakers):
            fake.seed_instance(100 + i)
        with scope(workspace=workspace):
            rep_role = Role.objects.get(key="sales_rep")
            rep_member = Membership.objects.create(workspace=workspace, user=rep, role=rep_role)
            owner_member = Membership.objects.get(workspace=workspace, user=owner)
            team = Team.objects.create(workspace=workspace, name="Ho Chi Minh City")
            team.members.set([owner_member, rep_member])
            tags = [Tag.objects.create(workspace=workspace, name=t) for t in TAGS]
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
            actor = Actor.system(workspace, source=Source.SYSTEM)
            owners = [owner, rep]
            companies = []
            for _ in range(n_companies):
                fake = rnd.choice(fakers)
                name = fake.company()
                domain = (
                    Faker("en_US").domain_name()
                    if fake.locales[0] != "en_US"
                    else (fake.domain_name())
                )
                company = Company(
                    name=name,
                    domain=domain,
                    industry=rnd.choice(INDUSTRIES),
                    phone=fake.phone_number()[:32],
                    website=f"https://{domain}",
                    city=fake.city(),
                    country=fake.current_country() if hasattr(fake, "current_country") else "",
                    owner=rnd.choice(owners),
                    custom={"employees": rnd.randint(5, 5000)},
                )
                companies.append(
                    record_insert(
                        actor=actor, record=company, tags=rnd.sample(tags, rnd.randint(0, 2))
                    )
                )
            for _ in range(n_contacts):
                fake = rnd.choice(fakers)
                contact = Contact(
                    first_name=fake.first_name(),
                    last_name=fake.last_name(),
                    email=Faker("en_US").unique.email(),
                    phone=fake.phone_number()[:32],
                    title=fake.job()[:120],
                    company=rnd.choice(companies),
                    owner=rnd.choice(owners),
                    custom={"segment": rnd.choice(["SMB", "Mid-market", "Enterprise"])},
                )
                record_insert(actor=actor, record=contact, tags=rnd.sample(tags, rnd.randint(0, 2)))
            _deals(workspace, owner, owners, companies, rnd)
            _work(workspace, owner, rnd)


DEAL_NAMES = [
    "Cold storage expansion",
    "Fleet tracking rollout",
    "ERP migration",
    "Hệ thống kho lạnh",
    "Máy nén khí công nghiệp",
    "年度维护合同",
    "倉儲自動化專案",
    "قرارداد پشتیبانی سالانه",
    "Solar roof installation",
    "POS terminals",
]


def _deals(
    workspace: Workspace,
    owner: User,
    owners: list[User],
    companies: list[Company],
    rnd: random.Random,
) -> None:
    """Give the demo a sales pipeline with deals spread over its stages."""
    from datetime import timedelta

    from django.utils import timezone

    from halyard.core.context import Actor as _Actor
    from halyard.deals.services import deal_create, pipeline_ensure_default

    membership = Membership.objects.get(workspace=workspace, user=owner)
    actor = _Actor(workspace=workspace, user=owner, membership=membership, source=Source.SYSTEM)
    pipeline = pipeline_ensure_default(actor=actor)
    stages = list(pipeline.stages.all())
    weights = [30, 20, 15, 10, 15, 10]
    for i in range(40):
        stage = rnd.choices(stages, weights=weights[: len(stages)])[0]
        company = rnd.choice(companies)
        deal_create(
            actor=actor,
            values={
                "name": f"{rnd.choice(DEAL_NAMES)} — {company.name}"[:200],
                "stage": stage,
                "company": company,
                "owner": rnd.choice(owners),
                "amount": rnd.choice([1500, 4800, 12000, 25000, 60000, 150000]) * (i % 3 + 1),
                "currency": workspace.default_currency,
                "expected_close": (timezone.now() + timedelta(days=rnd.randint(-20, 120))).date(),
            },
        )


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
