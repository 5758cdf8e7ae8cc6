"""The import wizard's services: reading files, mapping, rows, duplicates, resume, undo."""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope

from conftest import actor_for
from halyard.audit.models import AuditEntry
from halyard.companies.models import Company
from halyard.contacts.models import Contact
from halyard.imports import services
from halyard.imports.mapping import suggest
from halyard.imports.models import Import, ImportRow, ImportStatus
from halyard.imports.selectors import error_report

pytestmark = pytest.mark.django_db

VI_CSV = (
    "Họ,Tên,Email,Điện thoại,Công ty\n"
    "Nguyễn,An,an@sen.vn,0912 345 678,Sen Vàng\n"
    "Trần,Bình,binh@sen.vn,0987654321,Sen Vàng\n"
)


TONES = "\u0300\u0301\u0303\u0309\u0323"


def cp1258(text: str) -> bytes:
    """Encode Vietnamese as Windows-1258 does: tone marks as separate combining characters."""
    out = []
    for ch in text:
        try:
            out.append(ch.encode("cp1258"))
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES))
            out.append((base + "".join(c for c in parts if c in TONES)).encode("cp1258"))
    return b"".join(out)


def encode(text: str, encoding: str) -> bytes:
    if encoding == "cp1258":
        return cp1258(text)
    if encoding == "cp1256":  # Windows-1256 has only the Arabic forms of yeh and kaf
        text = text.replace("ی", "ي").replace("ک", "ك")
    return text.encode(encoding)


