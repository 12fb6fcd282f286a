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

Close codes: 4401 bad or missing key, 4400 bad frame or unknown channel, 4408 no subscribe frame
in time. Changes made in other processes (the CLI) are not pushed.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from sniper.accounts.service import authenticate
from sniper.db.session import transaction
from sniper.kit.wspump import pump
from sniper.runtime import Runtime
from sniper.trading.control.push import GLOBAL, control_hub

router = APIRouter()
SUBSCRIBE_TIMEOUT_SECONDS = 30.0
HEARTBEAT_SECONDS = 60.0
CHANNELS = ("emergency", "trading")


class _Refused(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


async def _subscribe_frame(websocket: WebSocket) -> dict[str, Any]:
    """The subscribe frame, answering pings before it; raises `_Refused`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + SUBSCRIBE_TIMEOUT_SECONDS
    while True:
        try:
            raw = await asyncio.wait_for(websocket.receive_text(), deadline - loop.time())
            frame = json.loads(raw)
        except TimeoutError:
            raise _Refused(
                4408, f"no subscribe frame within {SUBSCRIBE_TIMEOUT_SECONDS:g} s"
            ) from None
        except ValueError:
            raise _Refused(4400, "frames must be JSON objects") from None
        kind = frame.get("type") if isinstance(frame, dict) else None
        if kind == "ping":
            await websocket.send_json({"type": "pong"})
        elif kind == "subscribe":
            return dict(frame)
        else:
            raise _Refused(4400, "expected a subscribe frame")


def _channels(frame: dict[str, Any]) -> list[str]:
    requested = frame.get("channels") or list(CHANNELS)
    if not isinstance(requested, list) or not all(isinstance(c, str) for c in requested):
        raise _Refused(4400, "channels must be a list of strings")
    unknown = sorted(set(requested) - set(CHANNELS))
    if unknown:
        raise _Refused(4400, f"unknown channels: {', '.join(unknown)}")
    return [channel for channel in CHANNELS if channel in requested]


async def _account_id(runtime: Runtime, api_key: object) -> int:
    if isinstance(api_key, str) and api_key:
        async with transaction(runtime.sessions) as session:
            account = await authenticate(session, api_key, secret_key=runtime.settings.secret_key)
            if account is not None:
                return account.id
    raise _Refused(4401, "invalid or missing apiKey")


@router.websocket("/ws/subscribe")
async def subscribe(websocket: WebSocket) -> None:
    runtime: Runtime = websocket.app.state.runtime
    await websocket.accept()
    try:
        frame = await _subscribe_frame(websocket)
        account_id = await _account_id(runtime, frame.get("apiKey"))
        channels = _channels(frame)
    except _Refused as refused:
        await websocket.send_json({"type": "error", "message": refused.message})
        await websocket.close(code=refused.code)
        return
    except WebSocketDisconnect:
        return
    hub = control_hub(runtime)
    keys = [GLOBAL if channel == "emergency" else account_id for channel in channels]
    subscriptions = [hub.subscribe(key) for key in keys]
    try:
        ack = {"type": "subscribed", "client": str(account_id), "channels": channels}
        await websocket.send_json(ack)
        await pump(
            websocket, subscriptions, heartbeat_seconds=HEARTBEAT_SECONDS, now=runtime.clock.now
        )
    finally:
        for subscription in subscriptions:
            subscription.close()
