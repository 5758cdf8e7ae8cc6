"""Fixtures shared by every test: the cast (Alice, Bob, Charlie) and their workspaces."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django_scopes import scope, scopes_disabled

CI = os.environ.get("CI") == "true"


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Skip tests whose services are absent, with a reason; under CI make that a failure."""
    for item in items:
        if item.get_closest_marker("redis") and not os.environ.get("HALYARD_TEST_REDIS_URL"):
            _unavailable(item, "Redis is not available (set HALYARD_TEST_REDIS_URL)")
        if item.get_closest_marker("postgres") and not os.environ.get(
            "DATABASE_URL", ""
        ).startswith("postgres"):
            item.add_marker(pytest.mark.skip(reason="runs in the PostgreSQL pass"))
        if item.get_closest_marker("browser") and not os.path.exists("/usr/bin/chromium"):
            _unavailable(item, "Chromium is not installed at /usr/bin/chromium")


def _unavailable(item: Any, reason: str) -> None:
    if CI:
        item.fixturenames.append("_fail_in_ci")
    else:
        item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture
def _fail_in_ci() -> None:
    pytest.fail("a required service is missing under CI")


def make_user(email: str, name: str, password: str = "correct-horse-battery-9") -> Any:
    from allauth.account.models import EmailAddress

    from halyard.accounts.models import User

    user = User.objects.create_user(email, password, full_name=name)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    return user


@pytest.fixture
def alice(db: Any) -> Any:
    return make_user("alice@example.com", "Alice Owner")


@pytest.fixture
def bob(db: Any) -> Any:
    return make_user("bob@example.com", "Bob Rep")


@pytest.fixture
def charlie(db: Any) -> Any:
    return make_user("charlie@example.com", "Charlie Outsider")


@pytest.fixture
def acme(alice: Any, bob: Any) -> Any:
    """Alice's workspace, where Bob is a sales rep (record scope: own)."""
    from halyard.workspaces.models import Membership, Role
    from halyard.workspaces.services import workspace_create

    workspace = workspace_create(owner=alice, name="Acme", slug="acme")
    with scopes_disabled():
        Membership.objects.create(
            workspace=workspace,
            user=bob,
            role=Role.objects.get(workspace=workspace, key="sales_rep"),
        )
    return workspace


@pytest.fixture
def other(charlie: Any) -> Any:
    """Charlie's workspace, which Alice and Bob cannot see."""
    from halyard.workspaces.services import workspace_create

    return workspace_create(owner=charlie, name="Other Ltd", slug="other")


def actor_for(workspace: Any, user: Any) -> Any:
    from halyard.core.context import Actor
    from halyard.workspaces.models import Membership

    membership = Membership.objects.select_related("role").get(workspace=workspace, user=user)
    return Actor(workspace=workspace, user=user, membership=membership)


@pytest.fixture
def in_acme(acme: Any) -> Iterator[Any]:
    with scope(workspace=acme):
        yield acme


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Rate limits and used TOTP codes live in the cache; each test starts without them."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
