"""Uploads never mapped are removed after a day, with their files; live imports keep theirs."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from conftest import actor_for
from halyard.imports import services
from halyard.imports.cleanup import abandoned_imports_remove
from halyard.imports.jobs import remove_abandoned_imports
from halyard.imports.models import Import

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _var_dir(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path


def _upload(acme: Any, alice: Any, name: str = "a.csv") -> Import:
    with scope(workspace=acme):
        return services.import_upload(
            actor=actor_for(acme, alice),
            record_type="contacts",
            upload=SimpleUploadedFile(name, b"Last Name\nPham\n"),
        )


def test_an_upload_never_mapped_goes_after_a_day_with_its_file(acme: Any, alice: Any) -> None:
    old = _upload(acme, alice, "old.csv")
    fresh = _upload(acme, alice, "fresh.csv")
    queued = _upload(acme, alice, "queued.csv")
    with scope(workspace=acme):
        services.import_configure(
            actor=actor_for(acme, alice),
            job=queued,
            mapping={"0": "last_name"},
            duplicates="skip",
            errors="skip",
        )
    day_ago = timezone.now() - timedelta(hours=25)
    with scopes_disabled():
        Import.objects.filter(pk__in=[old.pk, queued.pk]).update(created_at=day_ago)
    for job in (old, queued):
        os.utime(services.import_file_path(job), (day_ago.timestamp(), day_ago.timestamp()))
    assert abandoned_imports_remove() == 1
    with scopes_disabled():
        assert set(Import.objects.values_list("pk", flat=True)) == {fresh.pk, queued.pk}
    assert not services.import_file_path(old).exists()
    assert services.import_file_path(fresh).exists()
    assert services.import_file_path(queued).exists()  # a worker will still read it


def test_stray_files_no_import_uses_are_removed_once_old(acme: Any, alice: Any) -> None:
    job = _upload(acme, alice)
    stray = services.import_dir() / str(acme.pk) / "left-by-a-crash.csv"
    stray.write_text("x")
    recent = services.import_dir() / str(acme.pk) / "being-uploaded.csv"
    recent.write_text("x")
    day_ago = (timezone.now() - timedelta(hours=25)).timestamp()
    os.utime(stray, (day_ago, day_ago))
    assert remove_abandoned_imports() == 0
    assert not stray.exists()
    assert recent.exists() and services.import_file_path(job).exists()
