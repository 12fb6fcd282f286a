"""The loop shared by the WebSocket endpoints once a client is authenticated and subscribed."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable, Sequence
from datetime import datetime

from fastapi import WebSocket, WebSocketDisconnect

from sniper.kit.timefmt import iso_z
from sniper.notify.hub import Subscription


async def pump(
    websocket: WebSocket,
    subscriptions: Sequence[Subscription],
    *,
    heartbeat_seconds: float,
    now: Callable[[], datetime],
) -> None:
    """Forward every subscription's messages, send `{"type":"heartbeat","timestamp"}` every
    `heartbeat_seconds`, answer `{"type":"ping"}` with `{"type":"pong"}`; return when the client
    disconnects or a send fails."""
    tasks = [asyncio.create_task(_forward(websocket, s)) for s in subscriptions]
    tasks += [
        asyncio.create_task(_heartbeat(websocket, heartbeat_seconds, now)),
        asyncio.create_task(_read(websocket)),
    ]
    _, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    for task in pending:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task


async def _forward(websocket: WebSocket, subscription: Subscription) -> None:
    while True:
        await websocket.send_json(await subscription.get())


async def _heartbeat(websocket: WebSocket, interval: float, now: Callable[[], datetime]) -> None:
    while True:
        await asyncio.sleep(interval)
        await websocket.send_json({"type": "heartbeat", "timestamp": iso_z(now())})


async def _read(websocket: WebSocket) -> None:
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            raw = await websocket.receive_text()
            with contextlib.suppress(ValueError):
                frame = json.loads(raw)
                if isinstance(frame, dict) and frame.get("type") == "ping":
                    await websocket.send_json({"type": "pong"})
