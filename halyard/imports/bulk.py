"""The set-based import path: a chunk of rows in a few queries, with the row path's results.

Each row is parsed, validated and normalised by the same functions as the row path (and the
record services' own `_prepare`), duplicates are found with a handful of queries per chunk (plus
the rows of the chunk itself), and the new records, their e-mails, phones and domains, audit
entries, search entries and outbox events are written with `bulk_create`. A row that updates an
existing record goes through the row path (the record services), after what the chunk has made
so far is written, so the order of effects is the file's order.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import DateField, DecimalField, JSONField, Model
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext as _

from halyard.audit.models import AuditAction, AuditEntry
from halyard.audit.services import field_changes
from halyard.companies.models import Company, CompanyDomain
from halyard.companies.services import _prepare as company_prepare
from halyard.companies.services import domain_normalise
from halyard.contacts.models import Contact, ContactEmail, ContactPhone, PhoneKind
from halyard.core.events import _enqueue, event_wanted
from halyard.core.models import OutboxEvent, Record
from halyard.imports import services
from halyard.imports.models import DuplicatePolicy, ErrorPolicy, ImportRow, RowAction
from halyard.search.models import SearchEntry
from halyard.search.services import search_text
from halyard.workspaces import permissions

Chunk = list[tuple[int, list[str]]]
Outcomes = list[tuple[int, services.Outcome]]
BATCH = 1000
_SEQUENCE = itertools.count()
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def db_upper(text: str) -> str:
    """Fold text as the database's UPPER() does, which is what `__iexact` compares.

    SQLite (without ICU) folds ASCII letters only; PostgreSQL folds each character on its own.
    """
    if text.isascii():
        return text.upper()
    if connection.vendor == "sqlite":
        return text.translate(_ASCII_UPPER)
    return "".join(ch.upper() if len(ch.upper()) == 1 else ch for ch in text)


def _label(label: Any) -> str:
    """Return a candidate's name as `str(record)` gives it (contacts are kept as their parts)."""
    if isinstance(label, tuple):
        first, middle, last = label
        return str(Contact(first_name=first, middle_name=middle, last_name=last))
    return str(label)


class Candidate:
    """A record a row may duplicate: one in the database, or one this chunk is about to write."""

    __slots__ = ("alive", "label", "pk", "record", "row", "seq", "sort")

    def __init__(
        self, *, pk: int | None, sort: str, label: Any, record: Any = None, row: int = 0
    ) -> None:
        self.pk = pk
        self.sort = sort  # the row path takes the first by (this, id)
        self.label = label
        self.record = record  # the unsaved record, for one written by this chunk
        self.row = row  # the row of this import that created it, when known here
        self.alive = True
        self.seq = next(_SEQUENCE)

    def key(self) -> tuple[str, int, int]:
        """Order like `order_by(sort, "id")`: unsaved records get later ids than saved ones."""
        pk = self.record_pk()
        return (self.sort, 1 if pk is None else 0, self.seq if pk is None else pk)

    def record_pk(self) -> int | None:
        return self.pk if self.pk is not None else getattr(self.record, "pk", None)


class Index:
    """Candidates by a matching key (an e-mail, a phone, a domain, a folded name)."""

    def __init__(self) -> None:
        self.by_key: dict[Any, list[Candidate]] = defaultdict(list)
        self.by_pk: dict[int, list[Candidate]] = defaultdict(list)

    def add(self, key: Any, candidate: Candidate) -> None:
        if key in (None, ""):
            return
        self.by_key[key].append(candidate)
        if candidate.pk is not None:
            self.by_pk[candidate.pk].append(candidate)

    def get(self, *keys: Any) -> list[Candidate]:
        return [c for k in keys if k for c in self.by_key.get(k, ()) if c.alive]

    def forget(self, pk: int) -> None:
        for candidate in self.by_pk.pop(pk, []):
            candidate.alive = False


def _first(candidates: Iterable[Candidate], by_id: bool = False) -> Candidate | None:
    found = list(candidates)
    if not found:
        return None
    if by_id:
        return min(found, key=lambda c: c.key()[1:])
    return min(found, key=Candidate.key)


