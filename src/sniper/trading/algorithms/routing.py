"""Error bodies of the algorithms surface: x3algo's `{"error": {"message", "code", "status",
"details", "requestId"}}` (seeds README "x3algo"; DESIGN.md "API surfaces").

`X3Route` (give it to a router as `route_class=`) catches, inside the route handler, every
`SniperError` (from the endpoint or a dependency: the 401 of `CurrentAccount`, its 429) and every
`RequestValidationError`, and renders them in that shape:

- validation failures → 400 `VALIDATION_ERROR`, `details.field` (the first bad field, dotted
  camelCase such as `riskParameters.maxDailyLoss`; `id`, `limit` for path and query
  parameters), `details.fields` (all of them) and `details.errors[{field, message}]`;
- a `SniperError` → its status; the code is x3algo's for that status (`VALIDATION_ERROR` 400,
  `UNAUTHORIZED` 401, `FORBIDDEN` 403, `NOT_FOUND` 404, `CONFLICT` 409,
  `UNPROCESSABLE_ENTITY` 422, `TOO_MANY_REQUESTS` 429), any other status keeps the error's own
  code. 401 adds `WWW-Authenticate: Bearer`, 429 `Retry-After`;
- an `HTTPException` FastAPI raises itself (400 for a body that is not UTF-8 or not JSON) →
  its status, same shape.

Every answer keeps `X-Request-ID` (the same value as `requestId`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException

from sniper.errors import SniperError
from sniper.kit.http import error_headers, request_id
from sniper.kit.surface import SurfaceRoute

CODES = {
    400: "VALIDATION_ERROR",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    409: "CONFLICT",
    422: "UNPROCESSABLE_ENTITY",
    429: "TOO_MANY_REQUESTS",
}
DESCRIPTIONS = {
    400: "`VALIDATION_ERROR`: invalid body, query or path parameter (`details.field`, "
    "`details.fields`), or a configuration that cannot start (`details.missingFields`).",
    401: "`UNAUTHORIZED`: missing, invalid or revoked API key.",
    403: "`FORBIDDEN`: the algorithm's state forbids it (active, daily loss limit reached).",
    404: "`NOT_FOUND`: unknown id, or one owned by another account.",
    409: "`CONFLICT`: the trading control plane blocks starting (paused, stopped, emergency).",
    422: "`UNPROCESSABLE_ENTITY`: the command does not apply to the algorithm's status.",
    429: "`TOO_MANY_REQUESTS`: rate limit of the account's plan; retry after `Retry-After`.",
}


class X3Error(BaseModel):
    """x3algo error object: `code` as in `CODES`, `status` the HTTP status."""

    model_config = ConfigDict(populate_by_name=True)

    message: str
    code: str
    status: int
    details: dict[str, Any]
    request_id: str = Field(alias="requestId")


class X3ErrorBody(BaseModel):
    """`{"error": {...}}`, the body of every error on the algorithms surface."""

    error: X3Error


def x3_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` entries documenting the x3algo error body for `statuses`."""
    return {
        status: {"model": X3ErrorBody, "description": DESCRIPTIONS[status]} for status in statuses
    }


def _response(
    request: Request,
    status: int,
    code: str,
    message: str,
    details: dict[str, Any],
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    rid = request_id(request)
    error = {
        "message": message,
        "code": code,
        "status": status,
        "details": jsonable_encoder(details),
        "requestId": rid,
    }
    merged = (headers or {}) | {"X-Request-ID": rid}
    return JSONResponse({"error": error}, status_code=status, headers=merged)


# Tags of the discriminated entry-condition union: pydantic puts them in `loc`, a user's JSON
# path does not have them.
UNION_TAGS = frozenset(
    {"indicator_value", "price_indicator", "indicator_indicator", "filing_event"}
)
LOCATIONS = frozenset({"body", "query", "path", "header"})


def field_path(location: Iterable[object]) -> str:
    """`("body", "riskParameters", "maxDailyLoss")` → `riskParameters.maxDailyLoss`; list
    indexes stay numbers (`entryConditions.conditions.0.period`); union tags are dropped;
    `body` when nothing is left."""
    parts = [str(part) for part in location if part not in LOCATIONS and part not in UNION_TAGS]
    return ".".join(parts) or "body"


def _entry(error: Any) -> dict[str, str]:
    """A body that is not JSON arrives as `loc` `("body",)` (`kit.http.validation_errors`)."""
    return {"field": field_path(error.get("loc", ())), "message": str(error.get("msg", "invalid"))}


def validation_details(errors: Iterable[Any]) -> tuple[str, dict[str, Any]]:
    """The message and `details` of a 400 `VALIDATION_ERROR` for pydantic / FastAPI errors:
    `field` (the first), `fields` (all, sorted), `errors[{field, message}]`."""
    entries = [_entry(error) for error in errors] or [
        {"field": "body", "message": "invalid request"}
    ]
    first = entries[0]
    fields = sorted({entry["field"] for entry in entries})
    details = {"field": first["field"], "fields": fields, "errors": entries}
    return f"{first['field']}: {first['message']}", details


def error_response(request: Request, error: SniperError) -> JSONResponse:
    """The x3algo body for `error` (see the module docstring)."""
    code = CODES.get(error.status, error.code)
    headers = error_headers(request, error)
    return _response(request, error.status, code, error.message, error.details, headers)


def _validation_response(request: Request, errors: Any) -> JSONResponse:
    message, details = validation_details(errors)
    return _response(request, 400, CODES[400], message, details)


def _http_response(request: Request, exc: HTTPException) -> JSONResponse:
    code = CODES.get(exc.status_code, "ERROR")
    return _response(request, exc.status_code, code, str(exc.detail), {}, dict(exc.headers or {}))


class X3Route(SurfaceRoute):
    """An `APIRoute` whose errors render in the x3algo shape (module docstring)."""

    render_validation = staticmethod(_validation_response)
    render_error = staticmethod(error_response)
    render_http = staticmethod(_http_response)
