"""`events()`: a `/ws/main-api` stream that survives disconnects without losing an event.

Each connection authenticates with a first `auth` frame (the key stays out of URLs and logs)
and asks `?last_event_id=N`, N being the id of the last event yielded (or, before any, the
`last_event_id` of the first `authenticated` frame: the server's position when the stream
began). The server replays its logged events after N, then sends live ones; ids at or below
N are skipped, so each event is yielded once, in id order.

A connection that fails or closes is retried after `Backoff` delays: `initial` seconds,
doubled per failure up to `maximum`, with up to `jitter` (a fraction) added at random; a
connection that authenticated resets the delay. The server refusing the key (close 4401) or
the `last_event_id` (4400) raises `AuthError` / `BadRequestError` instead of retrying: those
do not heal. Events older than the server's log (`SNIPER_WS_EVENT_LOG_SIZE` / `_AGE`) are gone.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection

from sniper.client.errors import AuthError, BadRequestError
from sniper.client.models import Event
from sniper.client.transport import Connection

PATH = "/ws/main-api"
FATAL = {4401: (AuthError, 401, "UNAUTHORIZED"), 4400: (BadRequestError, 400, "BAD_REQUEST")}


@dataclass(frozen=True)
class Backoff:
    """Reconnect delays in seconds: `initial` * 2**failures, at most `maximum`, plus up to
    `jitter` of it at random."""

    initial: float = 0.5
    maximum: float = 30.0
    jitter: float = 0.1

    def delay(self, failures: int) -> float:
        base = min(self.maximum, self.initial * 2.0 ** min(failures, 30))
        return float(base * (1 + random.uniform(0, self.jitter)))


class _Refused(Exception):
    """The server sent an error frame; `code` is the close code that followed."""

    def __init__(self, code: int | None, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


async def events(
    connection: Connection, *, last_event_id: int | None = None, backoff: Backoff | None = None
) -> AsyncGenerator[Event, None]:
    """Yield the account's events forever (see the module docstring); raises `AuthError` or
    `BadRequestError` when the server refuses the key or `last_event_id`."""
    policy = backoff or Backoff()
    position = last_event_id
    failures = 0
    while True:
        try:
            async with _connect(connection, position) as ws:
                position = await _authenticate(ws, connection.api_key, position)
                failures = 0
                async for event in _frames(ws):
                    if event.id > position:
                        position = event.id
                        yield event
        except _Refused as refused:
            _raise_fatal(refused)
        except (OSError, TimeoutError, websockets.ConnectionClosed, websockets.InvalidHandshake):
            pass
        await asyncio.sleep(policy.delay(failures))
        failures += 1


def _connect(connection: Connection, position: int | None) -> websockets.connect:
    url = connection.ws_url(PATH)
    if position is not None:
        url += f"?last_event_id={position}"
    return websockets.connect(url, open_timeout=connection.timeout, max_size=2**24)


async def _authenticate(ws: ClientConnection, api_key: str, position: int | None) -> int:
    """Send the auth frame and return the position to skip through; raises `_Refused`."""
    with contextlib.suppress(websockets.ConnectionClosed):
        # a server refusing `last_event_id` may have closed already: its error frame is
        # still buffered and `_next` reads it
        await ws.send(json.dumps({"type": "auth", "api_key": api_key}))
    frame = await _next(ws)
    if frame.get("type") != "authenticated":
        raise websockets.ConnectionClosedError(None, None)
    if position is not None:
        return position
    start = frame.get("last_event_id")
    return start if isinstance(start, int) else 0


async def _frames(ws: ClientConnection) -> AsyncIterator[Event]:
    """The connection's event frames until it closes (heartbeats and pongs skipped)."""
    while True:
        frame = await _next(ws)
        if frame.get("type") == "event" and isinstance(frame.get("id"), int):
            yield Event.model_validate(frame)


async def _next(ws: ClientConnection) -> dict[str, Any]:
    """The next JSON object frame; an error frame raises `_Refused` with the close code."""
    while True:
        raw = await ws.recv()
        try:
            frame = json.loads(raw)
        except ValueError:
            continue
        if not isinstance(frame, dict):
            continue
        if frame.get("type") == "error":
            await ws.wait_closed()
            raise _Refused(ws.close_code, str(frame.get("message", "refused")))
        return frame


def _raise_fatal(refused: _Refused) -> None:
    """Raise the client error of a refusal that retrying cannot heal; return otherwise."""
    fatal = FATAL.get(refused.code or 0)
    if fatal is not None:
        kind, status, code = fatal
        raise kind(status, code, refused.message) from refused
