"""Archives that must be refused with a clear message, leaving nothing behind."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django_scopes import scopes_disabled

from halyard.accounts.models import User
from halyard.companies.models import Company
from halyard.portability.restore import ArchiveError, workspace_restore
from halyard.portability.services import workspace_export_to_file
from halyard.portability.tests.archive_tools import read_members, rewrite, write_members
from halyard.portability.tests.factories import seed_everything
from halyard.workspaces.models import Workspace

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _var_dir(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path / "var"


@pytest.fixture
def archive(acme: Any, alice: Any, bob: Any, tmp_path: Path) -> Path:
    seed_everything(acme, alice, bob)
    path = tmp_path / "good.zip"
    workspace_export_to_file(workspace=acme, path=path)
    return path


def refused(path: Path, match: str, slug: str = "restored") -> None:
    """Assert the restore fails with the message and writes no workspace, user, row or file."""
    workspaces, users = Workspace.objects.count(), User.objects.count()
    with scopes_disabled():
        companies = Company.objects.count()
    with pytest.raises(ArchiveError, match=re.escape(match)):
        workspace_restore(path=path, slug=slug)
    assert Workspace.objects.count() == workspaces
    assert User.objects.count() == users
    with scopes_disabled():
        assert Company.objects.count() == companies
    imports = Path(settings.VAR_DIR) / "imports"
    source_dirs = {p.name for p in imports.iterdir()} if imports.exists() else set()
    assert source_dirs <= {str(w) for w in Workspace.objects.values_list("pk", flat=True)}


def manifest_of(path: Path) -> dict:
    return json.loads(read_members(path)["manifest.json"])


def test_not_a_zip(tmp_path) -> None:
    path = tmp_path / "notes.zip"
    path.write_bytes(b"Name,Email\nAn,an@example.com\n")
    refused(path, "is not a zip file")


def test_no_manifest(archive, tmp_path) -> None:
    refused(rewrite(archive, tmp_path / "x.zip", {"manifest.json": None}, fix=False), "no manifest")


def test_unknown_format_version(archive, tmp_path) -> None:
    manifest = manifest_of(archive)
    manifest["format_version"] = 99
    bad = rewrite(archive, tmp_path / "x.zip", {"manifest.json": json.dumps(manifest).encode()})
    refused(bad, "format version 99 is unknown")


def test_checksum_mismatch(archive, tmp_path) -> None:
    data = read_members(archive)["contacts.csv"].replace("Nguyễn".encode(), b"Nguyen")
    bad = rewrite(archive, tmp_path / "x.zip", {"contacts.csv": data}, fix=False)
    refused(bad, "contacts.csv does not match its SHA-256")


def test_count_mismatch(archive, tmp_path) -> None:
    manifest = manifest_of(archive)
    manifest["tables"]["deals"]["rows"] += 1
    members = read_members(archive)
    members["manifest.json"] = json.dumps(manifest).encode()
    bad = tmp_path / "x.zip"
    write_members(bad, members)
    refused(bad, "deals.csv holds 2 rows; manifest.json says 3")


def test_missing_file(archive, tmp_path) -> None:
    refused(rewrite(archive, tmp_path / "x.zip", {"deals.csv": None}), "missing deals.csv")


@pytest.mark.parametrize("name", ["../evil.csv", "/etc/cron.d/evil", "files/../../x", "a\\b"])
def test_path_traversal_names(archive, tmp_path, name) -> None:
    members = read_members(archive)
    bad = tmp_path / "x.zip"
    with zipfile.ZipFile(bad, "w") as out:
        for member, data in members.items():
            out.writestr(member, data)
        out.writestr(zipfile.ZipInfo(name), b"boom")
    refused(bad, "unsafe name")


def test_unlisted_file(archive, tmp_path) -> None:
    bad = rewrite(archive, tmp_path / "x.zip", {"files/extra.bin": b"x"}, fix=False)
    refused(bad, "which manifest.json does not list")


def test_zip_bomb_is_refused_before_reading(archive, tmp_path) -> None:
    bomb = rewrite(archive, tmp_path / "x.zip", {"contacts.csv": b"0" * (20 * 1024 * 1024)})
    refused(bomb, "would grow")


def test_archive_larger_than_the_limit(archive, tmp_path, settings) -> None:
    settings.HALYARD_RESTORE_MAX_BYTES = 1000
    refused(archive, "more than the limit")


def test_broken_csv_row(archive, tmp_path) -> None:
    data = read_members(archive)["tags.csv"] + b'99,"unterminated\r\n'
    refused(rewrite(archive, tmp_path / "x.zip", {"tags.csv": data}, fix=False), "tags.csv")
    data = read_members(archive)["tags.csv"] + b"99\r\n"
    refused(rewrite(archive, tmp_path / "y.zip", {"tags.csv": data}), "1 cells where the header")


def test_not_utf8(archive, tmp_path) -> None:
    data = read_members(archive)["tags.csv"] + "99,Khách\r\n".encode("cp1258")
    refused(rewrite(archive, tmp_path / "x.zip", {"tags.csv": data}, fix=False), "not UTF-8")


def test_unexpected_column(archive, tmp_path) -> None:
    data = read_members(archive)["tags.csv"].replace(b"id,name", b"id,name,password", 1)
    data = data.replace(b"\r\n", b",x\r\n").replace(b"password,x", b"password")
    refused(rewrite(archive, tmp_path / "x.zip", {"tags.csv": data}), "unexpected columns")


def test_bad_value_late_in_the_restore_rolls_everything_back(archive, tmp_path) -> None:
    """The audit log is written last, after the import uploads: those files go too."""
    data = read_members(archive)["audit_log.csv"]
    lines = data.split(b"\r\n")
    header = lines[0].split(b",")
    cells = lines[1].split(b",")
    cells[header.index(b"created_at")] = b"yesterday"
    lines[1] = b",".join(cells)
    bad = rewrite(archive, tmp_path / "x.zip", {"audit_log.csv": b"\r\n".join(lines)})
    refused(bad, "audit_log.csv, line 2, column created_at")


def test_reference_to_a_row_not_in_the_archive(archive, tmp_path) -> None:
    members = read_members(archive)
    stages = members["stages.csv"].split(b"\r\n")
    # Drop the "Won" stage: the deal in it points nowhere.
    kept = [line for line in stages if b"Won" not in line]
    bad = rewrite(archive, tmp_path / "x.zip", {"stages.csv": b"\r\n".join(kept)})
    refused(bad, "refers to stages id")


def test_existing_slug(archive) -> None:
    refused(archive, "exists already", slug="acme")


def test_malformed_slug(archive) -> None:
    refused(archive, "cannot be used", slug="Not a slug!")


def test_command_says_nothing_was_restored(tmp_path) -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    path = tmp_path / "notes.zip"
    path.write_bytes(b"not a zip")
    with pytest.raises(CommandError, match=r"Nothing was restored: notes\.zip is not a zip file"):
        call_command("import-workspace", str(path), "--slug", "restored")


def test_user_without_a_valid_email(archive, tmp_path) -> None:
    data = read_members(archive)["users.csv"].replace(b"bob@example.com", b"bob at example")
    refused(rewrite(archive, tmp_path / "x.zip", {"users.csv": data}), "valid e-mail address")
