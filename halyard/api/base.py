"""The machinery every API endpoint shares: key auth, workspace scope, limits, pages, ETags."""

from __future__ import annotations

import datetime as dt
import time
from contextlib import ExitStack
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django_scopes import scope
from rest_framework import permissions as drf_permissions
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from halyard.api.auth import ApiKeyAuthentication
from halyard.api.idempotency import Replay, idempotency_begin, idempotency_finish
from halyard.api.models import ApiKey, IdempotentRequest
from halyard.api.problems import Problem, exception_handler
from halyard.core.context import Actor, Source, client_ip
from halyard.core.listing import Sort, keyset_page

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
CURSOR_SALT = "halyard.api.cursor"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class KeyPermission(drf_permissions.BasePermission):
    """Require a key; a read-only key may only read."""

    message = "This API key is read-only."

    def has_permission(self, request: Request, view: Any) -> bool:
        if not isinstance(request.auth, ApiKey):
            return False
        return request.method in SAFE_METHODS or request.auth.can_write


class JsonOnly(BaseContentNegotiation):
    """Always answer JSON, whatever Accept says (problem documents included)."""

    def select_parser(self, request: Request, parsers: list[Any]) -> Any:
        content_type = request.content_type.split(";")[0].strip().lower()
        for parser in parsers:
            if content_type == parser.media_type:
                return parser
        return None

    def select_renderer(
        self, request: Request, renderers: list[Any], format_suffix: str | None = None
    ) -> tuple[Any, str]:
        return renderers[0], renderers[0].media_type


def rate_check(key: ApiKey) -> dict[str, str]:
    """Count a request against the key's and the workspace's per-minute limits."""
    now = time.time()
    window = int(now // 60)
    reset = str(60 - int(now % 60))
    remaining = None
    limit_shown = 0
    for name, owner_id, limit in (
        ("key", key.pk, settings.API_RATE_LIMIT),
        ("ws", key.workspace_id, settings.API_WORKSPACE_RATE_LIMIT),
    ):
        counter = f"api:rate:{name}:{owner_id}:{window}"
        cache.add(counter, 0, timeout=90)
        try:
            used = cache.incr(counter)
        except ValueError:  # evicted between add and incr
            cache.set(counter, 1, timeout=90)
            used = 1
        left = max(0, limit - used)
        if remaining is None or left < remaining:
            remaining, limit_shown = left, limit
        if used > limit:
            raise Problem(
                429,
                "rate_limited",
                _("Too many requests. Wait %(seconds)s seconds, then try again.")
                % {"seconds": reset},
                headers={
                    "Retry-After": reset,
                    "RateLimit-Limit": str(limit),
                    "RateLimit-Remaining": "0",
                    "RateLimit-Reset": reset,
                },
            )
    return {
        "RateLimit-Limit": str(limit_shown),
        "RateLimit-Remaining": str(remaining),
        "RateLimit-Reset": reset,
    }


class ApiView(APIView):
    """Authenticate by key, then run the request inside the key's workspace as its member."""

    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [KeyPermission]
    parser_classes = [JSONParser]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JsonOnly
    throttle_classes: list[Any] = []

    def get_exception_handler(self) -> Any:
        return exception_handler

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        self._scope = ExitStack()
        self._rate_headers: dict[str, str] = {}
        self._idempotent: IdempotentRequest | None = None
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = self.body_limit()
        if length > limit:
            raise Problem(
                413,
                "body_too_large",
                _("The request body is larger than %(size)s bytes. Nothing was changed.")
                % {"size": limit},
            )
        super().initial(request, *args, **kwargs)
        key: ApiKey = request.auth
        self._rate_headers = rate_check(key)
        membership = request.membership
        request.workspace = membership.workspace
        request.actor = Actor(
            workspace=membership.workspace,
            user=request.user,
            membership=membership,
            source=Source.API,
            ip=client_ip(request._request),
        )
        self._scope.enter_context(scope(workspace=membership.workspace))
        self._idempotent = idempotency_begin(request)

    def handle_exception(self, exc: Exception) -> Any:
        if isinstance(exc, Replay):
            return exc.response
        return super().handle_exception(exc)

    def body_limit(self) -> int:
        """Return the largest request body this endpoint reads (file uploads allow more)."""
        return int(settings.API_MAX_BODY)

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        scope_stack = getattr(self, "_scope", None)
        if scope_stack is not None:
            scope_stack.close()
        response = super().finalize_response(request, response, *args, **kwargs)
        for name, value in getattr(self, "_rate_headers", {}).items():
            response.setdefault(name, value)
        idempotency_finish(getattr(self, "_idempotent", None), response)
        return response

    @property
    def context(self) -> dict[str, Any]:
        """Return what serializers need: the workspace and the members (for user fields)."""
        from halyard.workspaces.models import Membership

        workspace = self.request.workspace

        def members() -> list[tuple[int, str]]:
            return [
                (m.user_id, m.user.display_name)
                for m in Membership.objects.select_related("user").filter(
                    workspace=workspace, is_active=True
                )
            ]

        return {"workspace": workspace, "members": members, "request": self.request}


def etag(version: int) -> str:
    return f'"{version}"'


def if_match(request: Request) -> int | None:
    """Return the version named by If-Match; None when absent or "*"; 412 when unreadable."""
    raw = request.META.get("HTTP_IF_MATCH", "").strip()
    if not raw or raw == "*":
        return None
    value = raw.removeprefix("W/").strip().strip('"')
    if not value.isdigit() or len(value) > 9:
        raise Problem(
            412,
            "precondition_failed",
            _('If-Match must be the ETag of the record, e.g. "3".'),
        )
    return int(value)


def stale(record: Any) -> Problem:
    """Return the 412 answer for a write made against an older version."""
    return Problem(
        412,
        "version_mismatch",
        _(
            "The record changed since you read it (it is now version %(version)s). Read it "
            "again and send your change with its new ETag."
        )
        % {"version": record.version},
        headers={"ETag": etag(record.version)},
    )


def bad_param(name: str, message: str) -> Problem:
    return Problem(400, "invalid_parameter", message, {name: [message]})


def parse_limit(params: Any) -> int:
    raw = params.get("limit")
    if raw is None:
        return DEFAULT_LIMIT
    if not raw.isdigit() or len(raw) > 6 or not 1 <= int(raw) <= MAX_LIMIT:
        raise bad_param("limit", _("Give a limit between 1 and %(max)s.") % {"max": MAX_LIMIT})
    return int(raw)


def parse_moment(name: str, raw: str) -> dt.datetime:
    """Read an ISO date or date-time; a naive one is taken as UTC."""
    try:
        moment = parse_datetime(raw)
        if moment is None:
            day = parse_date(raw)
            if day is not None:
                moment = dt.datetime.combine(day, dt.time.min)
    except ValueError:
        moment = None
    if moment is None:
        raise bad_param(name, _("Give an ISO 8601 date or date-time, e.g. 2025-01-31T09:00:00Z."))
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, dt.UTC)
    return moment


