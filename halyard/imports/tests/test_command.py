"""`halyard import` on the command line."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_scopes import scope

from halyard.contacts.models import Contact

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _var_dir(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path / "var"


def test_import_a_file_from_the_command_line(acme: Any, alice: Any, tmp_path: Path) -> None:
    acme.default_country = "VN"
    acme.save()
    source = tmp_path / "khach.csv"
    source.write_text(
        "Họ;Tên;Thư;Ghi chú\nNguyễn;An;an@sen.vn;x\nTrần;Bình;sai;y\n", encoding="utf-8-sig"
    )
    errors = tmp_path / "errors.csv"
    out = io.StringIO()
    call_command(
        "import",
        str(source),
        "--workspace=acme",
        "--email=alice@example.com",
        "--map=Thư=email",
        f"--errors-out={errors}",
        stdout=out,
    )
    assert "Finished: 1 created, 0 updated, 0 skipped, 1 failed" in out.getvalue()
    assert "sai" in errors.read_text(encoding="utf-8-sig")
    with scope(workspace=acme):
        an = Contact.objects.get()
    assert (an.email, an.source) == ("an@sen.vn", "import")


def test_refusals_are_plain_messages(acme: Any, bob: Any, tmp_path: Path) -> None:
    source = tmp_path / "p.csv"
    source.write_text("Last Name\nPham\n")
    with pytest.raises(CommandError, match="does not allow"):
        call_command("import", str(source), "--workspace=acme", "--email=bob@example.com")
    with pytest.raises(CommandError, match="No active member"):
        call_command("import", str(source), "--workspace=acme", "--email=nobody@example.com")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(CommandError, match="empty"):
        call_command("import", str(empty), "--workspace=acme", "--email=alice@example.com")
