"""Request body size limit (issue 3 item 7): bodies over `max_bytes` get 413 in the sniper shape.

A pure ASGI middleware. A `Content-Length` over the limit is refused before anything is read;
otherwise the body is read here (at most `max_bytes` + one chunk, so chunked uploads are capped
too) and replayed to the app in one message. 64 KiB (`SNIPER_MAX_BODY_BYTES`) is far above any
request this API takes: a create-target body is a few hundred bytes.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sniper.errors import PayloadTooLarge, render_sniper
from sniper.kit.timefmt import iso_z


class BodyLimitMiddleware:
    """Refuse HTTP request bodies longer than `max_bytes` with 413 `PAYLOAD_TOO_LARGE`."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if _declared_length(scope) > self.max_bytes:
            await self._refuse(scope, send)
            return
        body, more = bytearray(), True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                await self.app(scope, _replay({**message}, receive), send)
                return
            body += message.get("body", b"")
            more = bool(message.get("more_body", False))
            if len(body) > self.max_bytes:
                await self._refuse(scope, send)
                return
        replayed: Message = {"type": "http.request", "body": bytes(body), "more_body": False}
        await self.app(scope, _replay(replayed, receive), send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        error = PayloadTooLarge(
            f"Request body is larger than {self.max_bytes} bytes",
            details={"max_bytes": self.max_bytes},
        )
        state: dict[str, Any] = scope.setdefault("state", {})
        rid = state.get("request_id") or "req_" + uuid.uuid4().hex
        state["request_id"] = rid  # the request-id middleware sends this same id
        body = render_sniper(error, request_id=rid, timestamp=iso_z(datetime.now(UTC)))
        payload = json.dumps(body).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(payload)).encode()),
            (b"connection", b"close"),
        ]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": payload})


def _declared_length(scope: Scope) -> int:
    """The `Content-Length` header as an int; 0 when absent or unreadable."""
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 0
    return 0


def _replay(first: Message, receive: Receive) -> Receive:
    """A `receive` that returns `first` once, then defers to the real one (disconnects)."""
    pending: list[Message] = [first]

    async def replay() -> Message:
        return pending.pop() if pending else await receive()

    return replay
