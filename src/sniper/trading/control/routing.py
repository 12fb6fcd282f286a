"""Error bodies of the trading-control surface: FastAPI style `{"detail": ...}` (DESIGN.md "API
surfaces", seeds README "55-tech"), whatever the app-wide handlers render elsewhere.

`DetailRoute` (give it to a router as `route_class=`) catches, inside the route handler, every
`SniperError` (from the endpoint or a dependency, e.g. the 401 of `CurrentAccount` and the 404 of
`AdminAccount`) and every `RequestValidationError`:

- validation failures → 422 `{"detail": [{"type","loc","msg","input",..}]}`, FastAPI's own shape;
  a 422 `SniperError` with `details.field` becomes one such entry (`loc` `["body", field]`);
- any other `SniperError` → its status with `{"detail": "<message>"}` (401 adds
  `WWW-Authenticate: Bearer`, 429 adds `Retry-After`);
- an `HTTPException` FastAPI raises itself (400 "There was an error parsing the body" for a
  body that is not UTF-8) → its status and `{"detail": ..}`, as FastAPI answers it.

Every answer keeps `X-Request-ID`. A rendered error rolls the request's transaction back
(`kit.surface`); a refused control command keeps its audit row because its endpoint returns
the 409 (`error_response`) instead of raising it.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from sniper.errors import SniperError
from sniper.kit.http import error_headers, request_id
from sniper.kit.surface import SurfaceRoute
from sniper.kit.text import echoable

DESCRIPTIONS = {
    400: "A request body that cannot be read (not UTF-8).",
    401: "Missing, invalid or revoked API key.",
    404: "Not found (admin paths answer 404 to accounts that are not admins).",
    409: "The system flags block this command (resume or start during emergency, system stop "
    "or soft pause).",
    422: "Invalid body or query parameter (FastAPI's validation error list).",
    429: "Rate limit of the account's plan exceeded; retry after `Retry-After` seconds.",
}


class DetailBody(BaseModel):
    detail: str


class ValidationDetail(BaseModel):
    type: str
    loc: list[str | int]
    msg: str
    input: Any = None


class ValidationBody(BaseModel):
    detail: list[ValidationDetail]


def detail_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` entries documenting the `{"detail": ...}` bodies of `statuses`."""
    return {
        status: {
            "model": ValidationBody if status == 422 else DetailBody,
            "description": DESCRIPTIONS[status],
        }
        for status in statuses
    }


def validation_response(request: Request, errors: Any) -> JSONResponse:
    """422 `{"detail": [...]}`; an `input` no JSON body can carry back (a lone surrogate,
    `1e999`) is echoed as null."""
    detail = [entry | {"input": echoable(entry.get("input"))} for entry in jsonable_encoder(errors)]
    return JSONResponse(
        {"detail": detail},
        status_code=422,
        headers={"X-Request-ID": request_id(request)},
    )


def error_response(request: Request, error: SniperError) -> JSONResponse:
    """`{"detail": ...}` for `error` (see the module docstring)."""
    if error.status == 422:
        field = str(error.details.get("field", ""))
        entry = {
            "type": "value_error",
            "loc": ["body", field] if field else ["body"],
            "msg": error.message,
            "input": error.details.get("input"),
        }
        return validation_response(request, [entry])
    headers = error_headers(request, error)
    return JSONResponse({"detail": error.message}, status_code=error.status, headers=headers)


def _http_response(request: Request, exc: HTTPException) -> JSONResponse:
    headers = dict(exc.headers or {}) | {"X-Request-ID": request_id(request)}
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=headers)


class DetailRoute(SurfaceRoute):
    """An `APIRoute` whose errors render as `{"detail": ...}` (module docstring)."""

    render_validation = staticmethod(validation_response)
    render_error = staticmethod(error_response)
    render_http = staticmethod(_http_response)
