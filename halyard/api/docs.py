"""The OpenAPI document and a self-contained docs page (no CDN: the CSP allows only 'self')."""

from __future__ import annotations

import functools
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.generators import SchemaGenerator

METHODS = ("get", "post", "patch", "put", "delete")


class BearerKeyScheme(OpenApiAuthenticationExtension):
    target_class = "halyard.api.auth.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "description": "An API key: hk_…"}


@functools.cache
def api_schema() -> dict[str, Any]:
    """Return the OpenAPI document (generated once per process)."""
    return SchemaGenerator().get_schema(request=None, public=True)


def openapi(request: HttpRequest) -> JsonResponse:
    """Serve the OpenAPI 3 document."""
    return JsonResponse(api_schema(), json_dumps_params={"ensure_ascii": False})


def docs_page(request: HttpRequest) -> HttpResponse:
    """List every operation with its parameters, request fields and answers."""
    schema = api_schema()
    operations = []
    for route, item in schema["paths"].items():
        for method in METHODS:
            if method in item:
                op = item[method]
                operations.append(
                    {
                        "method": method.upper(),
                        "path": route,
                        "id": op.get("operationId", ""),
                        "tag": (op.get("tags") or [""])[0],
                        "parameters": [p["name"] for p in op.get("parameters", [])],
                        "request": _ref_name(op.get("requestBody")),
                        "responses": sorted(op.get("responses", {})),
                    }
                )
    return render(
        request,
        "api/docs.html",
        {"operations": operations, "info": schema["info"]},
    )


def _ref_name(body: dict[str, Any] | None) -> str:
    if not body:
        return ""
    content = body.get("content", {}).get("application/json", {})
    return str(content.get("schema", {}).get("$ref", "")).rsplit("/", 1)[-1]
