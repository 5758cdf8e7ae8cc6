"""Realistic sample data at any scale, written in bulk (not one service call per row).

Names come in the five languages of the interface, phones in E.164 for each language's
country, owners, stages, close dates and tags are spread as in a real sales team. Used by the
demo workspace and by the benchmarks (a million contacts load in minutes).
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from faker import Faker

from halyard.activities.models import Activity, ActivityKind, CallDirection, CallOutcome
from halyard.companies.models import Company, CompanySize
from halyard.contacts.models import Contact, LifecycleStage
from halyard.contacts.models import LeadSource as ContactSource
from halyard.core.context import Source
from halyard.customfields.models import CustomField, Tag
from halyard.deals.models import (
    FORECAST_FOR_KIND,
    Deal,
    DealStageChange,
    LostReason,
    Pipeline,
    Stage,
    StageKind,
)
from halyard.leads.models import Lead, LeadSource, LeadStatus
from halyard.search.models import SearchEntry
from halyard.search.services import search_text
from halyard.tasks.models import Task, TaskPriority, TaskStatus
from halyard.workspaces.models import Membership, Workspace

BATCH = 5000
SIZES = [v for v, _label in CompanySize.choices]
LIFECYCLE = [v for v, _label in LifecycleStage.choices]
CONTACT_SOURCES = [v for v, _label in ContactSource.choices]
# (Faker locale, calling code, mobile prefixes, national length, e-mail suffix, share of names)
LOCALES = [
    ("vi_VN", "84", ["90", "91", "93", "98", "70", "77"], 9, "vn", 30),
    ("en_US", "1", ["415", "212", "646", "310", "512"], 10, "com", 25),
    ("zh_CN", "86", ["138", "139", "150", "186"], 11, "cn", 20),
    ("zh_TW", "886", ["912", "933", "958", "988"], 9, "tw", 10),
    ("fa_IR", "98", ["912", "935", "919", "901"], 10, "ir", 15),
]
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
TITLES = [
    "CEO",
    "Giám đốc kinh doanh",
    "采购经理",
    "業務經理",
    "مدیر فروش",
    "Head of Operations",
    "Kế toán trưởng",
    "IT Manager",
    "Procurement Lead",
]
DEAL_WORDS = [
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
    "Gia hạn bảo trì",
    "Annual licence renewal",
]
SUBJECTS = [
    "Hỏi giá kho lạnh",
    "Follow-up on the proposal",
    "确认交货时间",
    "پیگیری پیش‌فاکتور",
    "Intro call",
    "Gia hạn hợp đồng",
    "Demo scheduling",
    "報價確認",
]
TASK_TITLES = [
    "Send the revised quote",
    "Gửi báo giá mới",
    "准备合同草稿",
    "تماس برای پیگیری",
    "Book the site visit",
    "Chuẩn bị demo",
    "Check payment status",
]
# Extra pipelines beside the default sales pipeline: (name, [(stage, probability, kind)]).
PIPELINES = [
    (
        "Renewals",
        [
            ("Upcoming", 60, StageKind.OPEN),
            ("Contacted", 75, StageKind.OPEN),
            ("Renewed", 100, StageKind.WON),
            ("Churned", 0, StageKind.LOST),
        ],
    ),
    (
        "Partnerships",
        [
            ("Introduced", 10, StageKind.OPEN),
            ("Evaluating", 40, StageKind.OPEN),
            ("Signed", 100, StageKind.WON),
            ("Declined", 0, StageKind.LOST),
        ],
    ),
]


@dataclass
class Counts:
    companies: int = 0
    contacts: int = 0
    leads: int = 0
    deals: int = 0
    activities: int = 0
    tasks: int = 0


@dataclass
class Person:
    first: str
    last: str
    locale: int


class Names:
    """Pools of names per language, drawn from Faker once and combined at random."""

    def __init__(self, rnd: random.Random, pool: int = 300) -> None:
        self.rnd = rnd
        self.firsts: list[list[str]] = []
        self.lasts: list[list[str]] = []
        self.companies: list[list[str]] = []
        self.cities: list[list[str]] = []
        for i, (locale, *_rest) in enumerate(LOCALES):
            fake = Faker(locale)
            fake.seed_instance(1000 + i)
            self.firsts.append(list({fake.first_name() for _ in range(pool)}))
            self.lasts.append(list({fake.last_name() for _ in range(pool // 2)}))
            self.companies.append(list({fake.company() for _ in range(pool)}))
            self.cities.append(list({fake.city() for _ in range(60)}))
        self.weights = [w for *_r, w in LOCALES]

    def locale(self) -> int:
        return self.rnd.choices(range(len(LOCALES)), weights=self.weights)[0]

    def person(self) -> Person:
        i = self.locale()
        return Person(self.rnd.choice(self.firsts[i]), self.rnd.choice(self.lasts[i]), i)

    def phone(self, locale: int) -> str:
        _loc, code, prefixes, length, *_rest = LOCALES[locale]
        prefix = self.rnd.choice(prefixes)
        rest = length - len(prefix)
        # The subscriber part never starts with 0 or 1 (North American exchanges cannot).
        first = self.rnd.randint(2, 9)
        return f"+{code}{prefix}{first}{self.rnd.randrange(10 ** (rest - 1)):0{rest - 1}d}"


def ascii_slug(text: str) -> str:
    """Return lower-case ASCII letters and digits of a name (for e-mail addresses)."""
    folded = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in folded.lower() if ch.isascii() and ch.isalnum())


def _batches(total: int) -> Iterator[tuple[int, int]]:
    for start in range(0, total, BATCH):
        yield start, min(BATCH, total - start)


def seed_workspace(
    workspace: Workspace,
    *,
    contacts: int,
    seed: int = 2026,
    progress: Callable[[str], None] | None = None,
) -> Counts:
    """Add sample records in realistic proportions to a workspace (inside its scope)."""
    rnd = random.Random(seed)  # noqa: S311 - sample data, not security
    say = progress or (lambda _message: None)
    names = Names(rnd)
    now = timezone.now()
    rows: list[Any]
    owners: list[int | None] = list(
        Membership.objects.filter(workspace=workspace, is_active=True).values_list(
            "user_id", flat=True
        )
    ) or [None]
    tags = list(Tag.objects.filter(workspace=workspace).values_list("pk", flat=True))
    custom = {
        d.record_type: d
        for d in CustomField.objects.filter(workspace=workspace, field_type="select")
    }
    counts = Counts()
    n_companies = max(1, contacts // 10)
    tag = _tagger(rnd, tags)

    def common() -> dict[str, Any]:
        created = now - timedelta(minutes=rnd.randrange(0, 60 * 24 * 720))
        return {
            "workspace": workspace,
            "owner_id": rnd.choice(owners),
            "created_by_id": owners[0],
            "created_at": created,
            "updated_at": created,
            "source": Source.SYSTEM,
        }

    def options(record_type: str) -> dict[str, Any]:
        definition = custom.get(record_type)
        if definition is None or not definition.options:
            return {}
        return {definition.key: rnd.choice(definition.options)}

    company_ids: list[int] = []
    for start, size in _batches(n_companies):
        rows = []
        for n in range(start, start + size):
            i = names.locale()
            name = rnd.choice(names.companies[i])
            domain = f"{ascii_slug(name)[:30] or 'company'}{n}.example.{LOCALES[i][4]}"
            rows.append(
                Company(
                    name=name,
                    domain=domain,
                    industry=rnd.choice(INDUSTRIES),
                    phone=names.phone(i),
                    website=f"https://{domain}",
                    city=rnd.choice(names.cities[i]),
                    size=rnd.choices(SIZES, weights=[30, 30, 18, 9, 6, 4, 2, 1])[0],
                    annual_revenue=Decimal(rnd.choice([2, 5, 12, 40, 150, 800])) * 100_000,
                    revenue_currency=workspace.default_currency,
                    custom=options("companies"),
                    **common(),
                )
            )
        _write(Company, rows, tag)
        company_ids += [r.pk for r in rows]
        counts.companies += size
        say(f"companies {counts.companies}/{n_companies}")

    contact_rows: list[tuple[int, int | None]] = []  # (contact id, company id) for activities
    for start, size in _batches(contacts):
        rows = []
        for n in range(start, start + size):
            person = names.person()
            company_id = rnd.choice(company_ids) if rnd.random() < 0.85 else None
            local = ascii_slug(person.first + person.last)[:20] or "contact"
            rows.append(
                Contact(
                    first_name=person.first,
                    last_name=person.last,
                    email=f"{local}.{n}@mail.example.{LOCALES[person.locale][4]}",
                    phone=names.phone(person.locale),
                    title=rnd.choice(TITLES),
                    company_id=company_id,
                    lifecycle_stage=rnd.choices(LIFECYCLE, weights=[10, 20, 12, 10, 12, 30, 4, 2])[
                        0
                    ],
                    lead_source=rnd.choice(CONTACT_SOURCES),
                    city=rnd.choice(names.cities[person.locale]),
                    **_consent(rnd, now),
                    custom=options("contacts"),
                    **common(),
                )
            )
        _write(Contact, rows, tag)
        contact_rows += [(r.pk, r.company_id) for r in rows]
        counts.contacts += size
        say(f"contacts {counts.contacts}/{contacts}")

    n_leads = contacts // 5
    statuses = [s.value for s in LeadStatus if s != LeadStatus.QUALIFIED]
    for start, size in _batches(n_leads):
        rows = []
        for n in range(start, start + size):
            person = names.person()
            company = rnd.choice(names.companies[person.locale])
            rows.append(
                Lead(
                    first_name=person.first,
                    last_name=person.last,
                    company_name=company,
                    email=f"{ascii_slug(person.last)[:20] or 'lead'}.{n}@lead.example.com",
                    phone=names.phone(person.locale),
                    status=rnd.choices(statuses, weights=[35, 30, 20, 15])[0],
                    lead_source=rnd.choice(list(LeadSource.values)),
                    score=rnd.randrange(0, 101),
                    custom=options("leads"),
                    **common(),
                )
            )
        _write(Lead, rows, tag)
        counts.leads += size
        say(f"leads {counts.leads}/{n_leads}")

    stages = _pipelines(workspace)
    reasons: list[int | None] = list(LostReason.objects.values_list("pk", flat=True)) or [None]
    n_deals = contacts * 3 // 10
    for start, size in _batches(n_deals):
        rows = []
        for _n in range(start, start + size):
            stage = rnd.choices(stages, weights=[s.weight for s in stages])[0]
            amount = Decimal(rnd.choice([1500, 4800, 12000, 25000, 60000, 150000]))
            fields = common()
            closed = stage.kind != StageKind.OPEN
            closed_on = (fields["created_at"] + timedelta(days=20)).date() if closed else None
            rows.append(
                Deal(
                    forecast_category=FORECAST_FOR_KIND[StageKind(stage.kind)],
                    won_on=closed_on if stage.kind == StageKind.WON else None,
                    lost_on=closed_on if stage.kind == StageKind.LOST else None,
                    lost_reason_id=rnd.choice(reasons) if stage.kind == StageKind.LOST else None,
                    is_renewal=stage.pipeline_name == "Renewals",
                    at_risk=stage.kind == StageKind.OPEN and rnd.random() < 0.08,
                    name=f"{rnd.choice(DEAL_WORDS)} #{rnd.randrange(100, 999)}",
                    company_id=rnd.choice(company_ids),
                    pipeline_id=stage.pipeline_id,
                    stage_id=stage.pk,
                    amount=amount * rnd.randint(1, 4),
                    currency=workspace.default_currency,
                    probability=stage.probability,
                    expected_close=(now + timedelta(days=rnd.randint(-60, 180))).date(),
                    closed_at=fields["created_at"] + timedelta(days=20) if closed else None,
                    stage_entered_at=fields["created_at"],
                    **fields,
                )
            )
        _write(Deal, rows, tag)
        names_of_stages = {st.pk: st.name for st in stages}
        DealStageChange.objects.bulk_create(
            DealStageChange(
                workspace=workspace,
                deal_id=d.pk,
                to_stage_id=d.stage_id,
                to_stage_name=names_of_stages[d.stage_id],
                changed_at=d.created_at,
                changed_by_id=d.created_by_id,
            )
            for d in rows
        )
        counts.deals += size
        say(f"deals {counts.deals}/{n_deals}")

    n_activities = contacts * 3
    for start, size in _batches(n_activities):
        rows = []
        for _n in range(start, start + size):
            contact_id, company_id = rnd.choice(contact_rows)
            call = rnd.random() < 0.7
            fields = common()
            rows.append(
                Activity(
                    kind=ActivityKind.CALL if call else ActivityKind.NOTE,
                    subject=rnd.choice(SUBJECTS),
                    body="" if call else "Khách hàng quan tâm, gửi báo giá trong tuần.",
                    occurred_at=fields["created_at"],
                    direction=rnd.choice(list(CallDirection.values)) if call else "",
                    duration_minutes=rnd.randint(1, 45) if call else None,
                    outcome=rnd.choice(list(CallOutcome.values)) if call else "",
                    contact_id=contact_id,
                    company_id=company_id,
                    **fields,
                )
            )
        with transaction.atomic():
            Activity.objects.bulk_create(rows, batch_size=1000)
        counts.activities += size
        say(f"activities {counts.activities}/{n_activities}")

    n_tasks = contacts // 2
    for start, size in _batches(n_tasks):
        rows = []
        for _n in range(start, start + size):
            contact_id, _company_id = rnd.choice(contact_rows)
            due = now + timedelta(hours=rnd.randint(-24 * 14, 24 * 30))
            done = due < now and rnd.random() < 0.7
            rows.append(
                Task(
                    title=rnd.choice(TASK_TITLES),
                    due_at=due,
                    priority=rnd.choices(list(TaskPriority.values), weights=[2, 6, 2])[0],
                    status=TaskStatus.DONE if done else TaskStatus.OPEN,
                    completed_at=due if done else None,
                    reminded_at=due if due < now else None,
                    contact_id=contact_id,
                    **common(),
                )
            )
        with transaction.atomic():
            Task.objects.bulk_create(rows, batch_size=1000)
        counts.tasks += size
        say(f"tasks {counts.tasks}/{n_tasks}")
    _analyze(Company, Contact, Lead, Deal, DealStageChange, Activity, Task, SearchEntry)
    return counts


def _analyze(*models: Any) -> None:
    """Refresh PostgreSQL's statistics after a bulk load.

    Without them the planner still believes the tables are nearly empty and, for example,
    sorts every contact of the workspace instead of reading the (workspace, id) index.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f'ANALYZE "{model._meta.db_table}"')


