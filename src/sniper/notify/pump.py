"""What the WebSocket endpoints share: reading client frames, refusing a client, and the loop
that runs once a client is authenticated and subscribed.

A refusal is an error frame `{"type":"error","message":..}`, then the close with the same
message as its reason. Frames never echo client strings: a lone surrogate, which Python's
json accepts, cannot be encoded as UTF-8 and would make the send raise.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import WebSocket, WebSocketDisconnect
from starlette.websockets import WebSocketDisconnected

from sniper.kit.timefmt import iso_z
from sniper.notify.hub import Subscription, SubscriptionClosed

logger = logging.getLogger(__name__)
REVOKED = "API key revoked"
_CLIENT_GONE = (WebSocketDisconnect, WebSocketDisconnected, SubscriptionClosed)


class Refused(Exception):
    """Refuse the client with close `code` (4400-4499) and `message`: printable ASCII naming
    no client input, at most 123 bytes (it is also the close reason)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Recheck:
    """How `pump` re-checks the client's credentials: `still_valid()` every `every_seconds`."""

    still_valid: Callable[[], Awaitable[bool]]
    every_seconds: float


async def refuse(websocket: WebSocket, refused: Refused) -> None:
    """Send the error frame, then close with `refused.code`; a client already gone is fine."""
    with contextlib.suppress(WebSocketDisconnect, WebSocketDisconnected):
        await websocket.send_json({"type": "error", "message": refused.message})
        await websocket.close(code=refused.code, reason=refused.message)


async def receive_frame(websocket: WebSocket) -> dict[str, Any] | None:
    """The client's next frame as a JSON object, or None when it is not one (binary, not JSON,
    not an object, nested too deep for the parser). Raises `WebSocketDisconnect` when the
    client has left."""
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000), message.get("reason"))
    text = message.get("text")
    if not isinstance(text, str):
        return None
    try:
        frame = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return frame if isinstance(frame, dict) else None


async def pump(
    websocket: WebSocket,
    subscriptions: Sequence[Subscription],
    *,
    heartbeat_seconds: float,
    now: Callable[[], datetime],
    recheck: Recheck,
    until: str | None = None,
) -> bool:
    """Forward every subscription's messages, send `{"type":"heartbeat","timestamp"}` every
    `heartbeat_seconds`, answer `{"type":"ping"}` with `{"type":"pong"}`, and run `recheck`:
    once it fails, stop forwarding and refuse with 4401 "API key revoked". Return when the
    client disconnects, a send fails, the client was refused or it sent a frame of type
    `until`: True only in that last case (the caller answers it; the socket is still open).

    A recheck that raises (the database is down) keeps the socket open and is logged: the key
    was valid when checked last, and an outage must not drop every client."""
    watch = asyncio.create_task(until_revoked(recheck))
    read = asyncio.create_task(_read(websocket, until))
    tasks: list[asyncio.Task[Any]] = [
        asyncio.create_task(_forward(websocket, s)) for s in subscriptions
    ]
    tasks += [asyncio.create_task(_heartbeat(websocket, heartbeat_seconds, now)), read, watch]
    done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    await _cancel(pending)
    _log_failures(done)
    if watch in done and watch.exception() is None:
        await refuse(websocket, Refused(4401, REVOKED))
    return read in done and read.exception() is None and read.result()


async def _cancel(tasks: Iterable[asyncio.Task[Any]]) -> None:
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task


def _log_failures(tasks: Iterable[asyncio.Task[Any]]) -> None:
    """Log what ended a task other than the client leaving (retrieving every exception)."""
    for task in tasks:
        error = task.exception()
        if error is not None and not isinstance(error, _CLIENT_GONE):
            logger.error("WebSocket pump task failed", exc_info=error)


async def until_revoked(recheck: Recheck) -> None:
    """Return once `recheck.still_valid()` answers False (a check that raises is logged and
    keeps the connection; the Socket.IO streams share it)."""
    while True:
        await asyncio.sleep(recheck.every_seconds)
        try:
            if not await recheck.still_valid():
                return
        except Exception:
            logger.warning("WebSocket credential re-check failed; socket kept", exc_info=True)


async def _forward(websocket: WebSocket, subscription: Subscription) -> None:
    while True:
        await websocket.send_json(await subscription.get())


async def _heartbeat(websocket: WebSocket, interval: float, now: Callable[[], datetime]) -> None:
    while True:
        await asyncio.sleep(interval)
        await websocket.send_json({"type": "heartbeat", "timestamp": iso_z(now())})


async def _read(websocket: WebSocket, until: str | None) -> bool:
    """Answer pings until the client leaves (False) or sends a frame of type `until` (True)."""
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            frame = await receive_frame(websocket)
            kind = None if frame is None else frame.get("type")
            if kind == "ping":
                await websocket.send_json({"type": "pong"})
            elif until is not None and kind == until:
                return True
    return False
