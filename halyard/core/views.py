"""Health check and error pages."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Report the state of the database and the task queue."""
    status: dict[str, Any] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        status["database"] = {"ok": True, "vendor": connection.vendor}
    except Exception as exc:
        status["database"] = {"ok": False, "error": exc.__class__.__name__}
    status["queue"] = _queue_state()
    ok = all(part["ok"] for part in status.values())
    return JsonResponse({"ok": ok, **status}, status=200 if ok else 503)


def _queue_state() -> dict[str, Any]:
    from django.conf import settings

    from config.celery import app
    from halyard.core.models import OutboxEvent

    state: dict[str, Any] = {"broker": settings.CELERY_BROKER_URL.split("://")[0]}
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        state["ok"] = True
    except Exception as exc:
        state.update(ok=False, error=exc.__class__.__name__)
    try:
        state["pending_events"] = OutboxEvent.objects.filter(dispatched_at__isnull=True).count()
    except Exception:
        state["pending_events"] = None
    return state


def _error(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    return render(
        request, "error.html", {"status": status, "title": title, "message": message}, status=status
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(
        request,
        400,
        _("Something in that request was not right"),
        _("Halyard could not read what was sent. Nothing was saved. Go back and try again."),
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = (
        str(exception) if exception and str(exception) else _("Your role does not allow this.")
    )
    return _error(request, 403, _("Not allowed"), message)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(
        request, 404, _("Not found"), _("There is nothing here, or you do not have access to it.")
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """Render the 500 page without context processors: the database may be what failed."""
    from django.template.loader import render_to_string

    body = render_to_string(
        "error.html",
        {
            "status": 500,
            "title": _("Something went wrong"),
            "message": _("Halyard hit an unexpected error. Nothing was half-saved; try again."),
        },
    )
    return HttpResponse(body, status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _error(
        request,
        403,
        _("This form has expired"),
        _("For your safety the form was refused. Reload the page and send it again."),
    )
