"""Idempotency-Key on writes: the first answer is kept per key and API key, and replayed."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.request import Request

from halyard.api.models import IdempotentRequest
from halyard.api.problems import Problem

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
MAX_LENGTH = 255
KEPT_HEADERS = ("ETag", "Location")
WRITES = ("POST", "PUT", "PATCH", "DELETE")


class Replay(Exception):  # not an error: it carries the answer to send again
    """The request repeats one already answered: send the stored answer."""

    def __init__(self, response: HttpResponse) -> None:
        super().__init__("replay")
        self.response = response


def _fingerprint(request: Request) -> str:
    digest = hashlib.sha256()
    for part in (request.method or "", request.get_full_path()):
        digest.update(part.encode() + b"\0")
    digest.update(request._request.body)
    return digest.hexdigest()


def _key(request: Request) -> str | None:
    raw = request.META.get("HTTP_IDEMPOTENCY_KEY")
    if raw is None or request.method not in WRITES:
        return None
    key = raw.strip()
    if not key or len(key) > MAX_LENGTH or not key.isprintable():
        message = _("Give an Idempotency-Key of 1 to %(max)s printable characters.") % {
            "max": MAX_LENGTH
        }
        raise Problem(400, "idempotency_key_invalid", message, {HEADER: [message]})
    return key


def idempotency_begin(request: Request) -> IdempotentRequest | None:
    """Claim the request's Idempotency-Key, or raise the stored answer or the reason not to run.

    Returns None when the request carries no key (or is not a write).
    """
    key = _key(request)
    if key is None:
        return None
    fingerprint = _fingerprint(request)
    api_key = request.auth
    for _attempt in range(3):
        now = timezone.now()
        try:
            with transaction.atomic():
                return IdempotentRequest.objects.create(
                    api_key=api_key,
                    key=key,
                    fingerprint=fingerprint,
                    expires_at=now + dt.timedelta(seconds=settings.API_IDEMPOTENCY_TTL),
                )
        except IntegrityError:
            pass
        row = IdempotentRequest.objects.filter(api_key=api_key, key=key).first()
        if row is None:
            continue  # purged meanwhile: claim it again
        abandoned = row.status_code is None and row.created_at < now - dt.timedelta(
            seconds=settings.API_IDEMPOTENCY_LOCK
        )
        if row.expires_at <= now or abandoned:
            # Forget it (unless another request got there first) and claim the key afresh.
            IdempotentRequest.objects.filter(pk=row.pk, created_at=row.created_at).delete()
            continue
        if row.fingerprint != fingerprint:
            raise Problem(
                422,
                "idempotency_key_reused",
                _(
                    "This Idempotency-Key was already used for a different request (another "
                    "method, address or body). Use a new key for a new request."
                ),
            )
        if row.status_code is None:
            raise Problem(
                409,
                "idempotency_in_progress",
                _("A request with this Idempotency-Key is still running. Retry in a moment."),
                headers={"Retry-After": "1"},
            )
        raise Replay(_replay(row))
    raise Problem(
        409,
        "idempotency_in_progress",
        _("A request with this Idempotency-Key is still running. Retry in a moment."),
        headers={"Retry-After": "1"},
    )


def _replay(row: IdempotentRequest) -> HttpResponse:
    response = HttpResponse(
        bytes(row.body), status=row.status_code or 200, content_type=row.content_type or None
    )
    for name, value in (row.headers or {}).items():
        response[name] = value
    response[REPLAYED] = "true"
    return response


def idempotency_finish(row: IdempotentRequest | None, response: Any) -> None:
    """Keep the answer for the claimed key; free the key when the answer is not final.

    A server error or a conflict (409) may not happen again, so a retry with the same key
    runs the request again instead of replaying them.
    """
    if row is None:
        return
    if response.status_code >= 500 or response.status_code in (409, 429):
        IdempotentRequest.objects.filter(pk=row.pk).delete()
        return
    if hasattr(response, "render"):
        response.render()
    IdempotentRequest.objects.filter(pk=row.pk).update(
        status_code=response.status_code,
        content_type=response.get("Content-Type", ""),
        body=response.content,
        headers={name: response[name] for name in KEPT_HEADERS if response.has_header(name)},
    )


def idempotency_purge() -> int:
    """Delete the expired keys with their answers; return how many."""
    deleted, _counts = IdempotentRequest.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted
