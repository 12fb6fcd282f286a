"""HTTP plumbing shared by the API surfaces: request ids and the error handlers.

Every response carries `X-Request-ID` (the caller's, when it sent a sane one). Request validation
failures are 400 on the sniper surface with a message naming the field; unexpected exceptions
are a 500 in the same body shape, never a stack trace. A 405 lists every method of the path in
`Allow`; a 429 carries `Retry-After`, and every rate-limited response the `X-RateLimit-*` headers
(`sniper.kit.ratelimit`). `install` also adds the body size limit (`sniper.kit.bodylimit`) and
the one-line-per-request access log (`sniper.kit.accesslog`).
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import structlog
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sniper.errors import BadRequest, SniperError, render_sniper
from sniper.kit.accesslog import AccessLogMiddleware
from sniper.kit.bodylimit import BodyLimitMiddleware
from sniper.kit.openapi import allowed_methods
from sniper.kit.timefmt import iso_z

logger = logging.getLogger(__name__)
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
UNEXPECTED = "Unexpected server-side failure"  # the message of every 500


def request_id(request: Request) -> str:
    """The request's id (`req_` + 32 hex when the caller sent none), fixed on first use."""
    return _state_request_id(request.scope.setdefault("state", {}))


def _state_request_id(state: dict[str, Any]) -> str:
    value: str = state.get("request_id") or "req_" + secrets.token_hex(16)
    state["request_id"] = value
    return value


class RequestIdMiddleware:
    """Pure ASGI: keep a sane incoming `X-Request-ID` (else make one), bind it for structured
    logs (`kit.logs`), put it on the response, with the `X-RateLimit-*` headers from
    `state["rate_limit_headers"]` (`sniper.kit.ratelimit.enforce`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state: dict[str, Any] = scope.setdefault("state", {})
        incoming = _header(scope, b"x-request-id")
        state["request_id"] = incoming if _REQUEST_ID.match(incoming) else ""

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Request-ID"] = _state_request_id(state)
                for name, value in state.get("rate_limit_headers", {}).items():
                    headers[name] = value
            await send(message)

        # the request id of every structured event logged inside the request (`kit.logs`)
        with structlog.contextvars.bound_contextvars(request_id=_state_request_id(state)):
            await self.app(scope, receive, send_with_headers)


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return ""


def error_headers(request: Request, error: SniperError) -> dict[str, str]:
    """The headers of an error answer on every surface: `X-Request-ID`, `WWW-Authenticate:
    Bearer` on 401, `Retry-After` on 429 (from `details.retry_after`), `Upgrade: websocket` on
    426."""
    headers = {"X-Request-ID": request_id(request)}
    if error.status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    if error.status == 429 and "retry_after" in error.details:
        headers["Retry-After"] = str(error.details["retry_after"])
    if error.status == 426:
        headers["Upgrade"] = "websocket"
    return headers


def _error_response(request: Request, error: SniperError) -> JSONResponse:
    runtime = getattr(request.app.state, "runtime", None)
    now = runtime.wall_clock.now() if runtime is not None else datetime.now(UTC)
    body = render_sniper(error, request_id=request_id(request), timestamp=iso_z(now))
    return JSONResponse(body, status_code=error.status, headers=error_headers(request, error))


def _field_of(location: tuple[object, ...]) -> str:
    parts = [str(part) for part in location if part not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    """`exc.errors()` with a body that is not JSON (FastAPI's `json_invalid`, whose `loc` is
    `("body", <character offset>)` and `msg` "JSON decode error") told in words: `loc`
    `("body",)`, `msg` e.g. "not valid JSON: Expecting value at line 1, column 2", `ctx`
    `{"line", "column"}` (1-based, as `json.JSONDecodeError` counts). Every surface's
    renderer reads these, so each names the field `body`."""
    return [_json_error(error, exc.body) for error in exc.errors()]


def _json_error(error: dict[str, Any], document: object) -> dict[str, Any]:
    if error.get("type") != "json_invalid":
        return error
    location = tuple(error.get("loc", ()))
    reason = str(error.get("ctx", {}).get("error", "JSON decode error"))
    offset = location[1] if len(location) > 1 else None
    if not isinstance(offset, int) or not isinstance(document, str):
        return error | {"loc": ("body",), "msg": f"not valid JSON: {reason}", "input": None}
    line = document.count("\n", 0, offset) + 1
    column = offset - document.rfind("\n", 0, offset)
    return error | {
        "loc": ("body",),
        "msg": f"not valid JSON: {reason} at line {line}, column {column}",
        "input": None,
        "ctx": {"error": reason, "line": line, "column": column},
    }


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = validation_errors(exc)
    first = errors[0] if errors else {"loc": ("body",), "msg": "invalid request"}
    field = _field_of(tuple(first.get("loc", ("body",))))
    message = f"{field}: {first.get('msg', 'invalid value')}"
    fields = sorted({_field_of(tuple(e.get("loc", ()))) for e in errors})
    return _error_response(request, BadRequest(message, details={"field": field, "fields": fields}))


async def _sniper_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SniperError)
    return _error_response(request, exc)


HttpRenderer = Callable[[Request, StarletteHTTPException], Response]


def render_unmatched(app: FastAPI, prefix: str, render: HttpRenderer) -> None:
    """Answer an `HTTPException` raised outside any route under the path `prefix` (an unknown
    path: 404, a method the path lacks: 405) with `render`, the surface's own error body,
    instead of the sniper envelope. Errors inside a route are the route class's
    (`sniper.kit.surface`)."""
    renderers: list[tuple[str, HttpRenderer]] = getattr(app.state, "http_renderers", [])
    app.state.http_renderers = [*renderers, (prefix.rstrip("/"), render)]


def _renderer(request: Request) -> HttpRenderer | None:
    path = request.url.path
    for prefix, render in getattr(request.app.state, "http_renderers", []):
        if path == prefix or path.startswith(prefix + "/"):
            return render  # type: ignore[no-any-return]
    return None


def _sniper_http(request: Request, exc: StarletteHTTPException) -> Response:
    error = SniperError(str(exc.detail), code="NOT_FOUND" if exc.status_code == 404 else "ERROR")
    error.status = exc.status_code
    response = _error_response(request, error)
    response.headers.update(exc.headers or {})
    return response


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    response = (_renderer(request) or _sniper_http)(request, exc)
    methods = allowed_methods(request.app, request.url.path) if exc.status_code == 405 else []
    if methods:  # RFC 9110: `Allow` lists every method of the resource, not one route's
        response.headers["Allow"] = ", ".join(methods)
    return response


async def _unexpected(request: Request, exc: Exception) -> Response:
    logger.exception("unhandled error on %s %s", request.method, request.url.path)
    return _error_response(request, SniperError(UNEXPECTED))


def install(app: FastAPI, *, max_body_bytes: int = 64 * 1024) -> None:
    """Register the error handlers and, outermost first, the access log, the request-id
    middleware (which also copies `request.state.rate_limit_headers` onto the response) and the
    body size limit on `app`."""
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(SniperError, _sniper_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
    app.add_middleware(BodyLimitMiddleware, max_bytes=max_body_bytes)
    app.add_middleware(RequestIdMiddleware)
    app.add_middleware(AccessLogMiddleware)
