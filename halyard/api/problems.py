"""Errors as RFC 9457 problem documents, each with a stable `code`."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from halyard.audit.services import ExternalIdTaken, VersionConflict

logger = logging.getLogger(__name__)

PROBLEM_TYPE = "https://halyard.example/problems/"
CONTENT_TYPE = "application/problem+json"


class Problem(exceptions.APIException):
    """An error with its own status and stable code."""

    def __init__(
        self,
        status_code: int,
        code: str,
        detail: str,
        errors: dict[str, list[str]] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail=detail, code=code)
        self.status_code = status_code
        self.problem_code = code
        self.errors = errors
        self.headers = headers or {}
        self.extra = extra or {}


TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    412: "Precondition failed",
    413: "Content too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    429: "Too many requests",
    500: "Internal server error",
}

CODES = {
    exceptions.ParseError: "malformed_json",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "invalid_key",
    exceptions.PermissionDenied: "forbidden",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "rate_limited",
}


def problem_body(
    status_code: int,
    code: str,
    detail: str,
    errors: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Return a problem document (`extra` adds extension members, e.g. `holder_id`)."""
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE + code,
        "title": TITLES.get(status_code, "Error"),
        "status": status_code,
        "detail": detail,
        "code": code,
    }
    if errors is not None:
        body["errors"] = errors
    body.update(extra or {})
    return body


def problem_response(
    status_code: int,
    code: str,
    detail: str,
    errors: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    """Return a DRF response carrying a problem document."""
    return Response(
        problem_body(status_code, code, detail, errors, extra),
        status=status_code,
        headers=headers,
        content_type=CONTENT_TYPE,
    )


def field_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """Flatten DRF/Django error details into {"field.sub": [messages]}."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = str(key) if key not in ("non_field_errors", "__all__") else "__all__"
            sub = f"{prefix}.{name}" if prefix and name != "__all__" else (prefix or name)
            for k, v in field_errors(value, sub).items():
                out.setdefault(k, []).extend(v)
    elif isinstance(detail, list):
        for i, item in enumerate(detail):
            if isinstance(item, dict | list) and not _is_flat(item):
                for k, v in field_errors(item, f"{prefix}.{i}" if prefix else str(i)).items():
                    out.setdefault(k, []).extend(v)
            else:
                for k, v in field_errors(item, prefix).items():
                    out.setdefault(k, []).extend(v)
    else:
        out.setdefault(prefix or "__all__", []).append(str(detail))
    return out


def _is_flat(item: Any) -> bool:
    return isinstance(item, list) and all(not isinstance(i, dict | list) for i in item)


def _django_validation(exc: DjangoValidationError) -> Response:
    if hasattr(exc, "error_dict"):
        errors = {
            ("__all__" if k == "__all__" else k): [str(m) for e in v for m in e.messages]
            for k, v in exc.error_dict.items()
        }
    else:
        errors = {"__all__": [str(m) for m in exc.messages]}
    first = next(iter(errors.values()))[0] if errors else _("The request is not valid.")
    return problem_response(400, "invalid", first, errors)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Turn every exception raised by an API view into a problem document."""
    set_rollback()
    if isinstance(exc, Problem):
        return problem_response(
            exc.status_code, exc.problem_code, str(exc.detail), exc.errors, exc.headers, exc.extra
        )
    if isinstance(exc, DjangoValidationError):
        return _django_validation(exc)
    if isinstance(exc, VersionConflict):
        return problem_response(
            409,
            "version_conflict",
            str(exc),
            headers={"ETag": f'"{exc.record.version}"'},
        )
    if isinstance(exc, ExternalIdTaken):
        return problem_response(
            409,
            "external_id_taken",
            str(exc),
            {"external_id": [str(exc)]},
            extra={"holder_id": str(exc.holder_id)},
        )
    if isinstance(exc, Http404 | exceptions.NotFound):
        return problem_response(404, "not_found", _("No such record in this workspace."))
    if isinstance(exc, DjangoPermissionDenied):
        return problem_response(403, "forbidden", str(exc) or _("Your role does not allow this."))
    if isinstance(exc, exceptions.ValidationError):
        errors = field_errors(exc.detail)
        first = next(iter(errors.values()))[0] if errors else _("The request is not valid.")
        return problem_response(400, "invalid", first, errors)
    if isinstance(exc, exceptions.APIException):
        code = next((c for t, c in CODES.items() if isinstance(exc, t)), "error")
        headers: dict[str, str] = {}
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            headers["Retry-After"] = str(max(1, int(exc.wait)))
        if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
            headers["WWW-Authenticate"] = 'Bearer realm="api"'
        status_code = exc.status_code
        if status_code == 403 and isinstance(exc, exceptions.NotAuthenticated):
            status_code = 401
        return problem_response(status_code, code, str(exc.detail), headers=headers)
    logger.exception("Unhandled API error", exc_info=exc)
    return problem_response(
        status.HTTP_500_INTERNAL_SERVER_ERROR,
        "server_error",
        _("Something went wrong on our side. Nothing was changed."),
    )


@csrf_exempt  # key-authenticated clients send no CSRF token; this view changes nothing
def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Answer an unknown address under /api/ with a problem document."""
    return JsonResponse(
        problem_body(404, "not_found", _("There is no such address in the API.")),
        status=404,
        content_type=CONTENT_TYPE,
    )
