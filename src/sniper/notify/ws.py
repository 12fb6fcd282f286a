"""WebSocket `/ws/main-api`: the owner's hits and target lifecycle events, pushed live.

Authenticate with `?apiKey=` or a first frame `{"type":"auth","api_key":..}` within 10 s. The
server answers `{"type":"authenticated","account_id":..}`, then sends
`{"type":"event","event":"sniper.filing_hit","data":{..webhook body..}}` (and
`sniper.target_activated` / `_expired` / `_stopped`), `{"type":"heartbeat","timestamp":..}` every
`SNIPER_WS_HEARTBEAT`, and `{"type":"pong"}` to `{"type":"ping"}`. A bad key closes with 4401.
"""

from __future__ import annotations

import asyncio
import json

from fastapi import APIRouter, WebSocket

from sniper.accounts.service import authenticate
from sniper.db.session import transaction
from sniper.kit.wspump import pump
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
        await pump(
            websocket,
            [subscription],
            heartbeat_seconds=runtime.settings.ws_heartbeat.total_seconds(),
            now=runtime.clock.now,
        )
