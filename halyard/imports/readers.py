"""Reading uploaded files: encodings, delimiters, sheets; rows are streamed, never all loaded."""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

SAMPLE_BYTES = 256 * 1024
MAX_CELL_CHARS = 100_000
# An XLSX is a zip: refuse ones that would unpack into far more than they weigh (zip bombs).
XLSX_MAX_UNPACKED = 300 * 1024 * 1024
XLSX_MAX_RATIO = 150
# Encodings charset-normalizer chooses among when a file is not UTF-8 (the languages we serve).
LEGACY_ENCODINGS = ["gb18030", "big5", "cp1258", "cp1256", "cp1252", "utf_16"]
DELIMITERS = ",;\t|"

csv.field_size_limit(MAX_CELL_CHARS)


class FileUnreadable(Exception):
    """The file is empty, too big, binary or broken; the message says which, for the user."""


@dataclass
class FileInfo:
    """What sniffing a file found: its format, encoding, delimiter and sheets."""

    file_format: str
    encoding: str = ""
    delimiter: str = ""
    sheets: list[str] = field(default_factory=list)


def _bom_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return ""


def detect_encoding(sample: bytes) -> str:
    """Return the encoding of a text sample: BOM, then strict UTF-8, then the best legacy guess."""
    if bom := _bom_encoding(sample):
        return bom
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(sample, cp_isolation=LEGACY_ENCODINGS).best()
    if best is None:
        raise FileUnreadable(_("This is not a CSV or Excel file."))
    return str(best.encoding)


def _looks_binary(text: str) -> bool:
    """Say whether decoded text is mostly control characters (a renamed binary file)."""
    if not text:
        return False
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\r\n\t")
    return controls > len(text) * 0.05


