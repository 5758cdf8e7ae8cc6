"""`/api/v1/imports`: upload a file with a mapping, follow it, read its errors, cancel, undo."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django_scopes import scope, scopes_disabled

from halyard.api.tests.conftest import ApiClient, key_for, problem
from halyard.contacts.models import Contact
from halyard.imports import api as imports_api
from halyard.imports import services
from halyard.imports.models import Import

pytestmark = pytest.mark.django_db

CSV = "Họ;Tên;Thư;Ghi chú\nNguyễn;An;an@sen.vn;x\nTrần;Bình;sai;y\n"


@pytest.fixture(autouse=True)
def _worker(settings: Any, tmp_path: Path, monkeypatch: Any) -> None:
    """Uploads go to a temporary folder; the queued run happens at commit, as a worker would."""
    settings.VAR_DIR = tmp_path / "var"
    monkeypatch.setattr(imports_api, "enqueue_import", services.import_work)


def _file(text: str = CSV, name: str = "khach.csv") -> io.BytesIO:
    handle = io.BytesIO(text.encode("utf-8-sig"))
    handle.name = name
    return handle


def test_upload_runs_the_import_and_reports_its_progress_and_errors(
    acme: Any, alice_api: ApiClient, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_api.upload(
            "/api/v1/imports",
            {"file": _file(), "type": "contacts", "mapping": '{"Thư": "email"}'},
        )
    assert response.status_code == 202, response.content
    body = response.json()
    assert response["Location"].endswith(f"/api/v1/imports/{body['id']}")
    assert body["status"] == "queued" and body["mapping"]["Thư"] == "email"
    assert body["headers"] == ["Họ", "Tên", "Thư", "Ghi chú"]
    done = alice_api.get(f"/api/v1/imports/{body['id']}").json()
    assert done["status"] == "done"
    assert (done["created"], done["failed"], done["rows_done"], done["percent"]) == (1, 1, 2, 100)
    with scope(workspace=acme):
        an = Contact.objects.get()
    assert (an.first_name, an.last_name, an.email, an.source) == (
        "An",
        "Nguyễn",
        "an@sen.vn",
        "import",
    )
    report = alice_api.get(f"/api/v1/imports/{body['id']}/errors")
    assert report.status_code == 200 and report["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(report.streaming_content).decode("utf-8-sig")
    assert "Trần" in text and "sai" in text
    listed = alice_api.get("/api/v1/imports?limit=1").json()
    assert [i["id"] for i in listed["results"]] == [body["id"]] and listed["next_cursor"] is None


def test_the_same_file_again_with_skip_creates_nothing_twice_and_undo_removes_it(
    acme: Any, alice_api: ApiClient, django_capture_on_commit_callbacks: Any
) -> None:
    ids = []
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = alice_api.upload(
                "/api/v1/imports", {"file": _file(), "mapping": '{"Thư": "email"}'}
            )
        ids.append(response.json()["id"])
    second = alice_api.get(f"/api/v1/imports/{ids[1]}").json()
    assert (second["created"], second["skipped"]) == (0, 1)
    with django_capture_on_commit_callbacks(execute=True):
        undo = alice_api.post(f"/api/v1/imports/{ids[0]}/undo")
    assert undo.status_code == 202
    assert alice_api.get(f"/api/v1/imports/{ids[0]}").json()["status"] == "undone"
    with scope(workspace=acme):
        assert Contact.objects.alive().count() == 0
    problem(alice_api.post(f"/api/v1/imports/{ids[0]}/undo"), 400, "invalid")


def test_cancel_a_queued_import(acme: Any, alice_api: ApiClient, monkeypatch: Any) -> None:
    monkeypatch.setattr(imports_api, "enqueue_import", lambda pk: None)  # no worker yet
    created = alice_api.upload("/api/v1/imports", {"file": _file(), "mapping": "{}"}).json()
    cancelled = alice_api.post(f"/api/v1/imports/{created['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"mapping": '{"Nope": "email"}'}, "mapping"),
        ({"mapping": '{"Thư": "salary"}'}, "mapping"),
        ({"mapping": '["email"]'}, "mapping"),
        ({"mapping": "{not json"}, "mapping"),
        ({"type": "planets"}, "type"),
        ({"duplicates": "merge"}, "duplicates"),
        ({"file": "just text"}, "file"),
    ],
)
def test_bad_uploads_are_refused_and_leave_nothing(
    acme: Any, alice_api: ApiClient, data: dict[str, Any], field: str, settings: Any
) -> None:
    form = {"file": _file(), **data}
    body = problem(alice_api.upload("/api/v1/imports", form), 400)
    assert field in body["errors"], body
    with scopes_disabled():
        assert not Import.objects.exists()
    uploads = Path(settings.VAR_DIR) / "imports"
    assert not uploads.exists() or not any(p.is_file() for p in uploads.rglob("*"))


def test_unreadable_files_and_wrong_types_are_clear_problems(
    acme: Any, alice_api: ApiClient
) -> None:
    body = problem(alice_api.upload("/api/v1/imports", {"file": _file("", "empty.csv")}), 400)
    assert "file" in body["errors"]
    body = problem(alice_api.upload("/api/v1/imports", {"file": _file("x", "a.exe")}), 400)
    assert "file" in body["errors"]
    problem(alice_api.post("/api/v1/imports", {"file": "x"}), 415, "unsupported_media_type")
    problem(alice_api.get("/api/v1/imports/999999"), 404, "not_found")


def test_who_may_import_through_the_api(
    acme: Any,
    other: Any,
    alice: Any,
    bob_api: ApiClient,
    charlie_api: ApiClient,
    reader_api: ApiClient,
    alice_api: ApiClient,
    monkeypatch: Any,
) -> None:
    monkeypatch.setattr(imports_api, "enqueue_import", lambda pk: None)
    problem(reader_api.upload("/api/v1/imports", {"file": _file()}), 403)
    problem(bob_api.upload("/api/v1/imports", {"file": _file()}), 403)  # reps may not import
    created = alice_api.upload("/api/v1/imports", {"file": _file()}).json()
    # Another workspace's key sees nothing of it and cannot touch it.
    problem(charlie_api.get(f"/api/v1/imports/{created['id']}"), 404)
    problem(charlie_api.post(f"/api/v1/imports/{created['id']}/cancel"), 404)
    problem(charlie_api.get(f"/api/v1/imports/{created['id']}/errors"), 404)
    assert charlie_api.get("/api/v1/imports").json()["results"] == []
    assert alice_api.get(f"/api/v1/imports/{created['id']}").json()["status"] == "queued"


def test_uploads_larger_than_the_import_limit_are_refused_before_reading(
    acme: Any, alice: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(imports_api.ImportViewSet, "max_body", 1000)
    api = ApiClient(key_for(acme, alice))
    big = _file("Last Name\n" + "Pham\n" * 500)
    problem(api.upload("/api/v1/imports", {"file": big}), 413, "body_too_large")
