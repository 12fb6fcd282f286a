"""Helpers of the WebSocket hardening tests (issue 10): the app under a real uvicorn, clients
of `/ws/main-api` and `/ws/subscribe`, and what a refused client sees."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import websockets
from websockets.asyncio.client import ClientConnection

from sniper.app import ServeOptions, create_app
from sniper.clock import ManualClock
from sniper.config import Settings
from tests.conftest import REPLAY_NOON, Harness
from tests.support.live_server import serve

DEADLINE_SECONDS = 30.0  # generous: the suite runs on a loaded two-core machine


@dataclass
class Live:
    """The app served by uvicorn: its harness (HTTP client on the live URL) and `ws://` base."""

    h: Harness
    ws_base: str

    async def main_api(self, key: str) -> ClientConnection:
        """A `/ws/main-api` client authenticated with `?apiKey=`; raises if it was refused."""
        ws = await websockets.connect(f"{self.ws_base}/ws/main-api?apiKey={key}")
        frame = json.loads(await ws.recv())
        assert frame["type"] == "authenticated", frame
        return ws

    async def subscribe(self, key: str) -> ClientConnection:
        """A `/ws/subscribe` client subscribed to both channels; raises if it was refused."""
        ws = await websockets.connect(f"{self.ws_base}/ws/subscribe")
        await ws.send(json.dumps({"type": "subscribe", "apiKey": key}))
        frame = json.loads(await ws.recv())
        assert frame["type"] == "subscribed", frame
        return ws


@contextlib.asynccontextmanager
async def live(settings: Settings, **overrides: Any) -> AsyncIterator[Live]:
    """Serve the app (API only, manual clock) on `settings` with `overrides` applied."""
    clock = ManualClock(REPLAY_NOON)
    options = ServeOptions(mode="off", clock=clock, run_workers=False)
    app = create_app(settings.model_copy(update=overrides), options)
    async with serve(app) as base, httpx.AsyncClient(base_url=base) as client:
        h = Harness(app, app.state.runtime, app.state.watcher, client, clock)
        yield Live(h, base.replace("http", "ws"))


async def frames_until_closed(ws: ClientConnection) -> list[dict[str, Any]]:
    """Every frame the server sends until it closes the socket (fails after the deadline)."""
    frames: list[dict[str, Any]] = []
    async with asyncio.timeout(DEADLINE_SECONDS):
        with contextlib.suppress(websockets.ConnectionClosed):
            while True:
                frames.append(json.loads(await ws.recv()))
    return frames


async def refusal(ws: ClientConnection) -> tuple[dict[str, Any], int | None, str | None]:
    """(the last frame before the close, close code, close reason) of a refused socket."""
    frames = await frames_until_closed(ws)
    assert frames, "closed without an error frame"
    return frames[-1], ws.close_code, ws.close_reason


async def wait_for(condition: Callable[[], bool]) -> None:
    """Poll `condition` until it holds; fail after the deadline."""
    async with asyncio.timeout(DEADLINE_SECONDS):
        while not condition():
            await asyncio.sleep(0.02)
