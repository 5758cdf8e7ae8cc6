"""Settings → Data: admins export everything in the background and download the zip."""

from __future__ import annotations

import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from conftest import client_for
from halyard.audit.models import AuditAction, AuditEntry
from halyard.portability import services
from halyard.portability.models import ExportStatus, WorkspaceExport
from halyard.portability.tests.factories import seed_everything

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _var_dir(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path / "var"


def start_export(alice: Any, django_capture_on_commit_callbacks: Any) -> WorkspaceExport:
    with django_capture_on_commit_callbacks() as callbacks:
        response = client_for(alice).post(reverse("data_settings", args=["acme"]))
    assert response.status_code == 302
    assert len(callbacks) == 1  # the worker is queued after the commit
    with scopes_disabled():
        export = WorkspaceExport.objects.get()
    assert export.status == ExportStatus.QUEUED
    services.export_run(export.pk)  # what the worker does
    export.refresh_from_db()
    return export


def test_admin_exports_and_downloads(acme, alice, bob, django_capture_on_commit_callbacks) -> None:
    seed_everything(acme, alice, bob)
    export = start_export(alice, django_capture_on_commit_callbacks)
    assert export.status == ExportStatus.DONE
    assert export.counts["contacts"] == 2 and export.file_size > 0
    assert export.expires_at - export.finished_at == timedelta(days=7)
    page = client_for(alice).get(reverse("data_settings", args=["acme"]))
    assert page.status_code == 200
    url = reverse("export_download", args=["acme", export.pk])
    assert url in page.content.decode()
    response = client_for(alice).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    zip_path = Path(export.file_path)
    assert zipfile.is_zipfile(Path(services.export_dir(acme.pk)) / zip_path.name)
    assert body[:2] == b"PK"
    with scopes_disabled():
        entry = AuditEntry.objects.get(workspace=acme, action=AuditAction.EXPORT)
    assert entry.actor == alice
    assert entry.changes["workspace_export"][1]["rows"]["contacts"] == 2


def test_polling_fragment_shows_progress(acme, alice, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks():
        client_for(alice).post(reverse("data_settings", args=["acme"]))
    response = client_for(alice).get(
        reverse("data_settings", args=["acme"]) + "?part=exports", HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert 'id="exports"' in html and "every 2s" in html and "<progress" in html
    assert "<nav" not in html  # only the fragment


def test_one_export_at_a_time(acme, alice, django_capture_on_commit_callbacks) -> None:
    client = client_for(alice)
    with django_capture_on_commit_callbacks():
        client.post(reverse("data_settings", args=["acme"]))
        client.post(reverse("data_settings", args=["acme"]))
    with scopes_disabled():
        assert WorkspaceExport.objects.count() == 1


def test_rep_cannot_export_or_download(acme, alice, bob, django_capture_on_commit_callbacks):
    export = start_export(alice, django_capture_on_commit_callbacks)
    client = client_for(bob)
    assert client.get(reverse("data_settings", args=["acme"])).status_code == 403
    assert client.post(reverse("data_settings", args=["acme"])).status_code == 403
    url = reverse("export_download", args=["acme", export.pk])
    assert client.get(url).status_code == 403


def test_outsider_gets_404(acme, alice, charlie, other, django_capture_on_commit_callbacks):
    export = start_export(alice, django_capture_on_commit_callbacks)
    client = client_for(charlie)
    assert client.get(reverse("data_settings", args=["acme"])).status_code == 404
    assert client.get(reverse("export_download", args=["acme", export.pk])).status_code == 404
    # Charlie's own workspace does not reach Acme's export either.
    assert client.get(reverse("export_download", args=["other", export.pk])).status_code == 404


def test_expired_export_is_gone(acme, alice, django_capture_on_commit_callbacks) -> None:
    export = start_export(alice, django_capture_on_commit_callbacks)
    url = reverse("export_download", args=["acme", export.pk])
    with scopes_disabled():
        WorkspaceExport.objects.filter(pk=export.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
    assert client_for(alice).get(url).status_code == 404
    assert services.exports_purge() == 1
    with scopes_disabled():
        export.refresh_from_db()
    assert export.status == ExportStatus.EXPIRED and export.file_path == ""
    assert not any(services.export_dir(acme.pk).glob("*.zip"))


def test_failed_export_says_why(acme, alice, monkeypatch, django_capture_on_commit_callbacks):
    def boom(**kwargs: Any) -> None:
        raise OSError("No space left on device")

    monkeypatch.setattr(services, "workspace_archive_write", boom)
    export = start_export(alice, django_capture_on_commit_callbacks)
    assert export.status == ExportStatus.FAILED
    assert "No space left" in export.message
    page = client_for(alice).get(reverse("data_settings", args=["acme"])).content.decode()
    assert "No space left" in page
