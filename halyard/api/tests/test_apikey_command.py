"""`halyard apikey create` prints a working key alone."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from halyard.api.models import ApiKey, KeyScope
from halyard.api.tests.conftest import ApiClient, problem


def test_create_prints_the_key_alone(acme: Any) -> None:
    out = StringIO()
    call_command(
        "apikey",
        "create",
        "--workspace",
        "acme",
        "--email",
        "BOB@example.com",
        "--name",
        "Website",
        "--read-only",
        "--expires-days",
        "30",
        stdout=out,
    )
    secret = out.getvalue().strip()
    assert secret.startswith("hk_") and "\n" not in secret
    key = ApiKey.objects.get()
    assert (key.name, key.scope, key.user.email) == ("Website", KeyScope.READ, "bob@example.com")
    assert key.expires_at is not None
    assert secret not in (key.key_hash, key.prefix)
    client = ApiClient(secret)
    assert client.get("/api/v1/contacts").status_code == 200
    problem(client.post("/api/v1/contacts", {"last_name": "X"}), 403)


def test_create_refuses_a_non_member(acme: Any, other: Any) -> None:
    with pytest.raises(CommandError, match="not an active member"):
        call_command(
            "apikey",
            "create",
            "--workspace",
            "acme",
            "--email",
            "charlie@example.com",
            "--name",
            "X",
            stdout=StringIO(),
        )
    with pytest.raises(CommandError, match="3650"):
        call_command(
            "apikey",
            "create",
            "--workspace",
            "acme",
            "--email",
            "bob@example.com",
            "--name",
            "X",
            "--expires-days",
            "0",
            stdout=StringIO(),
        )
    assert not ApiKey.objects.exists()