@dataclass
class _Stage:
    pk: int
    pipeline_id: int
    pipeline_name: str
    name: str
    kind: str
    probability: int
    weight: int


def _pipelines(workspace: Workspace) -> list[_Stage]:
    """Return the stages deals are spread over: the default pipeline's and two more."""
    from halyard.core.context import Actor
    from halyard.deals.services import pipeline_ensure_default

    pipeline_ensure_default(actor=Actor.system(workspace, source=Source.SYSTEM))
    for position, (name, stages) in enumerate(PIPELINES, start=1):
        pipeline, created = Pipeline.objects.get_or_create(
            workspace=workspace, name=name, defaults={"position": position}
        )
        if created:
            for index, (stage_name, probability, kind) in enumerate(stages):
                Stage.objects.create(
                    workspace=workspace,
                    pipeline=pipeline,
                    name=stage_name,
                    position=index,
                    probability=probability,
                    kind=kind,
                )
    result = []
    for pipeline_index, pipeline in enumerate(Pipeline.objects.order_by("position", "pk")[:3]):
        share = 6 if pipeline_index == 0 else 2  # most deals are new business
        for stage in pipeline.stages.order_by("position"):
            weight = share * (3 if stage.kind == StageKind.OPEN else 1)
            result.append(
                _Stage(
                    stage.pk,
                    pipeline.pk,
                    pipeline.name,
                    stage.name,
                    stage.kind,
                    stage.probability,
                    weight,
                )
            )
    return result


