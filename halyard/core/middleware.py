"""Refuse oversized request bodies before anything reads them."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _


class RequestSizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BODY and request.path.startswith("/api/"):
            # API clients read problem documents (RFC 9457), not HTML pages.
            problem = {
                "type": "https://halyard.example/problems/body_too_large",
                "title": "Content too large",
                "status": 413,
                "detail": _("The request body is too large. Nothing was changed."),
                "code": "body_too_large",
            }
            return JsonResponse(problem, status=413, content_type="application/problem+json")
        if length > settings.MAX_REQUEST_BODY:
            body = render_to_string(
                "error.html",
                {
                    "status": 413,
                    "title": _("That was too large"),
                    "message": _(
                        "The form you sent is larger than Halyard accepts. Nothing was "
                        "saved. Send less data at once."
                    ),
                },
                request=None,
            )
            return HttpResponse(body, status=413)
        return self.get_response(request)
