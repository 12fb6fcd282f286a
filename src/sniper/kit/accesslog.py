"""One log line per HTTP request (issue 3 item 7), on the stdlib logger `sniper.access`.

    GET /api/v1/sniper/targets 200 3.2ms request_id=req_9f.. account=42

Fields: method, path (never the query string: `?apiKey=` carries a secret), status, wall time in
milliseconds from the first byte in to the last byte out, the request id the response carries in
`X-Request-ID`, and the authenticated account id (`-` when none). The same values ride on the log
record as `extra` attributes (`http_method`, `http_path`, `http_status`, `duration_ms`,
`request_id`, `account_id`) for structured handlers. An exception escaping the app is logged as
status 500 and re-raised.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sniper.kit.redact import RedactingFilter

logger = logging.getLogger("sniper.access")
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"  # every handler Sniper makes


class AccessLogMiddleware:
    """Pure ASGI middleware; the outermost layer so its clock covers every other one."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_and_record)
        finally:
            _log(scope, status, (time.perf_counter() - started) * 1000)


def _log(scope: Scope, status: int, duration_ms: float) -> None:
    if not logger.isEnabledFor(logging.INFO):
        return
    state: dict[str, Any] = scope.get("state") or {}
    request_id = state.get("request_id") or "-"
    account_id = state.get("account_id")
    method, path = scope.get("method", "-"), scope.get("path", "-")
    logger.info(
        "%s %s %d %.1fms request_id=%s account=%s",
        method,
        path,
        status,
        duration_ms,
        request_id,
        account_id if account_id is not None else "-",
        extra={
            "http_method": method,
            "http_path": path,
            "http_status": status,
            "duration_ms": round(duration_ms, 3),
            "request_id": request_id,
            "account_id": account_id,
        },
    )


def ensure_handler() -> None:
    """Give `sniper.access` a stderr handler at INFO, redacting secrets (`RedactingFilter`),
    when nothing else would print its lines.

    `sniper serve` and `sniper worker` configure `sniper.access` themselves (`sniper.cli.
    log_config`); under pytest (or an app that configured logging) the root logger has a
    handler; in both cases this does nothing.
    """
    if logger.hasHandlers():
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.addFilter(RedactingFilter())
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