def _consent(rnd: random.Random, now: Any) -> dict[str, Any]:
    """Return a few people's opt-outs, each with when and how it was given."""
    values: dict[str, Any] = {}
    if rnd.random() < 0.03:
        values.update(
            do_not_email=True, do_not_email_at=now, do_not_email_source="Unsubscribe link"
        )
    if rnd.random() < 0.02:
        values.update(do_not_call=True, do_not_call_at=now, do_not_call_source="Asked on the phone")
    return values


def _tagger(rnd: random.Random, tags: list[int]) -> Callable[[], list[int]]:
    def pick() -> list[int]:
        if not tags or rnd.random() < 0.6:
            return []
        return rnd.sample(tags, min(len(tags), rnd.randint(1, 2)))

    return pick


def _write(model: Any, rows: list[Any], tag: Callable[[], list[int]]) -> None:
    """Insert one batch of records with their tags and search entries, in one transaction."""
    with transaction.atomic():
        model.objects.bulk_create(rows, batch_size=1000)
        for row in rows:  # sample records have only their primary e-mail, phone and domain
            row._prefetched_objects_cache = {
                name: [] for name in getattr(model, "search_related", ())
            }
        through = model.tags.through
        column = f"{model._meta.model_name}_id"
        links = [through(**{column: r.pk, "tag_id": t}) for r in rows for t in tag()]
        through.objects.bulk_create(links, batch_size=5000)
        SearchEntry.objects.bulk_create(
            (
                SearchEntry(
                    workspace_id=r.workspace_id,
                    record_type=model.module,
                    record_id=r.pk,
                    owner_id=r.owner_id,
                    text=search_text(r),
                )
                for r in rows
            ),
            batch_size=1000,
        )
