"""OpenAPI generation: request and response shapes per action, and every error declared."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, inline_serializer
from rest_framework import serializers

from halyard.api.filtering import OPERATORS
from halyard.api.serializers import ProblemOut
from halyard.core.export import XLSX_TYPE

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
            return getattr(view, "patch_input", view.input)(partial=True)
        return getattr(view, f"{action}_input", None)

    def get_response_serializers(self) -> Any:
        action = self._action()
        view = self.view
        if action == "export":
            files: dict[Any, Any] = {
                (200, "text/csv"): OpenApiTypes.STR,
                (200, XLSX_TYPE): OpenApiTypes.BINARY,
            }
            for code in READ_ERRORS:
                files[(code, PROBLEM)] = ProblemOut
            return files
        output = getattr(view, f"{action}_output", None) or view.output
        if action == "list" or action in getattr(view, "paged_actions", ()):
            main: dict[Any, Any] = {200: page_of(output)}
        elif action == "destroy" and getattr(view, "destroy_empty", False):
            main = {204: None}
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
        if self._action() in getattr(view, "paged_actions", ()):
            return params + page_parameters()
        if self._action() == "export":
            params.append(
                OpenApiParameter(
                    "format",
                    str,
                    enum=["csv", "xlsx"],
                    description="`csv` (UTF-8 with BOM, the default) or `xlsx`.",
                )
            )
        elif self._action() != "list":
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
        params += field_parameters(view, {p.name for p in params})
        orderings = sorted(view.orderings)
        if self._action() == "list":
            params += page_parameters()
        params += [
            OpenApiParameter(
                "ordering",
                str,
                enum=orderings + ["-" + o for o in orderings],
                description=f"Sort order (default `{view.default_ordering}`).",
            ),
        ]
        return params


def page_parameters() -> list[Any]:
    """Return `limit` and `cursor`, the parameters of every paged answer."""
    return [
        OpenApiParameter(
            "limit",
            {"type": "integer", "minimum": 1, "maximum": 200},
            description="Rows per page, 1 to 200 (default 50).",
        ),
        OpenApiParameter("cursor", str, description="The `next_cursor` of the last page."),
    ]


FILTER_TYPES: dict[str, dict[str, Any]] = {
    "int": {"type": "integer"},
    "decimal": {"type": "string", "pattern": "^-?[0-9]{1,18}(\\.[0-9]{1,10})?$"},
    "date": {"type": "string", "format": "date"},
    "datetime": {"type": "string", "format": "date-time"},
    "bool": {"type": "string", "enum": ["true", "false"]},
    "id": ID_TYPE,
    "text": {"type": "string"},
    "tag": {"type": "string"},
}


def field_parameters(view: Any, taken: set[str]) -> list[Any]:
    """Return the bare `?<field>=` filters of a list (operators are described in docs/api.md)."""
    if not hasattr(view, "field_filters"):
        return []
    params = []
    for name, spec in sorted(view.field_filters().items()):
        if name in taken or "eq" not in OPERATORS[spec.kind]:
            continue
        if spec.kind == "choice":
            schema: dict[str, Any] = {"type": "string", "enum": list(spec.choices)}
        else:
            schema = FILTER_TYPES[spec.kind]
        ops = ", ".join(f"`{name}__{op}`" for op in OPERATORS[spec.kind] if op != "eq")
        description = f"Equal to this value. Also {ops}." if ops else "Equal to this value."
        params.append(OpenApiParameter(name, schema, description=description))
    return params