class Pending:
    """A record this chunk will insert, with its child rows and the log rows that name it."""

    def __init__(self, record: Record, children: list[Any], extra: dict[str, list[str]]) -> None:
        self.record = record
        self.children = children
        self.extra = extra  # child values the audit snapshot lists (e-mails, phones, domains)


def _needs_prep(field: Any) -> bool:
    """Say whether a field's values must be adapted before the driver gets them."""
    return isinstance(field, JSONField | DateField | DecimalField)


def save_logs(logs: list[ImportRow]) -> None:
    """Insert an import's log rows."""
    fields = ImportRow._meta.concrete_fields
    insert_rows(ImportRow, [{f.attname: getattr(log, f.attname) for f in fields} for log in logs])


def insert_rows(model: type[Model], rows: list[dict[str, Any]]) -> list[int]:
    """Insert plain rows ({attname: value}) into a model's table; return their ids in order.

    `bulk_create` spends most of its time compiling values field by field; this hands them to
    the driver as they are: COPY with ids drawn from the sequence on PostgreSQL, and one
    `executemany` on SQLite, whose ids are consecutive inside the write transaction.
    """
    if not rows:
        return []
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    defaults = {f.attname: f.get_default() for f in fields}
    names = [f.attname for f in fields]
    adapt = [(i, f) for i, f in enumerate(fields) if _needs_prep(f)]
    values = []
    for row in rows:
        value = [row.get(name, defaults[name]) for name in names]
        for i, field in adapt:
            value[i] = field.get_db_prep_save(value[i], connection)
        values.append(value)
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [model._meta.db_table, len(rows)],
            )
            ids = [r[0] for r in cursor.fetchall()]
            with cursor.cursor.copy(f"COPY {table} (id, {columns}) FROM STDIN") as copy:
                for pk, cells in zip(ids, values, strict=True):
                    copy.write_row((pk, *cells))
            return ids
        marks = ", ".join(["%s"] * len(fields))
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", values)  # noqa: S608
        cursor.execute("SELECT last_insert_rowid()")
        last = cursor.fetchone()[0]
    return list(range(last - len(rows) + 1, last + 1))


def _insert(ctx: services.RowContext, pending: list[Pending]) -> None:
    """Insert new records as `record_insert` does, with children, audit, search and events."""
    if not pending:
        return
    actor = ctx.actor
    user = actor.user if actor.user is not None and actor.user.pk else None
    model = type(pending[0].record)
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    rows, snapshots = [], []
    for item in pending:
        record = item.record
        for name in ("company", "parent"):  # a company written just before this record
            related = record._state.fields_cache.get(name)
            if related is not None:
                setattr(record, f"{name}_id", related.pk)
        snapshot = Record.audit_snapshot(record)  # unsaved: no query for the (empty) tags
        snapshot["tags"] = []
        snapshot.update(item.extra)
        snapshots.append(snapshot)
        rows.append({f.attname: getattr(record, f.attname) for f in fields})
    for item, pk in zip(pending, insert_rows(model, rows), strict=True):
        item.record.pk = pk
        item.record._state.adding = False
        item.record._state.db = connection.alias
    children: dict[type[Model], list[dict[str, Any]]] = defaultdict(list)
    for item in pending:
        parent = "contact_id" if isinstance(item.record, Contact) else "company_id"
        for child in item.children:
            setattr(child, parent, item.record.pk)
            child.workspace_id = item.record.workspace_id
            children[type(child)].append(
                {f.attname: getattr(child, f.attname) for f in child._meta.concrete_fields}
            )
    for child_model, child_rows in children.items():
        insert_rows(child_model, child_rows)
    now = timezone.now()
    label = model._meta.label_lower
    event_name = f"{model._meta.model_name}.created"
    deliver = event_wanted(actor.workspace, event_name)  # as event_record decides
    audit, search, events = [], [], []
    common = {"workspace_id": actor.workspace.pk, "created_at": now}
    for item, snapshot in zip(pending, snapshots, strict=True):
        record = item.record
        record._prefetched_objects_cache = _prefetch(record, item.children)  # type: ignore[attr-defined]
        audit.append(
            {
                **common,
                "actor_id": user.pk if user else None,
                "actor_label": actor.user.email if actor.user is not None else "",
                "action": AuditAction.CREATE,
                "source": actor.source,
                "ip": actor.ip,
                "changes": field_changes({}, snapshot),
                "object_type": label,
                "object_id": str(record.pk),
                "object_repr": str(record)[:200],
            }
        )
        search.append(
            {
                "workspace_id": record.workspace_id,
                "record_type": record.module,
                "record_id": record.pk,
                "owner_id": record.owner_id,
                "text": search_text(record),
            }
        )
        events.append(
            {
                **common,
                "name": event_name,
                "payload": {
                    "id": record.pk,
                    "actor_id": user.pk if user else None,
                    "source": actor.source,
                },
                "dispatched_at": None if deliver else now,
            }
        )
    insert_rows(AuditEntry, audit)
    insert_rows(SearchEntry, search)
    ids = insert_rows(OutboxEvent, events)
    if deliver:
        transaction.on_commit(lambda: _enqueue_all(ids))


