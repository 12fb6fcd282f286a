"""WebSocket `/ws/main-api`: the owner's hits and target lifecycle events, pushed live.

Authenticate with `?apiKey=` or a first frame `{"type":"auth","api_key":..}` within 10 s. The
server answers `{"type":"authenticated","account_id":..}`, then sends
`{"type":"event","event":"sniper.filing_hit","data":{..webhook body..}}` (and
`sniper.target_activated` / `_expired` / `_stopped`), `{"type":"heartbeat","timestamp":..}` every
`SNIPER_WS_HEARTBEAT`, and `{"type":"pong"}` to `{"type":"ping"}`. A bad key closes with 4401.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from sniper.accounts.service import authenticate
from sniper.db.session import transaction
from sniper.kit.timefmt import iso_z
from sniper.runtime import Runtime

router = APIRouter()
AUTH_TIMEOUT_SECONDS = 10.0


async def _first_frame_key(websocket: WebSocket) -> str | None:
    try:
        raw = await asyncio.wait_for(websocket.receive_text(), AUTH_TIMEOUT_SECONDS)
        frame = json.loads(raw)
    except (TimeoutError, ValueError):
        return None
    if isinstance(frame, dict) and frame.get("type") == "auth":
        key = frame.get("api_key") or frame.get("apiKey")
        return key if isinstance(key, str) else None
    return None


async def _account_id(runtime: Runtime, api_key: str | None) -> int | None:
    if not api_key:
        return None
    async with transaction(runtime.sessions) as session:
        account = await authenticate(session, api_key, secret_key=runtime.settings.secret_key)
        return account.id if account else None


@router.websocket("/ws/main-api")
async def main_api(websocket: WebSocket) -> None:
    runtime: Runtime = websocket.app.state.runtime
    await websocket.accept()
    api_key = websocket.query_params.get("apiKey") or await _first_frame_key(websocket)
    account_id = await _account_id(runtime, api_key)
    if account_id is None:
        await websocket.send_json({"type": "error", "message": "invalid or missing API key"})
        await websocket.close(code=4401)
        return
    await websocket.send_json({"type": "authenticated", "account_id": account_id})
    with runtime.hub.subscribe(account_id) as subscription:
        tasks = [
            asyncio.create_task(_forward(websocket, subscription)),
            asyncio.create_task(_heartbeat(websocket, runtime)),
            asyncio.create_task(_read(websocket)),
        ]
        _, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        for task in pending:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


async def _forward(websocket: WebSocket, subscription: Any) -> None:
    while True:
        await websocket.send_json(await subscription.get())


async def _heartbeat(websocket: WebSocket, runtime: Runtime) -> None:
    interval = runtime.settings.ws_heartbeat.total_seconds()
    while True:
        await asyncio.sleep(interval)
        await websocket.send_json({"type": "heartbeat", "timestamp": iso_z(runtime.clock.now())})


async def _read(websocket: WebSocket) -> None:
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            raw = await websocket.receive_text()
            with contextlib.suppress(ValueError):
                frame = json.loads(raw)
                if isinstance(frame, dict) and frame.get("type") == "ping":
                    await websocket.send_json({"type": "pong"})