@pytest.fixture(autouse=True)
def _var_dir(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path


def upload(
    actor: Any, content: bytes, name: str = "people.csv", record_type: str = "contacts"
) -> Import:
    return services.import_upload(
        actor=actor, record_type=record_type, upload=SimpleUploadedFile(name, content)
    )


def run(
    actor: Any,
    job: Import,
    duplicates: str = "skip",
    errors: str = "skip",
    mapping: dict[str, str] | None = None,
) -> Import:
    if mapping is None:
        from halyard.imports.selectors import mapping_suggestion

        mapping = mapping_suggestion(job, None)
    services.import_configure(
        actor=actor, job=job, mapping=mapping, duplicates=duplicates, errors=errors
    )
    services.import_process(job.pk)
    return Import.objects.get(pk=job.pk)


def undo(actor: Any, job: Import) -> Import:
    services.import_undo(actor=actor, job=job)
    services.import_work(job.pk)
    return Import.objects.get(pk=job.pk)


@pytest.fixture
def vn(acme: Any) -> Any:
    acme.default_country = "VN"
    acme.save()
    return acme


@pytest.fixture
def owner(vn: Any, alice: Any) -> Any:
    with scope(workspace=vn):
        yield actor_for(vn, alice)


@pytest.mark.parametrize(
    ("encoding", "text"),
    [
        (
            "gb18030",
            "姓,名,电子邮件,电话,公司\n王,小明,wang@example.cn,0912345678,北京科技有限公司\n张,伟,zhang@example.cn,0987654321,上海贸易有限公司\n",
        ),
        (
            "big5",
            "姓,名,電子郵件,電話,公司名稱\n陳,大文,chen@example.tw,0912345678,台北電子股份有限公司\n林,美玲,lin@example.tw,0987654321,高雄貿易有限公司\n",
        ),
        ("cp1258", VI_CSV + "Lê,Cường,cuong@sen.vn,0903123456,Công ty Hoà Bình\n"),
        (
            "cp1256",
            "نام,نام خانوادگی,ایمیل,تلفن,شرکت\nعلی,رضایی,ali@example.ir,0912345678,شرکت پارس\n"
            "مریم,احمدی,maryam@example.ir,0987654321,شرکت البرز\n",
        ),
        ("utf-16", VI_CSV),
        ("utf-8-sig", VI_CSV),
        ("utf-8", VI_CSV),
    ],
)
def test_every_encoding_is_read_and_imported(owner: Any, encoding: str, text: str) -> None:
    job = upload(owner, encode(text, encoding))
    assert job.headers == text.splitlines()[0].split(",")
    done = run(owner, job)
    assert done.status == ImportStatus.DONE, done.message
    assert done.created_count == len(text.splitlines()) - 1
    assert not services.import_file_path(done).exists()  # the log rows are all undo needs
    first_data = text.splitlines()[1].split(",")
    assert Contact.objects.filter(email=first_data[2], source="import").exists()


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters_are_sniffed(owner: Any, delimiter: str) -> None:
    job = upload(owner, VI_CSV.replace(",", delimiter).encode())
    assert job.delimiter == delimiter
    assert job.headers == ["Họ", "Tên", "Email", "Điện thoại", "Công ty"]


def _xlsx() -> bytes:
    book = openpyxl.Workbook()
    first = book.active
    first.title = "Notes"
    first.append(["Something else"])
    first.append(["x"])
    people = book.create_sheet("People")
    people.append(["First Name", "Last Name", "Email Address", "Mobile Phone", "Account Name"])
    people.append(["Lan", "Pham", "lan@example.com", "+84912345678", "Sen Vang"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_sheet_is_chosen(owner: Any) -> None:
    job = upload(owner, _xlsx(), "book.xlsx")
    assert job.file_format == "xlsx" and job.headers == ["Something else"]
    services.import_choose_sheet(actor=owner, job=job, sheet="People")
    done = run(owner, job)
    assert done.created_count == 1
    lan = Contact.objects.get(email="lan@example.com")
    assert lan.company is not None and lan.company.name == "Sen Vang"
    assert lan.phone == "+84912345678"


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            ["Họ", "Tên", "Email", "Điện thoại", "Công ty"],
            ["last_name", "first_name", "email", "phone", "company"],
        ),
        (
            ["姓", "名", "电子邮件", "电话", "公司名称"],
            ["last_name", "first_name", "email", "phone", "company"],
        ),
        (
            ["姓", "名", "電子郵件", "電話", "公司名稱"],
            ["last_name", "first_name", "email", "phone", "company"],
        ),
        (
            ["نام", "نام خانوادگی", "ایمیل", "تلفن", "شرکت"],
            ["first_name", "last_name", "email", "phone", "company"],
        ),
        (
            ["First Name", "Last Name", "Email Address", "Mobile Phone", "Account Name"],
            ["first_name", "last_name", "email", "phone", "company"],
        ),
        (["Họ và tên", "Chức vụ", "Mystery"], ["full_name", "title", None]),
    ],
)
def test_mapping_suggestions_in_each_language(
    headers: list[str], expected: list[str | None]
) -> None:
    mapping = suggest("contacts", headers, [])
    assert [mapping.get(str(i)) for i in range(len(headers))] == expected


def test_company_suggestions_from_other_crms() -> None:
    mapping = suggest(
        "companies", ["Company name", "Company Domain Name", "Industry", "Annual Revenue"], []
    )
    assert mapping == {"0": "name", "1": "domain", "2": "industry", "3": "annual_revenue"}


def test_bad_rows_are_skipped_and_reported(owner: Any) -> None:
    text = (
        VI_CSV
        + "Lê,Cường,not-an-email,0903123456,\n,NoLastName,x@sen.vn,,\nPhạm,Dũng,dung@sen.vn,12,\n"
    )
    done = run(owner, upload(owner, text.encode()))
    assert (done.created_count, done.failed_count, done.status) == (2, 3, ImportStatus.DONE)
    report = "".join(error_report(done))
    assert "not-an-email" in report and "is not a valid e-mail address" in report
    assert "every contact needs one" in report
    assert "is not a valid phone number" in report
    assert report.startswith("\ufeffRow,Result,Reason,Họ,Tên")