def detect_delimiter(text: str) -> str:
    """Return the delimiter of a CSV sample (comma when it cannot be told)."""
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if not lines:
        return ","
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=DELIMITERS).delimiter
    except csv.Error:
        counts = {d: lines[0].count(d) for d in DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def _check_xlsx(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        raise FileUnreadable(_("This Excel file is damaged and cannot be opened.")) from None
    unpacked = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if unpacked > XLSX_MAX_UNPACKED or unpacked / packed > XLSX_MAX_RATIO:
        raise FileUnreadable(_("This Excel file unpacks into far more data than Halyard accepts."))


def _open_workbook(path: Path) -> Any:
    import openpyxl

    _check_xlsx(path)
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a broken file; all mean the same to a user
        raise FileUnreadable(_("This Excel file is damaged and cannot be opened.")) from None


def sniff(path: Path) -> FileInfo:
    """Work out how to read a stored upload, or raise FileUnreadable with the reason."""
    with path.open("rb") as handle:
        head = handle.read(SAMPLE_BYTES)
    if not head.strip():
        raise FileUnreadable(_("This file is empty."))
    if head.startswith(b"PK\x03\x04"):
        workbook = _open_workbook(path)
        try:
            sheets = list(workbook.sheetnames)
        finally:
            workbook.close()
        return FileInfo(file_format="xlsx", sheets=sheets)
    if b"\x00" in head and not _bom_encoding(head) and head.count(b"\x00") > len(head) // 4:
        # Many NULs without a BOM: UTF-16 without its mark, or a binary file.
        for candidate in ("utf-16-le", "utf-16-be"):
            text = head.decode(candidate, errors="replace")
            if not _looks_binary(text) and "\ufffd" not in text[:-1]:
                return FileInfo("csv", candidate, detect_delimiter(text))
        raise FileUnreadable(_("This is not a CSV or Excel file."))
    encoding = detect_encoding(head)
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head, final=False)
    if _looks_binary(text):
        raise FileUnreadable(_("This is not a CSV or Excel file."))
    if _looks_like_vcard(text):
        return FileInfo(file_format="vcf", encoding=encoding)
    return FileInfo(file_format="csv", encoding=encoding, delimiter=detect_delimiter(text))


# The columns a vCard file is read into; the mapping page then matches them like any CSV.
VCARD_HEADERS = [
    "Last name",
    "First name",
    "Middle name",
    "Salutation",
    "Full name",
    "Email",
    "Phone",
    "Company",
    "Job title",
    "Street",
    "City",
    "Region",
    "Postal code",
]


def _looks_like_vcard(text: str) -> bool:
    return text.lstrip("\ufeff \r\n\t").upper().startswith("BEGIN:VCARD")


def _first(card: Any, name: str) -> Any:
    values = card.contents.get(name) or []
    return values[0].value if values else None


def _vcard_row(card: Any) -> list[str]:
    """Return a card's values in the order of VCARD_HEADERS."""
    name = _first(card, "n")
    org = _first(card, "org")
    adr = _first(card, "adr")

    def text(value: Any) -> str:
        if isinstance(value, list | tuple):
            return " ".join(str(v) for v in value if v)
        return str(value or "")

    return [
        _cell(text(getattr(name, "family", ""))),
        _cell(text(getattr(name, "given", ""))),
        _cell(text(getattr(name, "additional", ""))),
        _cell(text(getattr(name, "prefix", ""))),
        _cell(text(_first(card, "fn"))),
        _cell(text(_first(card, "email"))),
        _cell(text(_first(card, "tel"))),
        _cell(text(org[0] if isinstance(org, list | tuple) and org else org)),
        _cell(text(_first(card, "title"))),
        _cell(text(getattr(adr, "street", ""))),
        _cell(text(getattr(adr, "city", ""))),
        _cell(text(getattr(adr, "region", ""))),
        _cell(text(getattr(adr, "code", ""))),
    ]


def _read_vcards(path: Path, encoding: str) -> Iterator[list[str]]:
    import vobject

    yield list(VCARD_HEADERS)
    with path.open("rb") as raw:
        text = io.TextIOWrapper(raw, encoding=encoding or "utf-8", errors="replace")
        try:
            for card in vobject.readComponents(text, ignoreUnreadable=True):
                if card.name.upper() == "VCARD":
                    row = _vcard_row(card)
                    if any(row):
                        yield row
        except Exception as exc:  # vobject raises its own and ValueError on a broken card
            raise FileUnreadable(
                _("A card of this vCard file cannot be read: %(reason)s") % {"reason": exc}
            ) from None


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    # NFC: Windows-1258 writes Vietnamese tones as combining marks.
    return unicodedata.normalize("NFC", str(value).replace("\x00", "")).strip()


# Windows-1256 has only the Arabic yeh and kaf; Persian text written in it means the Persian ones.
PERSIAN_LETTERS = str.maketrans({"\u064a": "\u06cc", "\u0643": "\u06a9"})


def read_rows(
    path: Path, *, file_format: str, encoding: str = "", delimiter: str = ",", sheet: str = ""
) -> Iterator[list[str]]:
    """Yield every row of the file (header first) as a list of trimmed strings."""
    if file_format == "vcf":
        yield from _read_vcards(path, encoding)
        return
    if file_format == "xlsx":
        workbook = _open_workbook(path)
        try:
            names = workbook.sheetnames
            worksheet = workbook[sheet if sheet in names else names[0]]
            for values in worksheet.iter_rows(values_only=True):
                cells = [_cell(v) for v in values]
                if any(cells):
                    yield cells
        finally:
            workbook.close()
        return
    with path.open("rb") as raw:
        text = io.TextIOWrapper(raw, encoding=encoding or "utf-8", errors="replace", newline="")
        lines = (line.replace("\x00", "") for line in text)
        reader = csv.reader(lines, delimiter=delimiter or ",")
        try:
            persian = codecs.lookup(encoding or "utf-8").name == "cp1256"
            for values in reader:
                cells = [_cell(v) for v in values]
                if persian:
                    cells = [c.translate(PERSIAN_LETTERS) for c in cells]
                if any(cells):
                    yield cells
        except csv.Error as exc:
            raise FileUnreadable(
                _("Line %(line)s of this file cannot be read: %(reason)s")
                % {"line": reader.line_num, "reason": exc}
            ) from None


def preview(path: Path, info: FileInfo, sheet: str = "", rows: int = 5) -> list[list[str]]:
    """Return the header and the first data rows."""
    found: list[list[str]] = []
    for values in read_rows(
        path,
        file_format=info.file_format,
        encoding=info.encoding,
        delimiter=info.delimiter,
        sheet=sheet,
    ):
        found.append(values)
        if len(found) > rows:
            break
    return found
