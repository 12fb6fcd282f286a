"""WebSocket `/ws/subscribe`: trading-control changes pushed live, 55-tech style (seeds README).

1. Within `SUBSCRIBE_TIMEOUT_SECONDS` (30 s) of connecting the client sends
   `{"type":"subscribe","apiKey":"<key>","channels":["emergency","trading"]}` (no `channels`:
   both). `{"type":"ping"}` before it is answered; anything else is an error.
2. The server answers `{"type":"subscribed","client":"<account id>","channels":[..]}`.
3. Then `{"type":"broadcast","channel":..,"event":<result code>,"payload":{..}}`: channel
   `emergency` (global: every subscriber) carries every system-flag change with the system status
   as payload (`event` e.g. `emergency_applied`, `emergency_cleared`); channel `trading` carries
   the client's own applied commands with its status as payload (`event` e.g. `stop_applied`).
4. `{"type":"ping"}` → `{"type":"pong"}`; the server sends `{"type":"heartbeat","timestamp":..}`
   every `HEARTBEAT_SECONDS` (60 s).

Refusals send `{"type":"error","message":..}`, then close with the message as reason. Close
codes: 4401 bad, missing or revoked key (an open socket re-checks its key every
`SNIPER_WS_AUTH_RECHECK`, 5 s, and closes with reason "API key revoked" once it is revoked,
also by another process); 4429 too many connections (`SNIPER_WS_MAX_CONNECTIONS_PER_ACCOUNT`,
5 per account over both WebSocket endpoints in this process) or a connect over the account's
rate limit (each connect counts as a request); 4400 bad frame or unknown channel; 4408 no
subscribe frame in time. Admission is `sniper.notify.ws.admitted`, as on `/ws/main-api`.
Changes made in other processes (the CLI) are not pushed.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from sniper.notify.pump import Refused, pump, receive_frame, refuse
from sniper.notify.ws import Admission, add_handshake, admitted
from sniper.runtime import Runtime
from sniper.trading.control.push import GLOBAL, control_hub
from sniper.trading.control.routing import DetailBody, DetailRoute

router = APIRouter(route_class=DetailRoute)  # the handshake route's 426 is `{"detail": ..}`
SUBSCRIBE_TIMEOUT_SECONDS = 30.0
HEARTBEAT_SECONDS = 60.0
CHANNELS = ("emergency", "trading")


async def _subscribe_frame(websocket: WebSocket) -> dict[str, Any]:
    """The subscribe frame, answering pings before it; raises `Refused`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + SUBSCRIBE_TIMEOUT_SECONDS
    while True:
        try:
            frame = await asyncio.wait_for(receive_frame(websocket), deadline - loop.time())
        except TimeoutError:
            raise Refused(
                4408, f"no subscribe frame within {SUBSCRIBE_TIMEOUT_SECONDS:g} s"
            ) from None
        if frame is None:
            raise Refused(4400, "frames must be JSON objects")
        kind = frame.get("type")
        if kind == "ping":
            await websocket.send_json({"type": "pong"})
        elif kind == "subscribe":
            return dict(frame)
        else:
            raise Refused(4400, "expected a subscribe frame")


def _channels(frame: dict[str, Any]) -> list[str]:
    """The requested channels in `CHANNELS` order; raises `Refused` 4400. The message never
    names what the client sent (it may hold a lone surrogate, which cannot be sent)."""
    requested = frame.get("channels") or list(CHANNELS)
    if not isinstance(requested, list) or not all(isinstance(c, str) for c in requested):
        raise Refused(4400, "channels must be a list of strings")
    if not set(requested) <= set(CHANNELS):
        raise Refused(4400, f"unknown channels: the channels are {', '.join(CHANNELS)}")
    return [channel for channel in CHANNELS if channel in requested]


add_handshake(router, "/ws/subscribe", body=DetailBody, summary="trading-control changes")


@router.websocket("/ws/subscribe")
async def subscribe(websocket: WebSocket) -> None:
    runtime: Runtime = websocket.app.state.runtime
    await websocket.accept()
    try:
        frame = await _subscribe_frame(websocket)
        key = frame.get("apiKey")
        async with admitted(runtime, key, invalid="invalid or missing apiKey") as admission:
            await _serve(websocket, runtime, admission, _channels(frame))
    except Refused as refused:
        await refuse(websocket, refused)
    except WebSocketDisconnect:
        return


async def _serve(
    websocket: WebSocket, runtime: Runtime, admission: Admission, channels: list[str]
) -> None:
    hub = control_hub(runtime)
    keys = [GLOBAL if channel == "emergency" else admission.account_id for channel in channels]
    subscriptions = [hub.subscribe(key) for key in keys]
    try:
        ack = {"type": "subscribed", "client": str(admission.account_id), "channels": channels}
        await websocket.send_json(ack)
        await pump(
            websocket,
            subscriptions,
            heartbeat_seconds=HEARTBEAT_SECONDS,
            now=runtime.clock.now,
            recheck=admission.recheck,
        )
    finally:
        for subscription in subscriptions:
            subscription.close()
