"""What the first rows of a file say about its columns: a field type to propose for a new
custom field, its choices, and the values a select field does not offer yet."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import islice

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.dateparse import parse_date

from halyard.customfields.models import CustomField, FieldType
from halyard.imports.models import Import
from halyard.imports.readers import FileUnreadable, read_rows
from halyard.imports.services import import_file_path

SAMPLE_ROWS = 2000  # rows read to profile the columns (the file may hold millions)
MAX_CHOICES = 30  # a column with more distinct values than this is not proposed as a select
MAX_SHOWN = 50  # missing select values listed at most
INTEGER = re.compile(r"^[+-]?\d{1,15}$")
DECIMAL = re.compile(r"^[+-]?\d{1,15}[.,]\d{1,6}$")
TRUTHY = {"yes", "no", "true", "false", "0", "1", "x", "có", "không", "是", "否", "بله", "خیر"}


@dataclass
class ColumnProfile:
    """The non-empty values of one column within the sample, in first-seen order."""

    values: list[str] = field(default_factory=list)
    distinct: dict[str, None] = field(default_factory=dict)

    def add(self, value: str) -> None:
        if value:
            self.values.append(value)
            if len(self.distinct) <= MAX_SHOWN * 4:
                self.distinct.setdefault(value, None)

    @property
    def field_type(self) -> str:
        """Propose the custom field type that every sampled value fits."""
        values = self.values
        if not values:
            return FieldType.TEXT
        if all(INTEGER.match(v) for v in values):
            return FieldType.NUMBER
        if all(INTEGER.match(v) or DECIMAL.match(v) for v in values):
            return FieldType.DECIMAL
        if all(_is_date(v) for v in values):
            return FieldType.DATE
        if all(_is_email(v) for v in values):
            return FieldType.EMAIL
        if all(_is_url(v) for v in values):
            return FieldType.URL
        if {v.casefold() for v in self.distinct} <= TRUTHY:
            return FieldType.CHECKBOX
        if len(self.distinct) <= MAX_CHOICES and len(values) >= 2 * len(self.distinct):
            return FieldType.SELECT  # few values, each repeated: a list to choose from
        if any(len(v) > 200 or "\n" in v for v in values):
            return FieldType.LONG_TEXT
        return FieldType.TEXT

    @property
    def choices(self) -> list[str]:
        return list(self.distinct)[:MAX_CHOICES] if self.field_type == FieldType.SELECT else []


def _is_date(value: str) -> bool:
    try:
        return parse_date(value) is not None
    except ValueError:
        return False


def _is_email(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def _is_url(value: str) -> bool:
    try:
        URLValidator()(value)
    except ValidationError:
        return False
    return True


def column_profiles(job: Import) -> list[ColumnProfile]:
    """Profile every column over the first SAMPLE_ROWS data rows (empty if unreadable)."""
    profiles = [ColumnProfile() for _ in job.headers]
    try:
        rows = read_rows(
            import_file_path(job),
            file_format=job.file_format,
            encoding=job.encoding,
            delimiter=job.delimiter,
            sheet=job.sheet,
        )
        next(rows, None)
        for row in islice(rows, SAMPLE_ROWS):
            for position, profile in enumerate(profiles):
                profile.add(row[position] if position < len(row) else "")
    except (FileUnreadable, OSError):
        pass
    return profiles


def missing_choices(profile: ColumnProfile, definition: CustomField) -> list[str]:
    """Return the sampled values a select field does not offer (multi-select: split on ";")."""
    offered = set(definition.options or [])
    missing: dict[str, None] = {}
    for value in profile.distinct:
        parts = value.split(";") if definition.field_type == FieldType.MULTI_SELECT else [value]
        for part in (p.strip() for p in parts):
            if part and part not in offered:
                missing.setdefault(part, None)
    return list(missing)[:MAX_SHOWN]
