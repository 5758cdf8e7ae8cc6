"""The import pages: upload, map, progress, error report, undo; who may open them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope

from conftest import client_for
from halyard.contacts.models import Contact
from halyard.imports import services
from halyard.imports.models import Import, ImportStatus, MappingTemplate

pytestmark = pytest.mark.django_db

CSV = "Họ,Tên,Email,Điện thoại\nNguyễn,An,an@sen.vn,0912345678\nLê,Bình,not-an-email,\n"


@pytest.fixture(autouse=True)
def _var_dir(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path


@pytest.fixture
def vn(acme: Any) -> Any:
    acme.default_country = "VN"
    acme.save()
    return acme


def test_the_whole_wizard(
    vn: Any, alice: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    monkeypatch.setattr("halyard.imports.views.enqueue_import", services.import_work)
    client = client_for(alice)
    assert "/imports/new/contacts/" in client.get("/w/acme/contacts/").content.decode()
    response = client.post(
        "/w/acme/imports/new/contacts/",
        {"file": SimpleUploadedFile("people.csv", CSV.encode())},
    )
    assert response.status_code == 302
    page = client.get(response["Location"])
    body = page.content.decode()
    assert '<option value="last_name" selected>' in body and "an@sen.vn" in body
    with scope(workspace=vn):
        job = Import.objects.get()
    mapping = {"col_0": "last_name", "col_1": "first_name", "col_2": "email", "col_3": "phone"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/w/acme/imports/{job.pk}/",
            {**mapping, "duplicates": "skip", "on_error": "skip", "save_as": "Sen export"},
        )
    assert response.status_code == 302
    with scope(workspace=vn):
        job.refresh_from_db()
        assert (job.status, job.created_count, job.failed_count) == (ImportStatus.DONE, 1, 1)
        assert Contact.objects.get().source == "import"
    progress = client.get(f"/w/acme/imports/{job.pk}/", HTTP_HX_REQUEST="true")
    assert 'data-count="created">1<' in progress.content.decode()
    assert "<html" not in progress.content.decode()
    report = b"".join(client.get(f"/w/acme/imports/{job.pk}/errors.csv").streaming_content)
    assert "not-an-email" in report.decode()
    assert client.get("/w/acme/imports/").status_code == 200
    with scope(workspace=vn):
        template = MappingTemplate.objects.get(name="Sen export")
    assert template.mapping["họ"] == "last_name"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/w/acme/imports/{job.pk}/undo/").status_code == 302
    with scope(workspace=vn):
        assert not Contact.objects.alive().exists()


def test_bad_uploads_show_a_message_at_the_field(vn: Any, alice: Any) -> None:
    client = client_for(alice)
    response = client.post(
        "/w/acme/imports/new/contacts/", {"file": SimpleUploadedFile("x.csv", b"")}
    )
    assert response.status_code == 400
    response = client.post(
        "/w/acme/imports/new/contacts/",
        {"file": SimpleUploadedFile("x.csv", b"\x00\x01\x02\xff" * 400)},
    )
    assert response.status_code == 400
    assert "not a CSV or Excel file" in response.content.decode()


def test_mapping_without_a_name_is_refused(vn: Any, alice: Any) -> None:
    client = client_for(alice)
    client.post(
        "/w/acme/imports/new/contacts/", {"file": SimpleUploadedFile("p.csv", CSV.encode())}
    )
    with scope(workspace=vn):
        job = Import.objects.get()
    response = client.post(
        f"/w/acme/imports/{job.pk}/",
        {"col_2": "email", "duplicates": "skip", "on_error": "skip"},
    )
    assert response.status_code == 400
    assert "every contact needs one" in response.content.decode()


def test_a_rep_without_import_is_refused(vn: Any, alice: Any, bob: Any) -> None:
    client = client_for(bob)
    assert "/imports/new/" not in client.get("/w/acme/contacts/").content.decode()
    assert client.get("/w/acme/imports/new/contacts/").status_code == 403
    assert client.get("/w/acme/imports/").status_code == 403


def test_another_workspace_gets_404(vn: Any, alice: Any, charlie: Any, other: Any) -> None:
    client_for(alice).post(
        "/w/acme/imports/new/contacts/", {"file": SimpleUploadedFile("p.csv", CSV.encode())}
    )
    with scope(workspace=vn):
        job = Import.objects.get()
    charlie_client = client_for(charlie)
    assert charlie_client.get(f"/w/acme/imports/{job.pk}/").status_code == 404
    assert charlie_client.get(f"/w/other/imports/{job.pk}/").status_code == 404
    assert charlie_client.get(f"/w/other/imports/{job.pk}/errors.csv").status_code == 404
    assert charlie_client.post(f"/w/other/imports/{job.pk}/undo/").status_code == 404


def test_progress_of_a_running_import_polls_and_says_time_left(vn: Any, alice: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    client = client_for(alice)
    client.post(
        "/w/acme/imports/new/contacts/", {"file": SimpleUploadedFile("p.csv", CSV.encode())}
    )
    with scope(workspace=vn):
        Import.objects.update(
            status=ImportStatus.RUNNING,
            total_rows=1000,
            position=100,
            started_at=timezone.now() - timedelta(seconds=60),
        )
        job = Import.objects.get()
    body = client.get(f"/w/acme/imports/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in body
    assert "about 9 minutes left" in body
    assert "100 of 1,000 rows" in body
    assert "Cancel the import" in body and "Undo this import" not in body
    client.post(f"/w/acme/imports/{job.pk}/cancel/")
    with scope(workspace=vn):
        assert Import.objects.get().cancel_requested
