"""The OpenAPI document says what the API really answers (RELIABILITY F1: schemathesis finds 0
schema violations).

Routes declare their own error statuses with `error_responses(402, 404, ...)`. The auth dependency
depends on `documented_api_key`, so every authenticated operation lists the three API key schemes
(Bearer, `X-API-Key`, `?apiKey=`). `install` then rewrites the generated document once:

- FastAPI's default 422 `HTTPValidationError` becomes 400 in the sniper error shape (the app-wide
  handler answers validation failures with 400, DESIGN.md "API surfaces"); a surface that
  declares its own 422 (trading control) keeps it;
- an operation with a request body gains 400 (FastAPI answers a body that is not UTF-8 with a
  400 on every surface) and 413 (body size limit);
- an operation with a path parameter gains 404 (an unknown id, or another account's);
- an authenticated operation gains 401 and 429 (rate limit, with `Retry-After`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from fastapi import FastAPI, Security
from fastapi.openapi.utils import get_openapi
from fastapi.security import APIKeyHeader, APIKeyQuery, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field, TypeAdapter

ERROR_REF = "#/components/schemas/ErrorBody"
DESCRIPTIONS = {
    400: "Invalid query, body, path or header parameter; `error.details.field` names it.",
    401: "Missing, invalid or revoked API key.",
    402: "Plan limits: no free sniper slot, or too few tokens.",
    404: "Unknown resource, or one owned by another account.",
    409: "Conflict with the resource's current state.",
    413: "Request body larger than the server's limit (64 KiB by default).",
    422: "Idempotency-Key reused with a different request.",
    429: "Rate limit of the account's plan exceeded; retry after `Retry-After` seconds.",
    426: "A WebSocket path asked over plain HTTP: connect with a WebSocket client (an HTTP/1.1 "
    "`Upgrade: websocket` handshake).",
}
_BEARER = HTTPBearer(
    scheme_name="BearerKey", auto_error=False, description="Authorization: Bearer <API key>"
)
_HEADER = APIKeyHeader(name="X-API-Key", scheme_name="HeaderKey", auto_error=False)
_QUERY = APIKeyQuery(name="apiKey", scheme_name="QueryKey", auto_error=False)
_RATE_HEADERS = {
    name: {"description": text, "schema": {"type": "integer"}}
    for name, text in (
        ("Retry-After", "Seconds until a request can pass again."),
        ("X-RateLimit-Limit", "Requests allowed per window."),
        ("X-RateLimit-Remaining", "Requests left in the current window."),
        ("X-RateLimit-Reset", "Unix seconds when one more request can pass."),
    )
}


class ErrorInfo(BaseModel):
    code: str = Field(examples=["UNKNOWN_TICKER"])
    message: str
    details: dict[str, Any]


class ErrorBody(BaseModel):
    """The sniper surface's error body (DESIGN.md "API surfaces")."""

    status: Literal["error"]
    request_id: str
    timestamp: str
    error: ErrorInfo


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` entries for a route: each status documented with `ErrorBody`."""
    return {
        status: {"model": ErrorBody, "description": DESCRIPTIONS[status]} for status in statuses
    }


async def documented_api_key(
    _bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_BEARER)],
    _header: Annotated[str | None, Security(_HEADER)],
    _query: Annotated[str | None, Security(_QUERY)],
) -> None:
    """A dependency of the auth dependency that only declares the three API key schemes in the
    OpenAPI document (so each authenticated operation lists them); reading the key is
    `sniper.accounts.auth.api_key_from`. Async so FastAPI runs it inline, not in a thread."""


def install(app: FastAPI, *, schemas: Mapping[str, Any] | None = None) -> None:
    """Make `app.openapi()` return the rewritten document (see the module docstring), with
    `app.webhooks` and `schemas` (name -> a type pydantic can describe, e.g. a union of frames
    no route returns) among the components."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                routes=app.routes,
                webhooks=app.webhooks.routes,
            )
            _add_schemas(document, schemas or {})
            _rewrite(document)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _add_schemas(document: dict[str, Any], schemas: Mapping[str, Any]) -> None:
    components = document.setdefault("components", {}).setdefault("schemas", {})
    for name, kind in schemas.items():
        generated = TypeAdapter(kind).json_schema(
            ref_template="#/components/schemas/{model}", mode="serialization"
        )
        for part, schema in generated.pop("$defs", {}).items():
            components.setdefault(part, schema)  # a route's own schema of a model stays
        components[name] = generated


def _rewrite(document: dict[str, Any]) -> None:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    if "ErrorBody" not in schemas:  # no route declared one itself
        generated = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(generated.pop("$defs", {}))
        schemas["ErrorBody"] = generated
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            _rewrite_operation(operation)
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)


def _rewrite_operation(operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation["responses"]
    default = responses.get("422", {}).get("content", {}).get("application/json", {})
    if default.get("schema", {}).get("$ref", "").endswith("/HTTPValidationError"):
        del responses["422"]  # the app-wide handler answers 400 (a route declaring 422 keeps it)
        responses.setdefault("400", _error(400))
    if any(p.get("in") == "path" for p in operation.get("parameters", [])):
        responses.setdefault("404", _error(404))
    if "requestBody" in operation:
        # FastAPI answers a body that is not UTF-8 with a 400 HTTPException on every surface.
        responses.setdefault("400", _error(400))
        responses.setdefault("413", _error(413))
    if operation.get("security"):
        responses.setdefault("401", _error(401))
        responses.setdefault("429", _error(429) | {"headers": _RATE_HEADERS})


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """The methods the OpenAPI document lists for the path template matching `path` (for the
    `Allow` header of a 405: Starlette names only the first route's methods)."""
    methods: set[str] = set()
    for template, operations in app.openapi().get("paths", {}).items():
        pattern = re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, path):
            methods.update(method.upper() for method in operations)
    return sorted(methods)


def _error(status: int) -> dict[str, Any]:
    content = {"application/json": {"schema": {"$ref": ERROR_REF}}}
    return {"description": DESCRIPTIONS[status], "content": content}
