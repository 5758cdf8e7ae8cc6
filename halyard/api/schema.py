"""OpenAPI generation: request and response shapes per action, and every error declared."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, inline_serializer
from rest_framework import serializers

from halyard.api.serializers import ProblemOut

PROBLEM = "application/problem+json"
READ_ERRORS = (400, 401, 403, 404, 429)
WRITE_ERRORS = (400, 401, 403, 404, 409, 412, 413, 415, 422, 429)
_pages: dict[str, Any] = {}
ID_TYPE = {"type": "string", "pattern": "^[0-9]{1,15}$"}


def page_of(output: type[serializers.Serializer]) -> Any:
    """Return (once per output) the serializer of a list page."""
    name = output.__name__.removesuffix("Out") + "Page"
    if name not in _pages:
        _pages[name] = inline_serializer(
            name=name,
            fields={
                "results": output(many=True),
                "next_cursor": serializers.CharField(allow_null=True),
            },
        )
    return _pages[name]


class ApiSchema(AutoSchema):
    """Describe each viewset action from the view's declared serializers."""

    def _action(self) -> str:
        return getattr(self.view, "action", None) or self.method.lower()

    def _is_list_view(self, serializer: Any = None) -> bool:
        return False  # list pages are objects ({"results", "next_cursor"}), never bare arrays

    def get_operation_id(self) -> str:
        basename = getattr(self.view, "basename", "api")
        return f"{basename}_{self._action()}"

    def get_tags(self) -> list[str]:
        return [getattr(self.view, "basename", "api")]

    def get_request_serializer(self) -> Any:
        action = self._action()
        view = self.view
        if action == "create":
            return view.input
        if action == "partial_update":
            return view.input(partial=True)
        return getattr(view, f"{action}_input", None)

    def get_response_serializers(self) -> Any:
        action = self._action()
        view = self.view
        output = getattr(view, f"{action}_output", None) or view.output
        if action == "list":
            main: dict[Any, Any] = {200: page_of(output)}
        elif action == "create":
            main = {201: output}
        else:
            main = {200: output}
        errors = WRITE_ERRORS if self.method in ("POST", "PATCH", "DELETE") else READ_ERRORS
        for code in errors:
            main[(code, PROBLEM)] = ProblemOut
        return main

    def get_override_parameters(self) -> list[Any]:
        params: list[Any] = []
        view = self.view
        if self.method in ("PATCH", "DELETE") or self._action() == "move":
            params.append(
                OpenApiParameter(
                    "If-Match",
                    str,
                    OpenApiParameter.HEADER,
                    description='The ETag you read (e.g. "3"); a stale one answers 412.',
                )
            )
        if self.method in ("POST", "PATCH", "DELETE"):
            params.append(
                OpenApiParameter(
                    "Idempotency-Key",
                    {"type": "string", "minLength": 1, "maxLength": 255},
                    OpenApiParameter.HEADER,
                    description=(
                        "Any unique string (e.g. a UUID). The first answer is kept for 24 hours "
                        "and replayed, with `Idempotent-Replayed: true`, for a repeat of the same "
                        "request; another request with the same key answers 422."
                    ),
                )
            )
        if self._action() != "list":
            return params
        if hasattr(view, "model"):
            params += [
                OpenApiParameter("q", str, description="Search, as in the app's search box."),
                OpenApiParameter(
                    "owner",
                    {"type": "string", "pattern": "^([0-9]{1,15}|none)$"},
                    description="Owner's user id, or `none`.",
                ),
                OpenApiParameter("updated_after", str, description="ISO 8601 date or date-time."),
                OpenApiParameter(
                    "external_id", str, description="The record with this external id, if any."
                ),
            ]
            params += [
                OpenApiParameter(name, ID_TYPE if lookup.endswith("_id") else str)
                for name, lookup in view.filters.items()
            ]
        orderings = sorted(view.orderings)
        params += [
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": 200},
                description="Rows per page, 1 to 200 (default 50).",
            ),
            OpenApiParameter("cursor", str, description="The `next_cursor` of the last page."),
            OpenApiParameter(
                "ordering",
                str,
                enum=orderings + ["-" + o for o in orderings],
                description=f"Sort order (default `{view.default_ordering}`).",
            ),
        ]
        return params
