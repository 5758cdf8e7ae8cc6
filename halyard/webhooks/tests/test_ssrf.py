"""Webhooks go only to public addresses: checked when saved, and again when sent."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django_scopes import scope

from conftest import actor_for
from halyard.webhooks import transport
from halyard.webhooks.services import subscription_create

REFUSED = [
    "http://10.0.0.5/hook",
    "https://10.0.0.5/hook",
    "https://192.168.1.10/hook",
    "https://172.16.0.1/hook",
    "https://169.254.169.254/latest/meta-data",  # cloud metadata
    "https://[fe80::1]/hook",
    "https://[fd00::1]/hook",
    "https://[::ffff:10.0.0.1]/hook",
    "https://0.0.0.0/hook",
    "https://127.0.0.1/hook",  # loopback, not allowed here
    "https://localhost/hook",
    "http://[::1]:8080/hook",
]


@pytest.mark.parametrize("url", REFUSED)
@override_settings(WEBHOOK_ALLOW_LOOPBACK=False)
def test_private_and_loopback_addresses_are_refused(url: str, acme: Any, alice: Any) -> None:
    with scope(workspace=acme), pytest.raises(ValidationError) as info:
        subscription_create(actor=actor_for(acme, alice), values={"url": url})
    assert "url" in info.value.message_dict


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/hook",
        "ftp://example.com/x",
        "https://",
        "not a url",
        "https://u:p@example.com/",
    ],
)
def test_plain_http_and_odd_addresses_are_refused(url: str, acme: Any, alice: Any) -> None:
    with scope(workspace=acme), pytest.raises(ValidationError):
        subscription_create(actor=actor_for(acme, alice), values={"url": url})


@override_settings(WEBHOOK_ALLOW_LOOPBACK=True)
def test_loopback_is_allowed_only_when_the_settings_say_so(acme: Any, alice: Any) -> None:
    with scope(workspace=acme):
        hook = subscription_create(
            actor=actor_for(acme, alice), values={"url": "http://127.0.0.1:9/hook"}
        )
    assert hook.url == "http://127.0.0.1:9/hook"
    with pytest.raises(ValidationError):
        transport.url_check("http://10.1.2.3/hook")  # private stays refused


def test_a_name_that_resolves_to_a_private_address_is_refused_when_sent(monkeypatch: Any) -> None:
    """DNS can change after the webhook was saved: the address is checked at send time."""
    connected: list[Any] = []
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda *a, **k: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", 443))],
    )
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: connected.append(a))
    transport.url_check("https://hooks.example.com/x")  # a public-looking name passes the form
    outcome = transport.post("https://hooks.example.com/x", "{}", {})
    assert outcome.status_code is None and not outcome.ok
    assert "private network" in outcome.error
    assert connected == []


def test_a_name_with_one_private_answer_is_refused(monkeypatch: Any) -> None:
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda *a, **k: [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", 443)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 443)),
        ],
    )
    with override_settings(WEBHOOK_ALLOW_LOOPBACK=False), pytest.raises(ValidationError):
        transport.resolve("rebind.example.com", 443)


def test_a_public_address_is_accepted(monkeypatch: Any) -> None:
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda *a, **k: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", 443))],
    )
    assert str(transport.resolve("example.com", 443)) == "93.184.215.14"
    assert transport.url_check("https://example.com/hook") == ("https", "example.com", 443)