def test_stop_on_first_error(owner: Any) -> None:
    text = VI_CSV.replace("binh@sen.vn", "bad@") + "Lê,Cường,cuong@sen.vn,,\n"
    done = run(owner, upload(owner, text.encode()), errors="stop")
    assert done.status == ImportStatus.STOPPED and "row 2" in done.message
    assert not services.import_file_path(done).exists()
    assert done.created_count == 1 and not Contact.objects.filter(last_name="Lê").exists()


def test_importing_the_same_file_twice_with_skip_creates_nothing_twice(owner: Any) -> None:
    run(owner, upload(owner, VI_CSV.encode()))
    again = run(owner, upload(owner, VI_CSV.encode()))
    assert (again.created_count, again.skipped_count) == (0, 2)
    assert Contact.objects.count() == 2 and Company.objects.count() == 1
    assert "Already in Halyard" in "".join(error_report(again))


def test_in_file_duplicates_are_caught(owner: Any) -> None:
    text = VI_CSV + "Nguyễn,An,AN@sen.vn,,\n"
    done = run(owner, upload(owner, text.encode()))
    assert (done.created_count, done.skipped_count) == (2, 1)
    assert "Same as row 1 of this file" in "".join(error_report(done))


def test_phone_and_name_with_company_match(owner: Any) -> None:
    run(owner, upload(owner, VI_CSV.encode()))
    by_phone = "Họ,Tên,Điện thoại\nNguyễn,Khác,+84 912 345 678\n"
    assert run(owner, upload(owner, by_phone.encode())).skipped_count == 1
    by_name = "Họ,Tên,Công ty\nTrần,Bình,sen vàng\n"
    assert run(owner, upload(owner, by_name.encode())).skipped_count == 1


def test_update_policy_then_undo_restores(owner: Any) -> None:
    run(owner, upload(owner, VI_CSV.encode()))
    an = Contact.objects.get(email="an@sen.vn")
    changed = "Email,Chức vụ,Điện thoại\nan@sen.vn,Giám đốc,0903000111\nmoi@sen.vn,,\n"
    done = run(
        owner,
        upload(owner, changed.encode()),
        duplicates="update",
        mapping={"0": "email", "1": "title", "2": "phone"},
    )
    assert done.failed_count == 1, list(ImportRow.objects.values_list("error", flat=True))
    assert done.updated_count == 1
    an.refresh_from_db()
    assert (an.title, an.phone) == ("Giám đốc", "+84903000111")
    assert undo(owner, done).status == ImportStatus.UNDONE
    an.refresh_from_db()
    assert (an.title, an.phone, an.deleted_at) == ("", "+84912345678", None)
    assert (
        AuditEntry.objects.filter(
            object_type="contacts.contact", object_id=str(an.pk), source="import"
        ).count()
        == 3
    )


def test_create_anyway_policy(owner: Any) -> None:
    run(owner, upload(owner, VI_CSV.encode()))
    done = run(owner, upload(owner, VI_CSV.encode()), duplicates="create")
    assert done.created_count == 2 and Contact.objects.count() == 4
    assert Company.objects.count() == 1  # the company is found by name, not made again


def test_undo_trashes_created_records_and_companies(owner: Any) -> None:
    done = run(owner, upload(owner, VI_CSV.encode()))
    undo(owner, done)
    assert not Contact.objects.alive().exists() and not Company.objects.alive().exists()
    assert Import.objects.get(pk=done.pk).status == ImportStatus.UNDONE
    with pytest.raises(ValidationError):
        services.import_undo(actor=owner, job=Import.objects.get(pk=done.pk))


def test_companies_import_matches_domains(owner: Any) -> None:
    text = (
        "Company name,Website,Annual Revenue\n"
        'Sen Vàng,https://www.senvang.vn/about,"1.234.567,50"\n'
        'Hoa Sen,hoasen.vn,"2,000"\n'
        "Sen Vang Again,senvang.vn,\n"
    )
    done = run(owner, upload(owner, text.encode(), record_type="companies"))
    assert (done.created_count, done.skipped_count) == (2, 1)
    sen = Company.objects.get(domain="senvang.vn")
    assert str(sen.annual_revenue) == "1234567.50"


