"""`/ws/subscribe` under a real uvicorn: the emergency broadcast reaches every subscriber when an
admin sets and clears it; `trading` frames reach only their client; ping/pong, heartbeat, and
the refusals (seeds README "55-tech")."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import websockets

from sniper.app import ServeOptions, create_app
from sniper.clock import ManualClock
from sniper.config import Settings
from sniper.trading.control import ws as control_ws
from tests.conftest import Harness
from tests.notify.ws_support import wait_for
from tests.support.live_server import serve
from tests.trading.support import admin, auth, call


@pytest.fixture
async def live(settings: Settings, clock: ManualClock) -> AsyncIterator[tuple[Harness, str]]:
    """The app under uvicorn; yields (harness with an HTTP client on it, ws://.../ws/subscribe)."""
    app = create_app(settings, ServeOptions(mode="off", clock=clock, run_workers=False))
    async with serve(app) as base, httpx.AsyncClient(base_url=base) as client:
        h = Harness(app, app.state.runtime, app.state.watcher, client, clock)
        yield h, base.replace("http", "ws") + "/ws/subscribe"


async def _subscribe(url: str, key: str, channels: list[str] | None = None) -> Any:
    ws = await websockets.connect(url)
    frame: dict[str, Any] = {"type": "subscribe", "apiKey": key}
    if channels is not None:
        frame["channels"] = channels
    await ws.send(json.dumps(frame))
    ack = json.loads(await ws.recv())
    assert ack["type"] == "subscribed", ack
    return ws


async def _next(ws: Any, channel: str) -> dict[str, Any]:
    while True:
        frame: dict[str, Any] = json.loads(await ws.recv())
        if frame["type"] == "broadcast" and frame["channel"] == channel:
            return frame


async def test_emergency_is_broadcast_to_every_subscriber(live: tuple[Harness, str]) -> None:
    h, url = live
    root = await h.account("root", admin=True)
    alice = await h.account("alice")
    bob = await h.account("bob")
    async with (
        await _subscribe(url, alice, ["emergency"]) as by_alice,
        await _subscribe(url, bob) as by_bob,
    ):
        await admin(h, root, "emergency", "exchange outage")
        for ws in (by_alice, by_bob):
            frame = await _next(ws, "emergency")
            assert (frame["event"], frame["payload"]["result"]) == ("UPDATE", "emergency_applied")
            assert frame["payload"]["emergencyActive"] is True
            assert frame["payload"]["systemReason"] == "exchange outage"
            assert frame["old"]["emergencyActive"] is False
            assert frame["old"]["status"] == "live"
        await admin(h, root, "emergency", "still out")  # a repeat changes nothing: no frame
        await admin(h, root, "emergency/clear", "exchange back")
        for ws in (by_alice, by_bob):
            frame = await _next(ws, "emergency")
            assert (frame["event"], frame["payload"]["result"]) == ("UPDATE", "emergency_cleared")
            assert frame["payload"]["emergencyActive"] is False
            assert frame["old"]["emergencyActive"] is True
            assert frame["payload"]["emergency"]["clearReason"] == "exchange back"


async def test_trading_frames_reach_only_their_client(live: tuple[Harness, str]) -> None:
    h, url = live
    alice = await h.account("alice")
    bob = await h.account("bob")
    async with (
        await _subscribe(url, alice, ["trading"]) as by_alice,
        await _subscribe(url, bob, ["trading"]) as by_bob,
    ):
        await call(h, alice, "stop", json={"reason": "done for today"})
        await call(h, bob, "pause")
        frame = await _next(by_alice, "trading")
        assert frame["event"] == "UPDATE"
        assert (frame["payload"]["result"], frame["payload"]["status"]) == (
            "stop_applied",
            "manual_stopped",
        )
        assert frame["payload"]["manualStopReason"] == "done for today"
        assert frame["old"] == {
            "status": "live",
            "tradingActive": True,
            "manualStopped": False,
            "manualStoppedAt": None,
            "manualStopReason": None,
        }
        assert (await _next(by_bob, "trading"))["payload"]["result"] == "pause_applied"
        await call(h, alice, "start")
        assert (await _next(by_alice, "trading"))["payload"]["result"] == "start_applied"


async def test_ping_pong_and_heartbeat(
    live: tuple[Harness, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(control_ws, "HEARTBEAT_SECONDS", 0.2)
    h, url = live
    key = await h.account("alice")
    async with websockets.connect(url) as ws:
        await ws.send(json.dumps({"type": "ping"}))  # answered before subscribing too
        assert json.loads(await ws.recv()) == {"type": "pong"}
        await ws.send(json.dumps({"type": "subscribe", "apiKey": key}))
        ack = json.loads(await ws.recv())
        assert ack == {
            "type": "subscribed",
            "subscriptionId": ack["subscriptionId"],
            "client": ack["client"],
            "channels": ["orders", "bets", "accounts", "scores", "emergency", "trading"],
        }
        assert isinstance(ack["subscriptionId"], int)
        await ws.send(json.dumps({"type": "ping"}))
        kinds: set[str] = set()
        for _ in range(20):
            frame = json.loads(await ws.recv())
            kinds.add(frame["type"])
            if {"pong", "heartbeat"} <= kinds:
                assert frame.get("timestamp", "Z").endswith("Z")
                break
        assert {"pong", "heartbeat"} <= kinds


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ({"type": "subscribe", "apiKey": "snp_wrong"}, 4401),
        ({"type": "subscribe"}, 4401),
        ({"type": "subscribe", "apiKey": "KEY", "channels": ["fills"]}, 4400),
        ({"type": "hello"}, 4400),
        (None, 4408),
    ],
)
async def test_refusals_close_the_socket(
    live: tuple[Harness, str],
    monkeypatch: pytest.MonkeyPatch,
    frame: dict[str, Any] | None,
    code: int,
) -> None:
    monkeypatch.setattr(control_ws, "SUBSCRIBE_TIMEOUT_SECONDS", 0.3)
    h, url = live
    key = await h.account("alice")
    async with websockets.connect(url) as ws:
        if frame is not None:
            await ws.send(json.dumps(frame).replace("KEY", key))
        error = json.loads(await ws.recv())
        assert error["type"] == "error"
        await ws.wait_closed()
        assert ws.close_code == code


async def test_http_auth_forms_all_work(live: tuple[Harness, str]) -> None:
    """Bearer, X-API-Key and ?apiKey= reach the same account on the trading surface."""
    h, _ = live
    key = await h.account("alice")
    for kwargs in (
        {"headers": {"Authorization": f"Bearer {key}"}},
        {"headers": auth(key)},
        {"params": {"apiKey": key}},
    ):
        response = await h.client.get("/api/v1/trading/status", **kwargs)  # type: ignore[arg-type]
        assert response.json()["clientName"] == "alice"


async def test_unsubscribe_stops_updates_and_closes(live: tuple[Harness, str]) -> None:
    """docs.55-tech.com/mm-api/websocket step 6: `{"type":"unsubscribe"}` cleans up."""
    h, url = live
    key = await h.account("alice")
    ws = await websockets.connect(url)
    await ws.send(json.dumps({"type": "subscribe", "api_key": key, "channels": ["trading"]}))
    ack = json.loads(await ws.recv())
    await ws.send(json.dumps({"type": "unsubscribe"}))
    reply = json.loads(await ws.recv())
    assert reply == {"type": "unsubscribed", "subscriptionId": ack["subscriptionId"]}
    await ws.wait_closed()
    assert ws.close_code == 1000
    await wait_for(lambda: h.runtime.hub.connections.open_count() == 0)  # slot freed


async def test_subscription_ids_differ_per_connection(live: tuple[Harness, str]) -> None:
    h, url = live
    key = await h.account("alice")
    ids: set[int] = set()
    for _ in range(3):
        async with websockets.connect(url) as ws:
            await ws.send(json.dumps({"type": "subscribe", "apiKey": key}))
            ids.add(json.loads(await ws.recv())["subscriptionId"])
    assert len(ids) == 3