def parse_id(name: str, raw: str) -> int:
    if not raw.isdigit() or len(raw) > 15:
        raise bad_param(name, _("Give an id (a string of digits)."))
    return int(raw)


def sort_from(
    model: type[models.Model], params: Any, orderings: dict[str, str], default: str
) -> tuple[str, Sort]:
    """Return the `ordering` asked for (or the default) and the keyset sort it means."""
    ordering = params.get("ordering") or default
    if ordering.removeprefix("-") not in orderings:
        raise bad_param(
            "ordering",
            _("Order by one of: %(names)s (prefix “-” for descending).")
            % {"names": ", ".join(sorted(orderings))},
        )
    path = orderings[ordering.removeprefix("-")]
    return ordering, Sort(F(path), ordering.startswith("-"), _nullable(model, path))


def page(
    queryset: models.QuerySet, params: Any, orderings: dict[str, str], default: str
) -> tuple[list[Any], str | None]:
    """Return one keyset page and the signed cursor of the next (None on the last page)."""
    limit = parse_limit(params)
    ordering, sort = sort_from(queryset.model, params, orderings, default)
    after = None
    if token := params.get("cursor"):
        try:
            data = signing.loads(token[:1000], salt=CURSOR_SALT)
        except signing.BadSignature:
            data = None
        if not isinstance(data, dict) or data.get("o") != ordering or not data.get("a"):
            raise Problem(
                400,
                "cursor_invalid",
                _("This cursor is not valid for this list. Start again without a cursor."),
                {"cursor": [_("Invalid cursor.")]},
            )
        after = str(data["a"])
    try:
        result = keyset_page(queryset, after, size=limit, sort=sort, strict=True)
    except (ValueError, TypeError, DjangoValidationError) as exc:
        raise Problem(400, "cursor_invalid", _("This cursor is not valid for this list.")) from exc
    next_cursor = None
    if result.next_after:
        next_cursor = signing.dumps({"o": ordering, "a": result.next_after}, salt=CURSOR_SALT)
    return result.rows, next_cursor


def _nullable(model: type[models.Model], path: str) -> bool:
    current: Any = model
    for part in path.split("__"):
        if part == "pk":
            return False
        field = current._meta.get_field(part)
        if field.null:
            return True
        if not field.is_relation:
            return False
        current = field.related_model
    return False


def respond(data: Any, status: int = 200, version: int | None = None) -> Response:
    headers = {"ETag": etag(version)} if version is not None else None
    return Response(data, status=status, headers=headers)
