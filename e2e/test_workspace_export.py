"""Settings → Data: an admin exports the whole workspace, watches it, downloads the zip."""

from __future__ import annotations

import json
import re
import zipfile
from typing import Any

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from e2e.conftest import make_user, make_workspace, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def queued(monkeypatch: Any, settings: Any, tmp_path: Any) -> list[int]:
    """Exports the page queues; the test runs them itself, as a worker would."""
    settings.VAR_DIR = tmp_path / "var"
    ids: list[int] = []
    monkeypatch.setattr("halyard.portability.views.enqueue_export", ids.append)
    return ids


def _workspace(language: str) -> Any:
    from halyard.contacts.models import Contact

    owner = make_user("lan@example.com", "Lan Owner")
    owner.language = language
    owner.save()
    workspace = make_workspace(owner, "Sen Vàng", "sen")
    with scope(workspace=workspace):
        Contact.objects.create(workspace=workspace, first_name="An", last_name="Nguyễn")
        Contact.objects.create(workspace=workspace, first_name="Bình", last_name="Trần")
    return workspace


@pytest.mark.parametrize("language", ["en", "vi", "fa", "zh-hans"])
def test_export_everything_then_download(page: Any, live_server: Any, queued: Any, language):
    from halyard.portability.services import export_run

    _workspace(language)
    sign_in(page, "lan@example.com")
    page.goto(live_server.url + "/w/sen/settings/")
    page.locator(".settings-nav a[href$='/settings/data/']").click()
    expect(page).to_have_url(re.compile(r"/w/sen/settings/data/$"))
    expect(page.locator("#exports")).to_be_visible()
    screenshot(page, f"workspace-export-empty-{language}")
    page.locator("#export-everything").click()
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "queued")
    expect(page.locator("#export-everything")).to_be_disabled()
    assert len(queued) == 1
    export_run(queued[0])
    # The list polls: the download link appears without a reload.
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "done", timeout=8000)
    link = page.locator("a[href*='/download/']")
    expect(link).to_be_visible()
    expect(page.locator("#export-everything")).to_be_enabled()
    screenshot(page, f"workspace-export-done-{language}")
    with page.expect_download() as download:
        link.click()
    assert re.fullmatch(r"halyard-sen-\d{8}-\d{4}\.zip", download.value.suggested_filename)
    with zipfile.ZipFile(download.value.path()) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["tables"]["contacts"]["rows"] == 2
        assert "Nguyễn" in archive.read("contacts.csv").decode("utf-8")
