"""Realistic sample data at any scale, written in bulk (not one service call per row).

Names come in the five languages of the interface, phones in E.164 for each language's
country, owners, stages, close dates and tags are spread as in a real sales team. Used by the
demo workspace and by the benchmarks (a million contacts load in minutes).
"""

from __future__ import annotations

import json
import random
import time
import unicodedata
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from faker import Faker

from halyard.activities.models import Activity, ActivityKind, CallDirection, CallOutcome
from halyard.companies.models import Company, CompanySize
from halyard.contacts.models import Contact, ContactEmail, ContactPhone, LifecycleStage, PhoneKind
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
    # table -> [rows, seconds]: what each table's load cost (generation and writing).
    timings: dict[str, list[float]] = field(default_factory=dict)


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


def _batches(total: int, size: int = BATCH) -> Iterator[tuple[int, int]]:
    for start in range(0, total, size):
        yield start, min(size, total - start)


def seed_workspace(
    workspace: Workspace,
    *,
    contacts: int,
    seed: int = 2026,
    progress: Callable[[str], None] | None = None,
    companies: int | None = None,
    leads: int | None = None,
    deals: int | None = None,
    activities: int | None = None,
    tasks: int | None = None,
    open_share: float | None = None,
    copy: bool | None = None,
) -> Counts:
    """Add sample records in realistic proportions to a workspace (inside its scope).

    The other record counts follow the contacts' (a tenth as many companies, a fifth leads,
    three tenths deals, three activities per contact, half as many tasks) unless given.
    `open_share` is the share of deals still open (by default most are: a young pipeline).
    On PostgreSQL the rows go in with COPY (`copy=False` keeps the ORM's bulk inserts).
    """
    from django.db import connection

    rnd = random.Random(seed)  # noqa: S311 - sample data, not security
    say = progress or (lambda _message: None)
    use_copy = connection.vendor == "postgresql" if copy is None else copy
    writer: _BulkWriter = _CopyWriter() if use_copy else _BulkWriter()
    batch = 20_000 if use_copy else BATCH
    new = writer.new
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
    n_companies = max(1, contacts // 10) if companies is None else companies
    tag = _tagger(rnd, tags)
    clock = _Clock(counts)

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

    company_ids = array("q")
    clock.start()
    for start, size in _batches(n_companies, batch):
        rows = []
        for n in range(start, start + size):
            i = names.locale()
            name = rnd.choice(names.companies[i])
            domain = f"{ascii_slug(name)[:30] or 'company'}{n}.example.{LOCALES[i][4]}"
            rows.append(
                new(
                    Company,
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
        writer.records(Company, rows, tag)
        company_ids.extend(r.pk for r in rows)
        counts.companies += size
        say(f"companies {counts.companies}/{n_companies}")
    clock.stop(Company, counts.companies)

    # (contact id, company id or 0) of every contact, for activities and tasks: two arrays of
    # machine integers rather than a million tuples.
    contact_ids, contact_companies = array("q"), array("q")
    for start, size in _batches(contacts, batch):
        rows = []
        for n in range(start, start + size):
            person = names.person()
            company_id = rnd.choice(company_ids) if company_ids and rnd.random() < 0.85 else None
            local = ascii_slug(person.first + person.last)[:20] or "contact"
            rows.append(
                new(
                    Contact,
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
        writer.records(Contact, rows, tag)
        contact_ids.extend(r.pk for r in rows)
        contact_companies.extend(r.company_id or 0 for r in rows)
        counts.contacts += size
        say(f"contacts {counts.contacts}/{contacts}")
    clock.stop(Contact, counts.contacts)

    n_leads = contacts // 5 if leads is None else leads
    statuses = [s.value for s in LeadStatus if s != LeadStatus.QUALIFIED]
    for start, size in _batches(n_leads, batch):
        rows = []
        for n in range(start, start + size):
            person = names.person()
            company = rnd.choice(names.companies[person.locale])
            rows.append(
                new(
                    Lead,
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
        writer.records(Lead, rows, tag)
        counts.leads += size
        say(f"leads {counts.leads}/{n_leads}")
    clock.stop(Lead, counts.leads)

    stages = _pipelines(workspace)
    open_stages = [s for s in stages if s.kind == StageKind.OPEN]
    closed_stages = [s for s in stages if s.kind != StageKind.OPEN]
    names_of_stages = {st.pk: st.name for st in stages}
    reasons: list[int | None] = list(LostReason.objects.values_list("pk", flat=True)) or [None]
    n_deals = contacts * 3 // 10 if deals is None else deals
    deal_ids, deal_companies = array("q"), array("q")
    for start, size in _batches(n_deals, batch):
        rows = []
        for _n in range(start, start + size):
            if open_share is None:
                stage = rnd.choices(stages, weights=[s.weight for s in stages])[0]
            else:
                pool = open_stages if rnd.random() < open_share else closed_stages
                stage = rnd.choices(pool, weights=[s.weight for s in pool])[0]
            amount = Decimal(rnd.choice([1500, 4800, 12000, 25000, 60000, 150000]))
            fields = common()
            closed = stage.kind != StageKind.OPEN
            closed_on = (fields["created_at"] + timedelta(days=20)).date() if closed else None
            rows.append(
                new(
                    Deal,
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
        writer.records(Deal, rows, tag)
        writer.plain(
            DealStageChange,
            [
                new(
                    DealStageChange,
                    workspace=workspace,
                    deal_id=d.pk,
                    to_stage_id=d.stage_id,
                    to_stage_name=names_of_stages[d.stage_id],
                    changed_at=d.created_at,
                    changed_by_id=d.created_by_id,
                )
                for d in rows
            ],
        )
        deal_ids.extend(d.pk for d in rows)
        deal_companies.extend(d.company_id for d in rows)
        counts.deals += size
        say(f"deals {counts.deals}/{n_deals}")
    clock.stop(Deal, counts.deals)

    n_activities = contacts * 3 if activities is None else activities
    for start, size in _batches(n_activities, batch):
        rows = []
        for _n in range(start, start + size):
            fields = common()
            call = rnd.random() < 0.7
            # Most activities are with a person (and their company); some are about a deal.
            deal_id = None
            if contact_ids and rnd.random() < 0.85:
                k = rnd.randrange(len(contact_ids))
                contact_id, company_id = contact_ids[k], contact_companies[k] or None
            else:
                k = rnd.randrange(len(deal_ids)) if deal_ids else -1
                contact_id = None
                company_id = deal_companies[k] if k >= 0 else rnd.choice(company_ids)
                deal_id = deal_ids[k] if k >= 0 else None
            rows.append(
                new(
                    Activity,
                    kind=ActivityKind.CALL if call else ActivityKind.NOTE,
                    subject=rnd.choice(SUBJECTS),
                    body="" if call else "Khách hàng quan tâm, gửi báo giá trong tuần.",
                    occurred_at=fields["created_at"],
                    direction=rnd.choice(CALL_DIRECTIONS) if call else "",
                    duration_minutes=rnd.randint(1, 45) if call else None,
                    outcome=rnd.choice(CALL_OUTCOMES) if call else "",
                    contact_id=contact_id,
                    company_id=company_id,
                    deal_id=deal_id,
                    **fields,
                )
            )
        writer.plain(Activity, rows)
        counts.activities += size
        say(f"activities {counts.activities}/{n_activities}")
    clock.stop(Activity, counts.activities)

    n_tasks = contacts // 2 if tasks is None else tasks
    for start, size in _batches(n_tasks if contact_ids else 0, batch):
        rows = []
        for _n in range(start, start + size):
            contact_id = rnd.choice(contact_ids)
            due = now + timedelta(hours=rnd.randint(-24 * 14, 24 * 30))
            done = due < now and rnd.random() < 0.7
            rows.append(
                new(
                    Task,
                    title=rnd.choice(TASK_TITLES),
                    due_at=due,
                    priority=rnd.choices(TASK_PRIORITIES, weights=[2, 6, 2])[0],
                    status=TaskStatus.DONE if done else TaskStatus.OPEN,
                    completed_at=due if done else None,
                    reminded_at=due if due < now else None,
                    contact_id=contact_id,
                    **common(),
                )
            )
        writer.plain(Task, rows)
        counts.tasks += size
        say(f"tasks {counts.tasks}/{n_tasks}")
    clock.stop(Task, counts.tasks)
    _analyze(
        Company,
        Contact,
        ContactEmail,
        ContactPhone,
        Lead,
        Deal,
        DealStageChange,
        Activity,
        Task,
        SearchEntry,
        Contact.tags.through,
        Company.tags.through,
        Lead.tags.through,
        Deal.tags.through,
    )
    clock.stop(SearchEntry, 0, "analyze")
    return counts


class _Clock:
    """Time each table's load, from the end of the previous one."""

    def __init__(self, counts: Counts) -> None:
        self.counts = counts
        self.last = time.perf_counter()

    def start(self) -> None:
        self.last = time.perf_counter()

    def stop(self, model: Any, rows: int, label: str = "") -> None:
        now = time.perf_counter()
        self.counts.timings[label or model._meta.db_table] = [rows, round(now - self.last, 2)]
        self.last = now


CALL_DIRECTIONS = list(CallDirection.values)
CALL_OUTCOMES = list(CallOutcome.values)
TASK_PRIORITIES = list(TaskPriority.values)


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


def _children(model: Any, rows: list[Any], new: Callable[..., Any]) -> list[tuple[Any, list[Any]]]:
    """Return the child rows the services write beside each record (a contact's e-mail, phone)."""
    if model is not Contact:
        return []
    emails = [
        new(
            ContactEmail,
            workspace_id=r.workspace_id,
            contact_id=r.pk,
            email=r.email,
            is_primary=True,
            position=0,
        )
        for r in rows
        if r.email
    ]
    phones = [
        new(
            ContactPhone,
            workspace_id=r.workspace_id,
            contact_id=r.pk,
            number=r.phone,
            kind=PhoneKind.MOBILE,
            is_primary=True,
            position=0,
        )
        for r in rows
        if r.phone
    ]
    return [(ContactEmail, emails), (ContactPhone, phones)]


def _dependents(
    model: Any, rows: list[Any], tag: Callable[[], list[int]], new: Callable[..., Any]
) -> list[Any]:
    """Return what goes with one batch of saved records: tags, search entries, child rows."""
    for row in rows:  # sample records have only their primary e-mail, phone and domain
        row._prefetched_objects_cache = {name: [] for name in getattr(model, "search_related", ())}
    through = model.tags.through
    column = f"{model._meta.model_name}_id"
    return [
        *_children(model, rows, new),
        (through, [new(through, **{column: r.pk, "tag_id": t}) for r in rows for t in tag()]),
        (
            SearchEntry,
            [
                new(
                    SearchEntry,
                    workspace_id=r.workspace_id,
                    record_type=model.module,
                    record_id=r.pk,
                    owner_id=r.owner_id,
                    text=search_text(r),
                )
                for r in rows
            ],
        ),
    ]


class _BulkWriter:
    """Write batches with the ORM's multi-row INSERTs (SQLite, or PostgreSQL on request)."""

    def records(self, model: Any, rows: list[Any], tag: Callable[[], list[int]]) -> None:
        """Insert one batch of records with their tags, search entries and child rows."""
        with transaction.atomic():
            model.objects.bulk_create(rows, batch_size=1000)
            for child, items in _dependents(model, rows, tag, self.new):
                child._base_manager.bulk_create(items, batch_size=2000)

    def new(self, model: Any, **values: Any) -> Any:
        """Return an unsaved record."""
        return model(**values)

    def plain(self, model: Any, rows: list[Any]) -> None:
        """Insert rows that have nothing beside them."""
        with transaction.atomic():
            model._base_manager.bulk_create(rows, batch_size=1000)


class _CopyWriter(_BulkWriter):
    """Write batches with PostgreSQL's COPY: ids drawn from the tables' own sequences first."""

    def __init__(self) -> None:
        from django.db import connection

        connection.ensure_connection()
        self.connection = connection
        self.columns: dict[Any, tuple[list[str], Callable[[Any], tuple[Any, ...]]]] = {}
        self.factories: dict[Any, _Factory] = {}

    def records(self, model: Any, rows: list[Any], tag: Callable[[], list[int]]) -> None:
        with transaction.atomic():
            self._ids(model, rows)
            self._copy(model, rows, with_pk=True)
            for child, items in _dependents(model, rows, tag, self.new):
                self._copy(child, items, with_pk=False)

    def new(self, model: Any, **values: Any) -> Any:
        """Return an unsaved record without Model.__init__ (a third of the load's time).

        Only its attributes are read (by COPY and by `search_terms`); a field not given takes
        its default, computed once per model.
        """
        factory = self.factories.get(model)
        if factory is None:
            factory = self.factories[model] = _Factory(model)
        return factory(values)

    def plain(self, model: Any, rows: list[Any]) -> None:
        with transaction.atomic():
            self._copy(model, rows, with_pk=False)

    def _ids(self, model: Any, rows: list[Any]) -> None:
        """Reserve one id per row from the table's sequence (as INSERT would take them)."""
        table = model._meta.db_table
        with self.connection.connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, len(rows)],
            )
            for row, (pk,) in zip(rows, cursor.fetchall(), strict=True):
                row.pk = pk
                row._state.adding = False
                row._state.db = "default"

    def _copy(self, model: Any, rows: Iterable[Any], *, with_pk: bool) -> None:
        key = (model, with_pk)
        if key not in self.columns:
            fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
            getter = _row_getter(fields)
            self.columns[key] = ([f.column for f in fields], getter)
        columns, getter = self.columns[key]
        names = ", ".join(f'"{c}"' for c in columns)
        sql = f'COPY "{model._meta.db_table}" ({names}) FROM STDIN'
        with self.connection.connection.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(getter(row))


class _Factory:
    """Build bare instances of one model from keyword values (foreign keys by object or id)."""

    def __init__(self, model: Any) -> None:
        from django.db.models.base import ModelState

        self.model = model
        self.state = ModelState
        self.defaults: dict[str, Any] = {}
        self.relations: dict[str, str] = {}
        for f in model._meta.concrete_fields:
            self.defaults[f.attname] = None if f.primary_key else f.get_default()
            if f.is_relation:
                self.relations[f.name] = f.attname

    def __call__(self, values: dict[str, Any]) -> Any:
        row = self.model.__new__(self.model)
        data = row.__dict__
        data.update(self.defaults)
        for name, value in values.items():
            if name in self.relations:
                data[self.relations[name]] = value.pk if value is not None else None
            else:
                data[name] = value
        row._state = self.state()
        return row


def _row_getter(fields: list[Any]) -> Callable[[Any], tuple[Any, ...]]:
    """Return a function giving a model instance's column values as COPY takes them."""
    from operator import attrgetter

    from django.db.models import JSONField

    names = [f.attname for f in fields]
    get: Callable[[Any], tuple[Any, ...]] = attrgetter(*names)
    if len(fields) == 1:
        get = attrgetter(names[0], names[0])  # a 2-tuple, cut to one below
        single = get

        def get(row: Any) -> tuple[Any, ...]:
            return single(row)[:1]

    json_at = [i for i, f in enumerate(fields) if isinstance(f, JSONField)]
    if not json_at:
        return get

    def with_json(row: Any) -> tuple[Any, ...]:
        values = list(get(row))
        for i in json_at:
            values[i] = json.dumps(values[i])
        return tuple(values)

    return with_json
