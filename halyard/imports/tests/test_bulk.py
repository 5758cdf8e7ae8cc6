"""The set-based import path writes what the row path writes: records, audit, search, events."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from halyard.audit.models import AuditEntry
from halyard.companies.models import Company, CompanyDomain
from halyard.companies.services import company_create
from halyard.contacts.models import Contact, ContactEmail, ContactPhone
from halyard.contacts.services import contact_create
from halyard.core.models import OutboxEvent
from halyard.customfields.models import CustomField
from halyard.imports import bulk, services
from halyard.imports.models import Import, ImportRow, ImportStatus
from halyard.imports.selectors import error_report
from halyard.imports.tests import test_imports
from halyard.imports.tests.test_imports import run, undo, upload
from halyard.search.models import SearchEntry

pytestmark = pytest.mark.django_db
owner, vn = test_imports.owner, test_imports.vn  # the fixtures of the row path's tests

CONTACTS = (
    "Họ,Tên,Email,Điện thoại,Công ty,Quốc gia,Điểm thưởng,Full name\n"
    "Nguyễn,An,an@sen.vn,0912 345 678,Sen Vàng,vn,10,\n"
    "Trần,Bình,binh@sen.vn,0987654321,sen vàng,,,\n"
    ",,,,北京科技有限公司,,,王小明\n"
    ",,ali@example.ir,+98 912 123 4567,شرکت نمونه,IR,,علی رضایی\n"
    "Müller,Jürgen,juergen@example.de,,Müller GmbH,DE,,\n"
    "Smith,John,john@example.com,+1 415 555 0100,Acme Inc,US,7,\n"
    "Nguyễn,An,AN@SEN.VN,,,,,\n"  # the same e-mail as row 1
    "Khác,Người,,0912345678,,,,\n"  # the same phone as row 1
    "trần,bình,,,Sen Vàng,,,\n"  # the same name at the same company as row 2
    "Lê,Cường,not-an-email,,,,,\n"
    "Phạm,Dũng,dung@sen.vn,12,,,,\n"
    ",Nobody,nobody@sen.vn,,Công ty Mới,,,\n"  # no last name: its new company is not kept
    "Hoàng,Em,em@sen.vn,,,XX,,\n"
    "Võ,Giang,giang@sen.vn,,,,lots,\n"
    "Old,Friend,old@friend.com,,,,,\n"  # already in Halyard
    "Đỗ,Hà,ha@sen.vn,,Old Friend Co,,,\n"  # company already in Halyard
    "Friend,Old,,,Old Friend Co,,,\n"  # name + company already in Halyard
    "陈,大文,chen@example.tw,0987 000 111,台北電子,,,\n"
    "Nguyễn,An,,,,,,\n"  # no e-mail, no company: a new contact
)
MAPPING = {
    "0": "last_name",
    "1": "first_name",
    "2": "email",
    "3": "phone",
    "4": "company",
    "5": "country",
    "6": "custom.points",
    "7": "full_name",
}
COMPANIES = (
    "Company name,Website,Annual Revenue,Phone\n"
    'Sen Vàng,https://www.senvang.vn/about,"1.234.567,50",0912345678\n'
    'Hoa Sen,hoasen.vn,"2,000",\n'
    "Sen Vang Again,senvang.vn,,\n"
    "hoa sen,,,\n"
    "Old Friend Co,,,\n"
    "Đã có,oldfriend.com,,\n"
    ",nameless.vn,,\n"
    "Bad Domain,not a domain,,\n"
    "Bad Phone,,,12\n"
    "Bad Money,,lots,\n"
    "北京科技有限公司,bjkj.cn,,\n"
)


def _existing(actor: Any) -> None:
    """Give the workspace the records the files partly repeat."""
    CustomField.objects.create(
        workspace=actor.workspace,
        record_type="contacts",
        key="points",
        label="Points",
        field_type="number",
    )
    old = company_create(actor=actor, values={"name": "Old Friend Co", "domain": "oldfriend.com"})
    contact_create(
        actor=actor,
        values={"first_name": "Old", "last_name": "Friend", "email": "old@friend.com"},
    )
    contact_create(actor=actor, values={"first_name": "Old", "last_name": "Friend", "company": old})


def _snapshot(job: Import) -> dict[str, Any]:
    """Return everything an import wrote, with ids replaced by the row that made the record."""
    job.refresh_from_db()
    made = {
        (r.model, r.record_id): r.row_number
        for r in ImportRow.objects.filter(job=job, action="created")
    }
    contact_ids = set(Contact.objects.values_list("id", flat=True))

    def ref(model: str, pk: Any) -> Any:
        if pk is None:
            return None
        pk = int(pk)
        return ("row", made[(model, pk)]) if (model, pk) in made else ("pk", pk)

    def plain(obj: Any, skip: tuple[str, ...] = ()) -> dict[str, Any]:
        data = {}
        for field in obj._meta.concrete_fields:
            if field.name in {"id", "created_at", "updated_at", *skip}:
                continue
            data[field.attname] = getattr(obj, field.attname)
        return data

    def changes(entry: AuditEntry) -> dict[str, Any]:
        out = dict(entry.changes)
        if "company" in out:
            out["company"] = [ref("company", v) for v in out["company"]]
        return out

    def record_ref(object_type: str, pk: str) -> Any:
        return ref("contact" if object_type == "contacts.contact" else "company", pk)

    return {
        "counts": (
            job.status,
            job.created_count,
            job.updated_count,
            job.skipped_count,
            job.failed_count,
            job.position,
        ),
        "contacts": sorted(
            (ref("contact", c.pk), {**plain(c), "company_id": ref("company", c.company_id)})
            for c in Contact.objects.all()
        ),
        "companies": sorted((ref("company", c.pk), plain(c)) for c in Company.objects.all()),
        "emails": sorted(
            (ref("contact", e.contact_id), e.email, e.is_primary, e.position)
            for e in ContactEmail.objects.all()
        ),
        "phones": sorted(
            (ref("contact", p.contact_id), p.number, p.kind, p.is_primary, p.position)
            for p in ContactPhone.objects.all()
        ),
        "domains": sorted(
            (ref("company", d.company_id), d.domain, d.is_primary, d.position)
            for d in CompanyDomain.objects.all()
        ),
        "search": sorted(
            (
                s.record_type,
                ref("contact" if s.record_type == "contacts" else "company", s.record_id),
                s.text,
                s.owner_id,
            )
            for s in SearchEntry.objects.filter(record_type__in=["contacts", "companies"])
        ),
        "audit": sorted(
            (
                e.object_type,
                record_ref(e.object_type, e.object_id),
                e.action,
                e.source,
                e.actor_id,
                e.actor_label,
                e.object_repr,
                repr(changes(e)),
            )
            for e in AuditEntry.objects.filter(
                object_type__in=["contacts.contact", "companies.company"]
            )
        ),
        "events": sorted(
            (
                e.name,
                ref(e.name.split(".")[0], e.payload["id"]),
                e.payload["actor_id"],
                e.payload["source"],
                e.dispatched_at is None,
            )
            for e in OutboxEvent.objects.filter(name__regex=r"^(contact|company)\.")
            if e.name.split(".")[0] in {"contact", "company"}
        ),
        "log": sorted(
            (
                r.row_number,
                r.model,
                r.action,
                ref(r.model, r.record_id) if r.model and r.record_id else None,
                repr({k: ref("company", v) if k == "company" else v for k, v in r.before.items()}),
                r.values,
                r.error,
            )
            for r in ImportRow.objects.filter(job=job)
        ),
        "report": "".join(error_report(job)),
        "contact_ids": len(contact_ids),
    }


def _both_paths(
    actor: Any,
    monkeypatch: Any,
    text: str,
    record_type: str,
    mapping: dict[str, str] | None,
    duplicates: str,
) -> tuple[dict[str, Any], dict[str, Any]]:
    snapshots = []
    for minimum in (10**9, 0):  # the row path, then the set path, on the same starting data
        monkeypatch.setattr(services, "BULK_MIN_ROWS", minimum)
        monkeypatch.setattr(services, "BULK_CHUNK_ROWS", 7)  # several chunks, and rows across them
        point = transaction.savepoint()
        job = upload(actor, text.encode(), record_type=record_type)
        job = run(actor, job, duplicates=duplicates, mapping=mapping)
        snapshots.append(_snapshot(job))
        transaction.savepoint_rollback(point)
    return snapshots[0], snapshots[1]


@pytest.mark.parametrize("duplicates", ["skip", "update", "create"])
def test_contacts_set_path_writes_what_the_row_path_writes(
    owner: Any, monkeypatch: Any, duplicates: str
) -> None:
    _existing(owner)
    rows, sets = _both_paths(owner, monkeypatch, CONTACTS, "contacts", MAPPING, duplicates)
    assert rows["counts"][0] == ImportStatus.DONE
    for key in rows:
        assert sets[key] == rows[key], key


@pytest.mark.parametrize("duplicates", ["skip", "update", "create"])
def test_companies_set_path_writes_what_the_row_path_writes(
    owner: Any, monkeypatch: Any, duplicates: str
) -> None:
    _existing(owner)
    mapping = {"0": "name", "1": "website", "2": "annual_revenue", "3": "phone"}
    rows, sets = _both_paths(owner, monkeypatch, COMPANIES, "companies", mapping, duplicates)
    assert rows["counts"][1] > 0
    for key in rows:
        assert sets[key] == rows[key], key


def test_stop_on_error_stops_at_the_same_row(owner: Any, monkeypatch: Any) -> None:
    _existing(owner)
    monkeypatch.setattr(services, "BULK_MIN_ROWS", 0)
    job = run(owner, upload(owner, CONTACTS.encode()), errors="stop", mapping=MAPPING)
    assert (job.status, job.position, job.created_count) == (ImportStatus.STOPPED, 10, 6)
    assert "row 10" in job.message and not Contact.objects.filter(last_name="Phạm").exists()


def test_a_crash_in_a_chunk_resumes_from_that_chunk(owner: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(services, "BULK_MIN_ROWS", 0)
    monkeypatch.setattr(services, "BULK_CHUNK_ROWS", 4)
    text = "Họ,Tên,Email\n" + "".join(f"Nguyễn,Số{i},n{i}@sen.vn\n" for i in range(10))
    job = upload(owner, text.encode())
    services.import_configure(
        actor=owner,
        job=job,
        mapping={"0": "last_name", "1": "first_name", "2": "email"},
        duplicates="skip",
        errors="skip",
    )
    real = bulk._insert

    def crash(ctx: Any, pending: list[Any]) -> None:
        real(ctx, pending)
        if any(p.record.first_name == "Số5" for p in pending):
            raise RuntimeError("worker killed after writing, before the chunk committed")

    monkeypatch.setattr(bulk, "_insert", crash)
    with pytest.raises(RuntimeError):
        services.import_process(job.pk)
    job.refresh_from_db()
    assert (job.position, job.status, Contact.objects.count()) == (4, ImportStatus.RUNNING, 4)
    assert AuditEntry.objects.filter(object_type="contacts.contact").count() == 4
    monkeypatch.setattr(bulk, "_insert", real)
    services.import_process(job.pk)
    job.refresh_from_db()
    assert (job.status, job.created_count, job.skipped_count) == (ImportStatus.DONE, 10, 0)
    assert (
        Contact.objects.count() == 10 == SearchEntry.objects.filter(record_type="contacts").count()
    )
    assert OutboxEvent.objects.filter(name="contact.created").count() == 10
    assert ImportRow.objects.filter(job=job).count() == 10


def test_a_database_refusal_falls_back_to_the_row_path(owner: Any, monkeypatch: Any) -> None:
    from django.db import IntegrityError

    monkeypatch.setattr(services, "BULK_MIN_ROWS", 0)

    def refuse(ctx: Any, chunk: Any) -> Any:
        raise IntegrityError("refused")

    monkeypatch.setitem(bulk.WRITERS, "contacts", refuse)
    _existing(owner)
    done = run(owner, upload(owner, CONTACTS.encode()), mapping=MAPPING)
    assert done.status == ImportStatus.DONE and done.created_count > 0


def test_set_path_imports_are_undone(owner: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(services, "BULK_MIN_ROWS", 0)
    CustomField.objects.create(
        workspace=owner.workspace,
        record_type="contacts",
        key="points",
        label="Points",
        field_type="number",
    )
    done = run(owner, upload(owner, CONTACTS.encode()), mapping=MAPPING)
    assert Contact.objects.alive().count() == done.created_count
    undo(owner, done)
    assert not Contact.objects.alive().exists() and not Company.objects.alive().exists()
