"""WebSocket `/ws/subscribe`: trading-control changes pushed live, as on
docs.55-tech.com/mm-api/websocket (and its API reference page, `real-time-subscription-websocket`).

1. Within `SUBSCRIBE_TIMEOUT_SECONDS` (30 s) of connecting the client sends
   `{"type":"subscribe","apiKey":"<key>","channels":[..]}`; `api_key` is accepted for `apiKey`
   (the older page's spelling). Channels: the documented `orders`, `bets`, `accounts`,
   `scores`, `emergency`, plus our `trading`; no `channels`: all of them. `{"type":"ping"}`
   before it is answered; anything else is an error.
2. The server answers `{"type":"subscribed","subscriptionId":<int>,"channels":[..],
   "client":"<account id>"}`: the granted channels in the order above; `subscriptionId` is
   unique in this process; `client` is our addition.
3. Then `{"type":"broadcast","channel":..,"event":"UPDATE","payload":{..},"old":{..}}`
   (`push.Broadcast`): channel `emergency` (global: every subscriber) carries every
   system-flag change with the system status as payload; channel `trading` carries the
   client's own applied commands with its status as payload. Sniper places no orders or bets
   and keeps no scores or balances, so `orders`, `bets`, `accounts` and `scores` are accepted
   and stay silent.
4. `{"type":"ping"}` → `{"type":"pong"}`; the server sends `{"type":"heartbeat","timestamp":..}`
   every `HEARTBEAT_SECONDS` (60 s). `{"type":"unsubscribe"}` ends the subscription: the
   server answers `{"type":"unsubscribed","subscriptionId":..}` and closes with 1000.

Refusals send `{"type":"error","message":..}`, then close with the message as reason. The
messages are the documented ones (docs.55-tech.com/mm-api/errors, "WebSocket errors"); the
page gives no close codes, these are ours: 4401 "apiKey required" (missing or empty),
"Invalid apiKey format" (not a string), "Invalid API key" (unknown or revoked; an open socket
re-checks its key every `SNIPER_WS_AUTH_RECHECK`, 5 s, and closes with reason "API key
revoked" once it is revoked, also by another process); 4429 "Connection limit exceeded"
(`SNIPER_WS_MAX_CONNECTIONS_PER_ACCOUNT`, 5 per account over both WebSocket endpoints in this
process) or a connect over the account's rate limit (each connect counts as a request); 4400
bad frame or unknown channel; 4408 no subscribe frame in time. A plain HTTP GET answers 426
`{"detail":..}`. Admission is `sniper.notify.ws.admitted`, as on `/ws/main-api`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from starlette.websockets import WebSocketDisconnected

from sniper.notify.pump import Refused, pump, receive_frame, refuse
from sniper.notify.ws import Admission, add_handshake, admitted
from sniper.runtime import Runtime
from sniper.trading.control.push import GLOBAL, control_hub
from sniper.trading.control.routing import DetailBody, DetailRoute, detail_responses

router = APIRouter(route_class=DetailRoute)  # the handshake route's 426 is `{"detail": ..}`
SUBSCRIBE_TIMEOUT_SECONDS = 30.0
HEARTBEAT_SECONDS = 60.0
CHANNELS = ("orders", "bets", "accounts", "scores", "emergency", "trading")
_subscription_ids = itertools.count(1)


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


def _api_key(frame: dict[str, Any]) -> str:
    """The frame's `apiKey` (or `api_key`); raises `Refused` 4401 with the documented
    message when it is missing or not a string."""
    key = frame["apiKey"] if "apiKey" in frame else frame.get("api_key")
    if key is None or key == "":
        raise Refused(4401, "apiKey required")
    if not isinstance(key, str):
        raise Refused(4401, "Invalid apiKey format")
    return key


def _channels(frame: dict[str, Any]) -> list[str]:
    """The requested channels in `CHANNELS` order; raises `Refused` 4400. The message never
    names what the client sent (it may hold a lone surrogate, which cannot be sent)."""
    requested = frame.get("channels") or list(CHANNELS)
    if not isinstance(requested, list) or not all(isinstance(c, str) for c in requested):
        raise Refused(4400, "channels must be a list of strings")
    if not set(requested) <= set(CHANNELS):
        raise Refused(4400, f"unknown channels: the channels are {', '.join(CHANNELS)}")
    return [channel for channel in CHANNELS if channel in requested]


add_handshake(
    router,
    "/ws/subscribe",
    body=DetailBody,
    summary="trading-control changes",
    errors=detail_responses(422),
)


@router.websocket("/ws/subscribe")
async def subscribe(websocket: WebSocket) -> None:
    runtime: Runtime = websocket.app.state.runtime
    await websocket.accept()
    try:
        frame = await _subscribe_frame(websocket)
        key = _api_key(frame)
        channels = _channels(frame)
        async with admitted(
            runtime, key, invalid="Invalid API key", full="Connection limit exceeded"
        ) as admission:
            await _serve(websocket, runtime, admission, channels)
    except Refused as refused:
        await refuse(websocket, refused)
    except WebSocketDisconnect:
        return


async def _serve(
    websocket: WebSocket, runtime: Runtime, admission: Admission, channels: list[str]
) -> None:
    hub = control_hub(runtime)
    keys = {"emergency": GLOBAL, "trading": admission.account_id}
    subscriptions = [hub.subscribe(keys[channel]) for channel in channels if channel in keys]
    subscription_id = next(_subscription_ids)
    try:
        ack = {
            "type": "subscribed",
            "subscriptionId": subscription_id,
            "channels": channels,
            "client": str(admission.account_id),
        }
        await websocket.send_json(ack)
        unsubscribed = await pump(
            websocket,
            subscriptions,
            heartbeat_seconds=HEARTBEAT_SECONDS,
            now=runtime.clock.now,
            recheck=admission.recheck,
            until="unsubscribe",
        )
    finally:
        for subscription in subscriptions:
            subscription.close()
    if unsubscribed:
        with contextlib.suppress(WebSocketDisconnect, WebSocketDisconnected):
            await websocket.send_json({"type": "unsubscribed", "subscriptionId": subscription_id})
            await websocket.close(code=1000)
