"""API test helpers: keys for the cast, and a client that records which operations ran."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from conftest import actor_for

# (METHOD, /api/v1/path/{id}) of every API call made by the tests of this session.
CALLED: set[tuple[str, str]] = set()


def operation(method: str, path: str) -> tuple[str, str]:
    """Return the OpenAPI operation a request path belongs to."""
    path = path.split("?", 1)[0]
    return method.upper(), re.sub(r"/[0-9]+(?=/|$)", "/{id}", path)


class ApiClient:
    """A test client that sends a key and JSON, and records the operations it called."""

    def __init__(self, secret: str | None) -> None:
        self.client = Client(enforce_csrf_checks=True)  # key auth needs no CSRF token
        self.secret = secret

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        raw: bytes | str | None = None,
        content_type: str = "application/json",
        **headers: str,
    ) -> Any:
        CALLED.add(operation(method, path))
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
        if self.secret is not None:
            extra.setdefault("HTTP_AUTHORIZATION", f"Bearer {self.secret}")
        data: Any = raw if raw is not None else (json.dumps(body) if body is not None else None)
        call = getattr(self.client, method.lower())
        if data is None:
            return call(path, **extra)
        return call(path, data=data, content_type=content_type, **extra)

    def upload(self, path: str, data: dict[str, Any], **headers: str) -> Any:
        """POST a multipart form (files as file objects), as an upload client sends it."""
        CALLED.add(operation("POST", path))
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
        if self.secret is not None:
            extra.setdefault("HTTP_AUTHORIZATION", f"Bearer {self.secret}")
        return self.client.post(path, data=data, **extra)

    def get(self, path: str, **headers: str) -> Any:
        return self.request("GET", path, **headers)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.request("POST", path, body if body is not None else {}, **kwargs)

    def patch(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.request("PATCH", path, body if body is not None else {}, **kwargs)

    def delete(self, path: str, **headers: str) -> Any:
        return self.request("DELETE", path, **headers)


def key_for(workspace: Any, user: Any, *, read_only: bool = False, **kwargs: Any) -> str:
    """Create an API key through the service and return its secret."""
    from halyard.api.services import apikey_create

    with scopes_disabled():
        actor = actor_for(workspace, user)
    new = apikey_create(actor=actor, name="test", scope="read" if read_only else "write", **kwargs)
    return new.secret


@pytest.fixture
def alice_api(acme: Any, alice: Any) -> ApiClient:
    return ApiClient(key_for(acme, alice))


@pytest.fixture
def bob_api(acme: Any, bob: Any) -> ApiClient:
    return ApiClient(key_for(acme, bob))


@pytest.fixture
def charlie_api(other: Any, charlie: Any) -> ApiClient:
    return ApiClient(key_for(other, charlie))


@pytest.fixture
def reader_api(acme: Any, alice: Any) -> ApiClient:
    return ApiClient(key_for(acme, alice, read_only=True))


def problem(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """Assert a problem document with this status (and code); return it."""
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert {"type", "title", "detail", "code"} <= set(body)
    if code is not None:
        assert body["code"] == code, body
    return body