def _enqueue_all(ids: list[int]) -> None:
    """Hand the events to the queue after commit, as `event_record` does for one."""
    for pk in ids:
        _enqueue(pk)


def _prefetch(record: Any, children: list[Any]) -> dict[str, list[Any]]:
    """Preset the relations `search_terms` reads, so indexing costs no query."""
    if isinstance(record, Contact):
        return {
            "emails": [c for c in children if isinstance(c, ContactEmail)],
            "phones": [c for c in children if isinstance(c, ContactPhone)],
        }
    return {"domains": list(children)}


class ChunkWriter:
    """What contacts and companies share: the chunk's outcomes, pending records, flushing."""

    model_name = ""

    def __init__(self, ctx: services.RowContext) -> None:
        self.ctx = ctx
        self.policy = ctx.policy
        self.stop_on_error = ctx.job.options.get("errors") == ErrorPolicy.STOP
        self.outcomes: Outcomes = []
        self.companies: list[Pending] = []
        self.records: list[Pending] = []
        # Log rows that name a record by id, written once the record has one.
        self.links: list[tuple[ImportRow, Candidate | Record]] = []
        self.notes: list[tuple[ImportRow, Candidate]] = []
        if ctx.actor.membership is not None:
            permissions.require(ctx.actor.membership, ctx.job.record_type, "create")

    def fail(self, number: int, cells: list[str], exc: Exception) -> None:
        log = self.ctx.log(
            number, "", RowAction.FAILED, values=cells, error=services._messages(exc)
        )
        self.outcomes.append((number, services.Outcome(RowAction.FAILED, [log])))

    def flush(self) -> None:
        """Write the records the chunk has made so far."""
        _insert(self.ctx, self.companies)
        _insert(self.ctx, self.records)
        self.companies, self.records = [], []

    def finish(self) -> Outcomes:
        """Write what is pending and give the log rows their record ids and notes."""
        self.flush()
        for log, target in self.links:
            log.record_id = target.record_pk() if isinstance(target, Candidate) else target.pk
        in_file: dict[int, int] = {}
        wanted = [c.record_pk() for _log, c in self.notes if not c.row]
        if wanted:
            rows = (
                ImportRow.objects.filter(
                    job=self.ctx.job,
                    model=self.model_name,
                    action=RowAction.CREATED,
                    record_id__in=wanted,
                )
                .order_by("-id")
                .values_list("record_id", "row_number")
            )
            in_file = {pk: row for pk, row in rows if pk is not None}
        for log, candidate in self.notes:
            row = candidate.row or in_file.get(candidate.record_pk() or 0)
            log.error = (
                _("Same as row %(row)s of this file.") % {"row": row}
                if row
                else _("Already in Halyard: %(name)s.") % {"name": _label(candidate.label)}
            )
        return self.outcomes

    def skip(self, number: int, cells: list[str], match: Candidate, extra: list[ImportRow]) -> None:
        log = self.ctx.log(number, self.model_name, RowAction.SKIPPED, values=cells)
        self.links.append((log, match))
        self.notes.append((log, match))
        self.outcomes.append((number, services.Outcome(RowAction.SKIPPED, [*extra, log])))

    def created(self, number: int, record: Record, extra: list[ImportRow]) -> None:
        log = self.ctx.log(number, self.model_name, RowAction.CREATED)
        self.links.append((log, record))
        self.outcomes.append((number, services.Outcome(RowAction.CREATED, [*extra, log])))

    def through_services(
        self, number: int, cells: list[str], writer: Callable[..., services.Outcome]
    ) -> int | None:
        """Run one row on the row path (an update); return the id of the record it touched."""
        self.flush()
        known = dict(self.ctx.companies)
        try:
            with transaction.atomic():
                outcome = writer(self.ctx, number, cells)
        except services.ROW_ERRORS as exc:
            self.ctx.companies = known
            self.fail(number, cells, exc)
            return None
        self.outcomes.append((number, outcome))
        return outcome.rows[-1].record_id

    def stopped(self) -> bool:
        return (
            self.stop_on_error
            and bool(self.outcomes)
            and self.outcomes[-1][1].action == RowAction.FAILED
        )


