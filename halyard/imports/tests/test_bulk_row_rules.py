"""The row path's behaviour tests, run again with every chunk written set-based."""

from __future__ import annotations

from typing import Any

import pytest

from halyard.imports import services
from halyard.imports.tests.test_imports import (  # noqa: F401 - collected here with the set path
    _var_dir,
    owner,
    test_bad_rows_are_skipped_and_reported,
    test_companies_import_matches_domains,
    test_create_anyway_policy,
    test_custom_fields_are_suggested_validated_and_stored,
    test_every_encoding_is_read_and_imported,
    test_importing_the_same_file_twice_with_skip_creates_nothing_twice,
    test_in_file_duplicates_are_caught,
    test_phone_and_name_with_company_match,
    test_stop_on_first_error,
    test_undo_trashes_created_records_and_companies,
    test_update_policy_then_undo_restores,
    test_vcards_of_every_version_are_imported,
    test_xlsx_sheet_is_chosen,
    vn,
)


@pytest.fixture(autouse=True)
def _set_path(monkeypatch: Any) -> None:
    monkeypatch.setattr(services, "BULK_MIN_ROWS", 0)
    monkeypatch.setattr(services, "BULK_CHUNK_ROWS", 2)
