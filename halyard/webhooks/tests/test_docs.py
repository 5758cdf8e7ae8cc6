"""The signature checks of docs/api.md, run against a real signed delivery."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django_scopes import scope

from conftest import actor_for
from halyard.webhooks.services import webhook_ping
from halyard.webhooks.tests.conftest import subscribe_to

DOC = Path(settings.BASE_DIR) / "docs" / "api.md"


def _snippet(language: str) -> str:
    section = DOC.read_text().split("\n## Webhooks\n", 1)[1].split("\n## ", 1)[0]
    (code,) = re.findall(rf"```{language}\n(.*?)```", section, flags=re.S)
    return code


@pytest.fixture
def delivered(acme: Any, alice: Any, receiver: Any) -> tuple[str, dict[str, Any]]:
    hook = subscribe_to(acme, alice, receiver.url)
    with scope(workspace=acme):
        webhook_ping(actor=actor_for(acme, alice), subscription=hook)
    (request,) = receiver.requests
    return hook.secret, request


def test_the_python_check_accepts_a_real_delivery_and_refuses_a_forgery(
    delivered: tuple[str, dict[str, Any]],
) -> None:
    secret, request = delivered
    namespace: dict[str, Any] = {}
    exec(_snippet("python"), namespace)  # noqa: S102 (our own documentation)
    verify = namespace["verify"]
    header, body = request["headers"]["Halyard-Signature"], request["body"].encode()
    assert verify(secret, header, body)
    assert not verify(secret, header, body.replace(b"ping", b"pong"))
    assert not verify("whsec_other", header, body)
    assert not verify(secret, "v1=deadbeef", body)
    stale = re.sub(r"t=\d+", "t=1000", header)
    assert not verify(secret, stale, body)


def test_the_node_check_accepts_a_real_delivery_and_refuses_a_forgery(
    delivered: tuple[str, dict[str, Any]], tmp_path: Path
) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed")
    secret, request = delivered
    script = tmp_path / "verify.js"
    script.write_text(
        _snippet("js")
        + "\nconst [secret, header, body] = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        + "\nconsole.log(JSON.stringify([verify(secret, header, Buffer.from(body, 'utf8')),"
        + " verify(secret, header, Buffer.from(body + ' ', 'utf8')),"
        + " verify('whsec_other', header, Buffer.from(body, 'utf8'))]));\n"
    )
    header = request["headers"]["Halyard-Signature"]
    result = subprocess.run(  # noqa: S603 (a fixed interpreter and our own script)
        [node, str(script)],
        input=json.dumps([secret, header, request["body"]]),
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert json.loads(result.stdout) == [True, False, False]
