"""The `/ws/main-api` event log: `?last_event_id=N` replays what a client missed before live
events, each once; a bad value is refused; the log keeps SNIPER_WS_EVENT_LOG_SIZE events per
account, none older than SNIPER_WS_EVENT_LOG_AGE. The app under a real uvicorn."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
import websockets
from websockets.asyncio.client import ClientConnection

from sniper.client import AsyncClient, AuthError, BadRequestError, Event
from sniper.config import Settings
from tests.client.test_stream import logged
from tests.notify.ws_support import Live, live, refusal

TARGETS = "/api/v1/sniper/targets"


async def _activate(h: Live, key: str, *tickers: str) -> None:
    for ticker in tickers:
        response = await h.h.client.post(
            TARGETS, headers={"X-API-Key": key}, json={"ticker": ticker, "duration_minutes": 60}
        )
        assert response.status_code == 200, response.text


async def _frame(ws: ClientConnection) -> dict[str, Any]:
    """The next frame that is not a heartbeat."""
    while True:
        frame = json.loads(await ws.recv())
        if frame["type"] != "heartbeat":
            return frame


async def test_last_event_id_replays_the_missed_events_then_live_ones(settings: Settings) -> None:
    async with live(settings) as h:
        key = await h.h.account("alice")
        await _activate(h, key, "SONY", "AAPL", "MSFT")
        [first, second, third] = [event_id for event_id, _ in await logged(settings)]
        url = f"{h.ws_base}/ws/main-api?apiKey={key}&last_event_id={first}"
        async with websockets.connect(url) as ws:
            hello = await _frame(ws)
            assert (hello["type"], hello["last_event_id"]) == ("authenticated", first)
            replayed = [await _frame(ws), await _frame(ws)]
            assert [f["id"] for f in replayed] == [second, third]
            assert [f["data"]["ticker"] for f in replayed] == ["AAPL", "MSFT"]
            await _activate(h, key, "NVDA")
            fresh = await _frame(ws)
            assert (fresh["event"], fresh["data"]["ticker"]) == ("sniper.target_activated", "NVDA")
            assert fresh["id"] > third


async def test_without_last_event_id_the_position_is_the_newest_event(settings: Settings) -> None:
    async with live(settings) as h:
        key = await h.h.account("alice")
        await _activate(h, key, "SONY")
        [(newest, _)] = await logged(settings)
        async with websockets.connect(f"{h.ws_base}/ws/main-api?apiKey={key}") as ws:
            hello = await _frame(ws)
            assert hello["last_event_id"] == newest
            await _activate(h, key, "AAPL")
            assert (await _frame(ws))["data"]["ticker"] == "AAPL"


async def test_a_bad_last_event_id_is_refused_and_the_client_raises(settings: Settings) -> None:
    async with live(settings) as h:
        key = await h.h.account("alice")
        url = f"{h.ws_base}/ws/main-api?apiKey={key}&last_event_id=-1"
        frame, code, reason = await refusal(await websockets.connect(url))
        assert (frame["type"], code) == ("error", 4400)
        assert reason == "last_event_id must be an integer >= 0"
        base = h.ws_base.replace("ws", "http", 1)
        async with AsyncClient(base, "snp_not_a_key") as stranger:
            with pytest.raises(AuthError) as refused:
                await _first(stranger.stream())
        assert refused.value.status == 401
        async with AsyncClient(base, key) as sniper:
            with pytest.raises(BadRequestError) as bad:
                await _first(sniper.stream(last_event_id=-5))
        assert bad.value.status == 400


async def _first(stream: AsyncIterator[Event]) -> Event:
    """The stream's first event; fails after a generous deadline."""
    async with asyncio.timeout(60):
        return await anext(stream)


async def test_the_log_is_bounded_by_size_and_age(settings: Settings) -> None:
    async with live(settings, ws_event_log_size=2, ws_event_log_age=timedelta(hours=1)) as h:
        alice = await h.h.account("alice")
        bob = await h.h.account("bob")
        await _activate(h, alice, "SONY", "AAPL", "MSFT")
        await _activate(h, bob, "NVDA")
        kept = [event_id for event_id, _ in await logged(settings)]
        first = kept[0]  # ids are not reused: they need not start at 1
        assert kept == [first, first + 1, first + 2], "alice keeps her newest 2, bob his 1"
        h.h.clock.advance(timedelta(hours=2))
        await _activate(h, alice, "TSLA")
        assert [event_id for event_id, _ in await logged(settings)] == [first + 2, first + 3]
