"""The OpenAPI document: snapshot, every operation tested, and a fuzzer finds no server error."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from django_scopes import scope
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings

from conftest import actor_for
from halyard.api.docs import api_schema
from halyard.api.tests.conftest import CALLED, ApiClient, key_for
from halyard.contacts.services import contact_create

SNAPSHOT = Path(settings.BASE_DIR) / "docs" / "openapi.json"
REFRESH = "python manage.py spectacular --format openapi-json --file docs/openapi.json"
METHODS = ("get", "post", "patch", "put", "delete")


def test_the_schema_matches_the_committed_snapshot() -> None:
    current = json.loads(json.dumps(api_schema()))
    committed = json.loads(SNAPSHOT.read_text()) if SNAPSHOT.exists() else {}
    assert current == committed, (
        "The API's OpenAPI document changed. Review the change, then refresh the snapshot: "
        f"`HALYARD_TESTING=1 {REFRESH}` (or `make openapi`)."
    )


def test_the_schema_is_served(db: Any) -> None:
    response = ApiClient(None).client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")
    docs = ApiClient(None).client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert b"contacts_partial_update" in docs.content


def operations() -> set[tuple[str, str]]:
    # Every path parameter is an id; the recorded calls write each one as {id}.
    return {
        (method.upper(), re.sub(r"\{[^}]+\}", "{id}", path))
        for path, item in api_schema()["paths"].items()
        for method in METHODS
        if method in item
    }


def test_every_documented_operation_is_called_by_a_test(request: Any) -> None:
    """Runs last in this folder (see pytest_collection_modifyitems) over the calls recorded."""
    modules = {item.module.__name__ for item in request.session.items}
    wanted = {
        f"halyard.api.tests.{name}"
        for name in ("test_contacts", "test_records", "test_access", "test_protocol")
    }
    if not wanted <= modules:
        pytest.skip("runs only with the whole API test folder")
    missing = sorted(operations() - CALLED)
    assert not missing, f"operations no test calls: {missing}"


@pytest.mark.django_db
@override_settings(API_RATE_LIMIT=100_000, API_WORKSPACE_RATE_LIMIT=100_000)
def test_fuzzing_the_schema_finds_no_server_error(acme: Any, alice: Any) -> None:
    import schemathesis
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    from config.wsgi import application

    with scope(workspace=acme):
        contact_create(actor=actor_for(acme, alice), values={"last_name": "Seed"})
    headers = {"Authorization": f"Bearer {key_for(acme, alice)}"}
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    failures: list[str] = []
    # Calls go straight to the WSGI app, so keep the test's connection (and its transaction)
    # open across requests, as Django's test client does.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
        _fuzz(schema, headers, checks, failures)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    assert not failures, "\n\n".join(failures)


def _fuzz(schema: Any, headers: dict[str, str], checks: list[Any], failures: list[str]) -> None:
    """Run positive and negative cases of every operation; collect failures by operation."""
    from schemathesis import GenerationMode

    for result, mode in [
        (result, mode)
        for result in schema.get_all_operations()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    ]:
        operation = result.ok()

        @given(case=operation.as_strategy(generation_mode=mode))
        @hypothesis_settings(
            max_examples=15,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.generate],  # report, do not spend minutes shrinking
        )
        def run(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=checks)

        try:
            run()
        except Exception as exc:  # collect every operation's failure, then report them all
            failures.append(f"{operation.method.upper()} {operation.path} {mode}: {exc}"[:3000])