def _new_company(ctx: services.RowContext, values: dict[str, Any]) -> Pending:
    """Prepare a company as `company_create` + `record_insert` would, without writing it."""
    values, domains = company_prepare(ctx.actor, values, None)
    values.pop("tags", None)
    company = Company(**values)
    _provenance(ctx, company)
    children = [
        CompanyDomain(domain=row["domain"], is_primary=bool(row.get("is_primary")), position=i)
        for i, row in enumerate(domains or [])
    ]
    return Pending(company, children, {"domains": [d.domain for d in children]})


def _contact_prepare(
    actor: Any, values: dict[str, Any]
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """Do what `contact_create`'s `_prepare` does to an import row's values, without re-parsing.

    `contact_row_values` has already checked the e-mail and put the phone in E.164 with the same
    validators; running `emails_clean` / `phones_clean` again would parse every number twice.
    """
    values = dict(values)
    email, phone = values.get("email") or "", values.get("phone") or ""
    emails = [{"email": email.strip().lower(), "is_primary": True}] if email.strip() else []
    phones = [{"number": phone, "kind": PhoneKind.MOBILE, "is_primary": True}] if phone else []
    if "email" in values:
        values["email"] = emails[0]["email"] if emails else ""
    if "phone" in values:
        values["phone"] = phone
    company = values.get("company")
    if company is not None and (
        company.workspace_id != actor.workspace.pk or company.deleted_at is not None
    ):
        raise ValidationError(
            {"company": _("Choose a company of this workspace.")}, code="company_invalid"
        )
    return values, emails if "email" in values else [], phones if "phone" in values else []


def _provenance(ctx: services.RowContext, record: Record) -> None:
    actor = ctx.actor
    record.workspace = actor.workspace
    record.created_by = actor.user
    if record.owner_id is None and actor.user is not None:
        record.owner = actor.user
    record.source = actor.source
    record.version = 1


# --- Contacts ----------------------------------------------------------------------------------


class ContactChunk(ChunkWriter):
    """One chunk of a contacts import."""

    model_name = "contact"

    def __init__(self, ctx: services.RowContext) -> None:
        super().__init__(ctx)
        self.emails = Index()
        self.phones = Index()
        self.names = Index()  # (id of the company object, UPPER(first), UPPER(last))

    def run(self, chunk: Chunk) -> Outcomes:
        rows: list[tuple[int, list[str], Any]] = []
        for number, cells in chunk:
            try:
                rows.append((number, cells, services.contact_row_values(self.ctx, cells)))
            except ValidationError as exc:
                rows.append((number, cells, exc))
        parsed = [r[2] for r in rows if not isinstance(r[2], Exception)]
        self._load_contacts(
            {d.get("email") for d, _v in parsed} - {None},
            {d.get("phone") for d, _v in parsed} - {None},
        )
        self._load_companies(
            [
                (v["company"], d.get("first_name", ""), d.get("last_name", ""))
                for d, v in parsed
                if v.get("company")
            ]
        )
        for number, cells, result in rows:
            if isinstance(result, Exception):
                self.fail(number, cells, result)
            else:
                self._row(number, cells, *result)
            if self.stopped():
                break
        return self.finish()

    def _load_contacts(self, emails: set[str], phones: set[str]) -> None:
        """Index the live contacts that have one of these e-mails or phones."""
        keys: dict[int, list[tuple[Index, str]]] = defaultdict(list)
        if emails:
            for email, pk in ContactEmail.objects.filter(email__in=emails).values_list(
                "email", "contact_id"
            ):
                keys[pk].append((self.emails, email))
            for email, pk in Contact.objects.filter(email__in=emails).values_list("email", "id"):
                keys[pk].append((self.emails, email))
        if phones:
            for number, pk in ContactPhone.objects.filter(number__in=phones).values_list(
                "number", "contact_id"
            ):
                keys[pk].append((self.phones, number))
            for number, pk in Contact.objects.filter(phone__in=phones).values_list("phone", "id"):
                keys[pk].append((self.phones, number))
        self._index(keys)

    def _index(self, keys: dict[int, list[tuple[Index, str]]]) -> None:
        if not keys:
            return
        fields = ("id", "first_name", "middle_name", "last_name")
        for pk, first, middle, last in (
            Contact.objects.alive().filter(pk__in=list(keys)).values_list(*fields)
        ):
            candidate = Candidate(pk=pk, sort=last, label=(first, middle, last))
            for index, key in keys[pk]:
                index.add(key, candidate)

    def _load_companies(self, people: list[tuple[str, str, str]]) -> None:
        """Find the companies named in the chunk, and the live contacts there by the same name."""
        names = {company for company, _first, _last in people}
        missing = {n for n in names if n.casefold() not in self.ctx.companies}
        if missing:
            found: dict[str, Company] = {}
            for company in (
                Company.objects.alive()
                .annotate(upper_name=Upper("name"))
                .filter(upper_name__in={db_upper(n) for n in missing})
                .order_by("id")
            ):
                found.setdefault(company.upper_name, company)
            for name in missing:
                if company := found.get(db_upper(name)):
                    self.ctx.companies[name.casefold()] = company
        companies: dict[int, Company] = {}
        keys: set[tuple[int, str, str]] = set()
        for name, first, last in people:
            company = self.ctx.companies.get(name.casefold())
            if company is not None and company.pk:
                companies[company.pk] = company
                keys.add((company.pk, db_upper(first), db_upper(last)))
        self._load_names(companies, sorted(keys))

    def _load_names(
        self,
        companies: dict[int, Company],
        keys: list[tuple[int, str, str]],
        only: int | None = None,
    ) -> None:
        """Index live contacts at these companies by (company, first name, last name)."""
        if not companies:
            return
        people = Contact.objects.alive().annotate(
            upper_first=Upper("first_name"), upper_last=Upper("last_name")
        )
        batches: list[Any] = []
        if only is not None:
            batches = [people.filter(pk=only, company_id__in=list(companies))]
        for start in range(0, len(keys), BATCH):
            part = keys[start : start + BATCH]
            # Row values: the (company, first, last) triples of the chunk, in one indexed query.
            where = (
                "(company_id, UPPER(first_name), UPPER(last_name)) IN (VALUES "
                + ", ".join(["(%s, %s, %s)"] * len(part))
                + ")"
            )
            params = [value for key in part for value in key]
            batches.append(
                people.filter(company_id__in={k[0] for k in part}).extra(  # noqa: S610
                    where=[where], params=params
                )
            )
        fields = ("id", "company_id", "upper_first", "upper_last", "first_name", "middle_name")
        for batch in batches:
            for pk, company_id, upper_first, upper_last, first, middle, last in batch.values_list(
                *fields, "last_name"
            ):
                candidate = Candidate(pk=pk, sort="", label=(first, middle, last))
                self.names.add((id(companies[company_id]), upper_first, upper_last), candidate)

    def _company(self, number: int, name: str) -> tuple[Company, list[ImportRow]]:
        """Find a company by name, or make one as `_company_for_name` does."""
        key = name.casefold()
        if (found := self.ctx.companies.get(key)) is not None:
            return found, []
        services._check_lengths(Company, {"name": name})
        pending = _new_company(self.ctx, {"name": name})
        self.companies.append(pending)
        company = pending.record
        assert isinstance(company, Company)
        self.ctx.companies[key] = company
        log = self.ctx.log(number, "company", RowAction.CREATED)
        self.links.append((log, company))
        return company, [log]

    def _forget_company(self, name: str, company: Company) -> None:
        self.ctx.companies.pop(name.casefold(), None)
        self.companies = [p for p in self.companies if p.record is not company]
        self.links = [(log, t) for log, t in self.links if t is not company]

    def _update(self, number: int, cells: list[str]) -> None:
        pk = self.through_services(number, cells, services._contact_row)
        if pk is None:
            return
        for index in (self.emails, self.phones, self.names):
            index.forget(pk)
        keys: dict[int, list[tuple[Index, str]]] = defaultdict(list)
        for email in ContactEmail.objects.filter(contact_id=pk).values_list("email", flat=True):
            keys[pk].append((self.emails, email))
        for phone in ContactPhone.objects.filter(contact_id=pk).values_list("number", flat=True):
            keys[pk].append((self.phones, phone))
        for primary_email, primary_phone in Contact.objects.filter(pk=pk).values_list(
            "email", "phone"
        ):
            keys[pk] += [(self.emails, primary_email), (self.phones, primary_phone)]
        self._index(keys)
        named = {c.pk: c for c in self.ctx.companies.values() if c.pk}
        self._load_names(named, [], only=pk)

    def _row(
        self, number: int, cells: list[str], data: dict[str, Any], values: dict[str, Any]
    ) -> None:
        policy = self.policy
        name = values.pop("company", "")
        match = _first(self.emails.get(data.get("email")) + self.phones.get(data.get("phone")))
        if match is not None and policy == DuplicatePolicy.UPDATE:
            self._update(number, cells)
            return
        company: Company | None = None
        extra: list[ImportRow] = []
        if name:
            try:
                company, extra = self._company(number, name)
            except ValidationError as exc:
                self.fail(number, cells, exc)
                return
            values["company"] = company
        name_key = (
            (id(company), db_upper(data.get("first_name", "")), db_upper(data.get("last_name", "")))
            if company is not None
            else None
        )
        if match is None and name_key is not None and not extra:
            match = _first(self.names.get(name_key), by_id=True)
            if match is not None and policy == DuplicatePolicy.UPDATE:
                self._update(number, cells)
                return
        if match is not None and policy == DuplicatePolicy.SKIP:
            self.skip(number, cells, match, extra)
            return
        try:
            if not data.get("last_name"):
                raise ValidationError(_("The last name is empty: every contact needs one."))
            prepared, emails, phones = _contact_prepare(self.ctx.actor, values)
        except ValidationError as exc:
            if company is not None and extra:
                self._forget_company(name, company)
            self.fail(number, cells, exc)
            return
        prepared.pop("tags", None)
        contact = Contact(**prepared)
        if company is not None and not contact.company_since:
            contact.company_since = timezone.localdate()
        _provenance(self.ctx, contact)
        children: list[Any] = [
            ContactEmail(email=r["email"], is_primary=bool(r.get("is_primary")), position=i)
            for i, r in enumerate(emails or [])
        ]
        children += [
            ContactPhone(
                number=r["number"],
                kind=r.get("kind") or PhoneKind.MOBILE,
                is_primary=bool(r.get("is_primary")),
                position=i,
            )
            for i, r in enumerate(phones or [])
        ]
        self.records.append(
            Pending(
                contact,
                children,
                {
                    "emails": [r["email"] for r in emails or []],
                    "phones": [
                        f"{r['number']} ({r.get('kind') or PhoneKind.MOBILE})" for r in phones or []
                    ],
                },
            )
        )
        candidate = Candidate(
            pk=None, sort=contact.last_name, label=contact, record=contact, row=number
        )
        for r in emails or []:
            self.emails.add(r["email"], candidate)
        for r in phones or []:
            self.phones.add(r["number"], candidate)
        if name_key is not None:
            self.names.add(
                (id(company), db_upper(contact.first_name), db_upper(contact.last_name)), candidate
            )
        self.created(number, contact, extra)


# --- Companies ---------------------------------------------------------------------------------


class CompanyChunk(ChunkWriter):
    """One chunk of a companies import."""

    model_name = "company"

    def __init__(self, ctx: services.RowContext) -> None:
        super().__init__(ctx)
        self.domains = Index()
        self.names = Index()  # UPPER(name)

    def run(self, chunk: Chunk) -> Outcomes:
        rows: list[tuple[int, list[str], Any]] = []
        for number, cells in chunk:
            try:
                data = services.company_row_values(self.ctx, cells)
                domain = domain_normalise(data["domain"]) if data.get("domain") else ""
                rows.append((number, cells, (data, domain)))
            except ValidationError as exc:
                rows.append((number, cells, exc))
        parsed = [r[2] for r in rows if not isinstance(r[2], Exception)]
        self._load(
            {d for _data, d in parsed if d},
            {data["name"] for data, _d in parsed if data.get("name")},
        )
        for number, cells, result in rows:
            if isinstance(result, Exception):
                self.fail(number, cells, result)
            else:
                self._row(number, cells, *result)
            if self.stopped():
                break
        return self.finish()

    def _load(self, domains: set[str], names: set[str], only: int | None = None) -> None:
        """Index the live companies with one of these domains or names (or the one `only`)."""
        keys: dict[int, list[str]] = defaultdict(list)
        rows = CompanyDomain.objects.all()
        companies = Company.objects.all()
        if only is not None:
            rows, companies = rows.filter(company_id=only), companies.filter(pk=only)
        else:
            rows, companies = rows.filter(domain__in=domains), companies.filter(domain__in=domains)
        if domains or only is not None:
            for domain, pk in rows.values_list("domain", "company_id"):
                keys[pk].append(domain)
            for domain, pk in companies.values_list("domain", "id"):
                keys[pk].append(domain)
        if keys:
            for pk, name in (
                Company.objects.alive().filter(pk__in=list(keys)).values_list("id", "name")
            ):
                candidate = Candidate(pk=pk, sort=name, label=name)
                for domain in keys[pk]:
                    self.domains.add(domain, candidate)
        if not names and only is None:
            return
        named = Company.objects.alive().annotate(upper_name=Upper("name"))
        if only is not None:
            named = named.filter(pk=only)
        else:
            named = named.filter(upper_name__in={db_upper(n) for n in names})
        for pk, name, upper in named.values_list("id", "name", "upper_name"):
            self.names.add(upper, Candidate(pk=pk, sort=name, label=name))

    def _row(self, number: int, cells: list[str], data: dict[str, Any], domain: str) -> None:
        policy = self.policy
        match = _first(self.domains.get(domain)) if domain else None
        if match is None and data.get("name"):
            match = _first(self.names.get(db_upper(data["name"])), by_id=True)
        if match is not None and policy == DuplicatePolicy.UPDATE:
            pk = self.through_services(number, cells, services._company_row)
            if pk is not None:
                self.domains.forget(pk)
                self.names.forget(pk)
                self._load(set(), set(), only=pk)
            return
        if match is not None and policy == DuplicatePolicy.SKIP:
            self.skip(number, cells, match, [])
            return
        try:
            if not data.get("name"):
                raise ValidationError(_("The name is empty: every company needs one."))
            pending = _new_company(self.ctx, data)
        except ValidationError as exc:
            self.fail(number, cells, exc)
            return
        self.records.append(pending)
        company = pending.record
        assert isinstance(company, Company)
        candidate = Candidate(
            pk=None, sort=company.name, label=company.name, record=company, row=number
        )
        for child in pending.children:
            self.domains.add(child.domain, candidate)
        self.names.add(db_upper(company.name), candidate)
        self.created(number, company, [])


def contacts_chunk(ctx: services.RowContext, chunk: Chunk) -> Outcomes:
    """Write a chunk of a contacts import set-based."""
    return ContactChunk(ctx).run(chunk)


def companies_chunk(ctx: services.RowContext, chunk: Chunk) -> Outcomes:
    """Write a chunk of a companies import set-based."""
    return CompanyChunk(ctx).run(chunk)


WRITERS: dict[str, Callable[[services.RowContext, Chunk], Outcomes]] = {
    "contacts": contacts_chunk,
    "companies": companies_chunk,
}
