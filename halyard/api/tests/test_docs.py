"""The curl examples of docs/api.md, run in order against the API."""

from __future__ import annotations

import io
import re
import shlex
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from halyard.api.tests.conftest import ApiClient, key_for
from halyard.deals.tests.factories import sales_pipeline

DOC = Path(settings.BASE_DIR) / "docs" / "api.md"


def curl_examples() -> list[str]:
    """Return the documented curl commands, continuation lines joined."""
    blocks = re.findall(r"```bash\n(.*?)```", DOC.read_text(), flags=re.S)
    return [b.replace("\\\n", " ").strip() for b in blocks if b.lstrip().startswith("curl")]


# Files the examples upload with `-F name=@file`.
UPLOADS = {"khach-hang.csv": "Họ,Tên,Thư điện tử\nNguyễn,An,an@senvang.vn\n".encode("utf-8-sig")}


def parse(command: str) -> tuple[str, str, dict[str, str], Any]:
    """Read a curl command: method, path with query, headers, body (`-F` fields as a dict)."""
    words = shlex.split(command)[1:]
    method, url, body, headers = "GET", "", None, {}
    form: dict[str, Any] = {}
    i = 0
    while i < len(words):
        word = words[i]
        if word == "-o":  # where curl saves the answer
            i += 2
        elif word == "-F":
            name, _sep, value = words[i + 1].partition("=")
            if value.startswith("@"):
                value = io.BytesIO(UPLOADS[value[1:]])
                value.name = words[i + 1].partition("@")[2]
            form[name] = value
            i += 2
        elif word == "-X":
            method, i = words[i + 1], i + 2
        elif word == "-H":
            name, _sep, value = words[i + 1].partition(":")
            headers[name.strip()] = value.strip()
            i += 2
        elif word == "-d":
            body, i = words[i + 1], i + 2
        else:
            url, i = word, i + 1
    parts = urlsplit(url)
    assert parts.netloc == "crm.example.com", url
    return method, parts.path + (f"?{parts.query}" if parts.query else ""), headers, form or body


def test_the_documented_examples_work(acme: Any, alice: Any) -> None:
    _pipeline, stages = sales_pipeline(acme, alice)
    open_stage = next(s for s in stages.values() if s.kind == "open")
    won_stage = next(s for s in stages.values() if s.kind == "won")
    secret = key_for(acme, alice)
    client = ApiClient(None)
    ids = {"STAGE_ID": str(open_stage.pk), "WON_STAGE_ID": str(won_stage.pk)}
    examples = curl_examples()
    sent: set[str] = set()
    assert len(examples) >= 8
    for command in examples:
        for name, value in sorted(ids.items(), key=lambda kv: -len(kv[0])):
            command = command.replace(name, value)
        method, path, headers, body = parse(command)
        extra = {k.replace("-", "_"): v.replace("$HALYARD_KEY", secret) for k, v in headers.items()}
        content_type = extra.pop("Content_Type", "application/json")
        if isinstance(body, dict):
            client.secret = secret
            response = client.upload(path, body)
            client.secret = None
        else:
            response = client.request(
                method,
                path,
                raw=body.encode() if body else None,
                content_type=content_type,
                **extra,
            )
        assert response.status_code in (200, 201, 202), (command, response.content[:500])
        if "Idempotency_Key" in extra:  # the documented retry replays the first answer
            replay = response.get("Idempotent-Replayed")
            assert replay == ("true" if command in sent else None), command
        sent.add(command)
        if path.endswith("/bulk"):
            results = response.json()["results"]
            assert results and all(r["status"] != "error" for r in results), results
        if path == "/api/v1/leads" and method == "POST":
            ids["LEAD_ID"] = response.json()["id"]
        if path == "/api/v1/deals" and method == "POST":
            ids["DEAL_ID"] = response.json()["id"]
        if path == "/api/v1/contacts" and method == "POST":
            ids["CONTACT_ID"] = response.json()["id"]
        if path == "/api/v1/tasks" and method == "POST":
            ids["TASK_ID"] = response.json()["id"]
        if path.startswith("/api/v1/tasks?"):
            assert [t["title"] for t in response.json()["results"]] == []  # done by then
        if path.endswith("/timeline?limit=20"):
            kinds = {item["type"] for item in response.json()["results"]}
            assert kinds == {"activity", "task", "change"}, kinds
        if path == "/api/v1/imports":
            assert response.json()["mapping"]["Thư điện tử"] == "email"
        if "/export?" in path:
            rows = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
            assert rows[0].startswith("name,")
        if path == "/api/v1/webhooks" and method == "POST":
            ids["WEBHOOK_ID"] = response.json()["id"]
    assert {"LEAD_ID", "DEAL_ID", "CONTACT_ID", "TASK_ID", "WEBHOOK_ID"} <= set(ids)