def test_resume_after_a_crash(owner: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(services, "CHUNK_ROWS", 3)
    text = "Họ,Tên,Email\n" + "".join(f"Nguyễn,Số{i},n{i}@sen.vn\n" for i in range(10))
    job = upload(owner, text.encode())
    services.import_configure(
        actor=owner,
        job=job,
        mapping={"0": "last_name", "1": "first_name", "2": "email"},
        duplicates="skip",
        errors="skip",
    )
    real = services._contact_row

    def crash(ctx: Any, number: int, cells: list[str]) -> Any:
        if number == 5:
            raise RuntimeError("worker killed")
        return real(ctx, number, cells)

    monkeypatch.setitem(services.ROW_WRITERS, "contacts", crash)
    with pytest.raises(RuntimeError):
        services.import_process(job.pk)
    job.refresh_from_db()
    assert (job.position, job.status, Contact.objects.count()) == (3, ImportStatus.RUNNING, 3)
    monkeypatch.setitem(services.ROW_WRITERS, "contacts", real)
    services.import_process(job.pk)
    job.refresh_from_db()
    assert (job.status, job.created_count, job.skipped_count) == (ImportStatus.DONE, 10, 0)
    assert Contact.objects.count() == 10
    assert ImportRow.objects.filter(job=job).count() == 10


def test_cancel_stops_between_chunks(owner: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(services, "CHUNK_ROWS", 2)
    text = "Họ,Email\n" + "".join(f"Nguyễn,c{i}@sen.vn\n" for i in range(6))
    job = upload(owner, text.encode())
    services.import_configure(
        actor=owner,
        job=job,
        mapping={"0": "last_name", "1": "email"},
        duplicates="skip",
        errors="skip",
    )
    real = services._commit_chunk

    def cancel_after_first(ctx: Any, chunk: Any) -> bool:
        stop = real(ctx, chunk)
        services.import_cancel(actor=owner, job=ctx.job)
        return stop

    monkeypatch.setattr(services, "_commit_chunk", cancel_after_first)
    services.import_process(job.pk)
    job.refresh_from_db()
    assert (job.status, job.position, Contact.objects.count()) == (ImportStatus.CANCELLED, 2, 2)


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "empty.csv", "empty"),
        (b"Ho,Ten\n", "header.csv", "no data rows"),
        (b"\x00\x01\x02\x03\xff\xfe\x00\x00" * 500, "garbage.csv", "not a CSV or Excel file"),
        (b"PK\x03\x04 broken zip", "broken.xlsx", "damaged"),
        (b"%PDF-1.4 \x00\x01", "file.pdf", "Choose a CSV, Excel"),
    ],
)
def test_bad_files_get_a_clear_message(owner: Any, content: bytes, name: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        upload(owner, content, name)
    assert message in " ".join(caught.value.messages)


def test_files_over_the_limit_are_refused(owner: Any, monkeypatch: Any, tmp_path: Path) -> None:
    monkeypatch.setattr(services, "MAX_FILE_BYTES", 1000)
    with pytest.raises(ValidationError) as caught:
        upload(owner, VI_CSV.encode() * 100)
    assert "larger than" in " ".join(caught.value.messages)
    assert not list((tmp_path / "imports").rglob("*.csv"))


def test_a_rep_without_import_permission_cannot_import(vn: Any, bob: Any) -> None:
    with scope(workspace=vn), pytest.raises(PermissionDenied):
        upload(actor_for(vn, bob), VI_CSV.encode())


def test_full_name_is_split_by_script() -> None:
    assert services.split_full_name("Nguyễn Văn An", "VN") == ("An", "Văn", "Nguyễn")
    assert services.split_full_name("王小明", "CN") == ("小明", "", "王")
    assert services.split_full_name("Mary Jane Smith", "US") == ("Mary", "Jane", "Smith")


def test_a_second_worker_on_the_same_import_stops_quietly(owner: Any) -> None:
    job = upload(owner, VI_CSV.encode())
    mapping = {"0": "last_name", "1": "first_name", "2": "email"}
    services.import_configure(
        actor=owner, job=job, mapping=mapping, duplicates="skip", errors="skip"
    )
    services.import_process(job.pk)
    stale = Import.objects.get(pk=job.pk)
    stale.position = 0  # what a worker that read the import before the first chunk holds
    stale.status = ImportStatus.RUNNING
    with pytest.raises(services.Superseded):
        services._commit_chunk(
            services.RowContext(owner, stale), [(1, VI_CSV.splitlines()[1].split(","))]
        )
    assert Contact.objects.count() == 2


def test_stale_imports_are_queued_again(owner: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    job = upload(owner, VI_CSV.encode())
    services.import_configure(
        actor=owner, job=job, mapping={"0": "last_name"}, duplicates="skip", errors="skip"
    )
    assert services.stale_imports() == []
    long_ago = timezone.now() - timedelta(hours=1)
    Import.objects.filter(pk=job.pk).update(created_at=long_ago, heartbeat_at=long_ago)
    assert services.stale_imports() == [job.pk]


def test_custom_fields_are_suggested_validated_and_stored(owner: Any, vn: Any) -> None:
    from halyard.customfields.models import CustomField

    CustomField.objects.create(
        workspace=vn,
        record_type="contacts",
        key="loyalty",
        label="Điểm thưởng",
        field_type="number",
    )
    text = "Họ,Điểm thưởng\nNguyễn,120\nTrần,nhiều\n"
    job = upload(owner, text.encode())
    from halyard.imports.selectors import mapping_suggestion

    assert mapping_suggestion(job, None) == {"0": "last_name", "1": "custom.loyalty"}
    done = run(owner, job)
    assert (done.created_count, done.failed_count) == (1, 1)
    assert Contact.objects.get(last_name="Nguyễn").custom == {"loyalty": 120}
    assert "Điểm thưởng: " in "".join(error_report(done))


def test_a_saved_mapping_is_offered_for_the_next_file(owner: Any) -> None:
    from halyard.imports.selectors import best_template, mapping_suggestion, templates_for

    job = upload(owner, "Col A,Col B\nNguyễn,a@sen.vn\n".encode())
    services.import_configure(
        actor=owner,
        job=job,
        mapping={"0": "last_name", "1": "email"},
        duplicates="skip",
        errors="skip",
        template_name="Old CRM",
    )
    second = upload(owner, "Col B,Col A\nb@sen.vn,Trần\n".encode())
    template = best_template(second, templates_for("contacts"))
    assert template is not None and template.name == "Old CRM"
    assert mapping_suggestion(second, template) == {"0": "email", "1": "last_name"}


def test_zip_bombs_and_endless_lines_are_refused(owner: Any) -> None:
    import zipfile

    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 20_000_000)
    with pytest.raises(ValidationError) as caught:
        upload(owner, bomb.getvalue(), "bomb.xlsx")
    assert "far more data" in " ".join(caught.value.messages)
    with pytest.raises(ValidationError) as caught:
        upload(owner, b"Ho,Ten\n" + b"x" * 300_000 + b"\n", "long.csv")
    assert "cannot be read" in " ".join(caught.value.messages)


def test_xlsx_formulas_give_their_values_not_their_text(owner: Any) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Last Name", "Email"])
    sheet.append(['=HYPERLINK("http://evil")', "f@sen.vn"])
    out = io.BytesIO()
    book.save(out)
    done = run(owner, upload(owner, out.getvalue(), "f.xlsx"))
    # openpyxl keeps no computed value for a formula Excel never ran: the name is empty.
    assert (done.created_count, done.failed_count) == (0, 1)


def test_a_company_made_by_a_failed_row_is_not_reused(owner: Any, monkeypatch: Any) -> None:
    real = services.contact_create

    def refuse_nguyen(*, actor: Any, values: dict[str, Any]) -> Any:
        if values["last_name"] == "Nguyễn":
            raise ValidationError("refused after the company was made")
        return real(actor=actor, values=values)

    monkeypatch.setattr(services, "contact_create", refuse_nguyen)
    text = "Họ,Email,Công ty\nNguyễn,n@sen.vn,Hoa Mai\nTrần,tran@sen.vn,Hoa Mai\n"
    done = run(owner, upload(owner, text.encode()))
    assert (done.created_count, done.failed_count) == (1, 1)
    tran = Contact.objects.get(last_name="Trần")
    assert tran.company is not None and Company.objects.filter(name="Hoa Mai").count() == 1


def test_undo_resumes_after_a_crash(owner: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(services, "CHUNK_ROWS", 1)
    done = run(owner, upload(owner, VI_CSV.encode()))
    services.import_undo(actor=owner, job=done)
    assert Import.objects.get(pk=done.pk).status == ImportStatus.UNDOING
    real = services._undo_row
    calls: list[int] = []

    def crash_on_second(actor: Any, row: Any) -> None:
        calls.append(row.pk)
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        real(actor, row)

    monkeypatch.setattr(services, "_undo_row", crash_on_second)
    with pytest.raises(RuntimeError):
        services.import_work(done.pk)
    assert Contact.objects.alive().count() == 1
    monkeypatch.setattr(services, "_undo_row", real)
    services.import_work(done.pk)
    assert Import.objects.get(pk=done.pk).status == ImportStatus.UNDONE
    assert not Contact.objects.alive().exists() and not Company.objects.alive().exists()


VCARDS = (
    "BEGIN:VCARD\r\nVERSION:2.1\r\n"
    "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Nguy=E1=BB=85n;An\r\n"
    "TEL;CELL:0912345678\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Trần Bình\r\nN:Trần;Bình;;;\r\n"
    "EMAIL;TYPE=INTERNET:binh@sen.vn\r\nORG:Sen Vàng;Kinh doanh\r\nTITLE:Giám đốc\r\n"
    "ADR;TYPE=WORK:;;1 Lê Lợi;Hồ Chí\r\n  Minh;;700000;Việt Nam\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Lan Pham\r\nN:Pham;Lan;;Dr.;\r\n"
    "EMAIL:lan@example.com\r\nEND:VCARD\r\n"
)


def test_vcards_of_every_version_are_imported(owner: Any) -> None:
    job = upload(owner, VCARDS.encode(), "phone-book.vcf")
    assert job.file_format == "vcf"
    done = run(owner, job)
    assert (done.created_count, done.failed_count) == (3, 0), list(
        ImportRow.objects.values_list("error", flat=True)
    )
    an = Contact.objects.get(last_name="Nguyễn")
    assert (an.first_name, an.phone) == ("An", "+84912345678")
    binh = Contact.objects.get(email="binh@sen.vn")
    assert binh.company is not None and binh.company.name == "Sen Vàng"
    assert (binh.title, binh.city, binh.street) == ("Giám đốc", "Hồ Chí Minh", "1 Lê Lợi")
    assert Contact.objects.get(email="lan@example.com").prefix == "Dr."


def test_vcards_are_contacts_only(owner: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        upload(owner, VCARDS.encode(), "phone-book.vcf", record_type="companies")
    assert "holds contacts" in " ".join(caught.value.messages)


def test_a_vcard_with_broken_folding_still_gives_its_other_cards(owner: Any) -> None:
    broken = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lê;Cường;;;\r\nNOTE:a note that was\r\n"
        "not folded properly\r\nEMAIL:cuong@sen.vn\r\nEND:VCARD\r\n" + VCARDS
    )
    done = run(owner, upload(owner, broken.encode(), "broken.vcf"))
    assert done.status == ImportStatus.DONE
    assert Contact.objects.filter(email="cuong@sen.vn", last_name="Lê").exists()
    assert done.created_count == 4
