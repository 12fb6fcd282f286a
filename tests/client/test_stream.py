"""`stream()` survives a server restart without losing or repeating an event: a real
`sniper serve --replay` is SIGKILLed under a connected stream, an event is committed while it is
down, it restarts on the same database and port and catches SONY's 6-K; the stream yields every
logged event once, in id order, the hit included."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text

from sniper.client import AsyncClient, Backoff, Event
from sniper.clock import ManualClock
from sniper.config import Settings
from sniper.db.engine import create_engine
from tests.client.support import free_port, serve_env, serving, wait_for
from tests.conftest import running

SONY_6K = "0001104659-25-120538"  # accepted 15:45:47Z
SETUP_AT = datetime(2025, 12, 12, 15, 45, tzinfo=UTC)
QUICK = Backoff(initial=0.1, maximum=1.0)


async def _target(settings: Settings, ticker: str, key: str | None = None) -> str:
    """Make account `alice` (when `key` is None) and a 60-minute `ticker` target in-process at
    15:45:00Z (the server may be down); returns the key."""
    async with running(settings, ManualClock(SETUP_AT)) as h:
        key = key or await h.account("alice")
        created = await h.client.post(
            "/api/v1/sniper/targets",
            headers={"X-API-Key": key},
            json={"ticker": ticker, "duration_minutes": 60},
        )
        assert created.status_code == 200, created.text
        return key


async def logged(settings: Settings) -> list[tuple[int, str]]:
    """(id, event) of every row of `push_events`, by id."""
    engine = create_engine(settings.database_url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(text("SELECT id, frame FROM push_events ORDER BY id"))
            return [(int(i), _frame(frame)["event"]) for i, frame in rows]
    finally:
        await engine.dispose()


def _frame(value: Any) -> dict[str, Any]:
    import json

    return json.loads(value) if isinstance(value, str) else dict(value)


async def test_stream_survives_a_server_restart_without_losing_a_hit(
    settings: Settings, tmp_path: Path
) -> None:
    key = await _target(settings, "SONY")
    env, port, log = serve_env(settings), free_port(), tmp_path / "serve.log"
    received: list[Event] = []

    async def consume(sniper: AsyncClient) -> None:
        async for event in sniper.stream(last_event_id=0, backoff=QUICK):
            received.append(event)

    def events() -> list[str]:
        return [event.event for event in received]

    async with AsyncClient(f"http://127.0.0.1:{port}", key) as sniper:
        task = asyncio.create_task(consume(sniper))
        try:
            async with serving(env, port, log, start="2025-12-12T15:30:00Z", speed="1") as first:
                await wait_for(lambda: len(received) == 1, "the logged SONY activation")
                await sniper.create_target("AAPL", duration_minutes=60)
                await wait_for(lambda: len(received) == 2, "the live AAPL activation")
                first.kill()  # SIGKILL: no shutdown code runs, the socket just drops
                first.wait(timeout=10)
            await _target(settings, "MSFT", key)  # committed while the server is down
            async with serving(env, port, log, start="2025-12-12T15:45:30Z"):
                await wait_for(lambda: "sniper.filing_hit" in events(), "the SONY hit")
                await _settled(settings, received)
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    ids = [event.id for event in received]
    assert ids == sorted(set(ids)), "each event once, in order"
    assert [(e.id, e.event) for e in received] == await logged(settings)
    hits = [e for e in received if e.event == "sniper.filing_hit"]
    assert [hit.data["payload"]["accession_number"] for hit in hits] == [SONY_6K]
    activated = [e.data["ticker"] for e in received if e.event == "sniper.target_activated"]
    assert activated == ["SONY", "AAPL", "MSFT"]


async def _settled(settings: Settings, received: list[Event]) -> None:
    """Wait until SONY's filing is done with (`parsed`: the replay records no documents of
    it, so its record is the header's and nothing more happens to it) and the stream has
    yielded everything logged."""
    snapshot: list[tuple[int, str]] = []

    def parse_ended() -> bool:
        states = [e.data.get("processing_state") for e in received]
        return "parsed" in states

    def caught_up() -> bool:
        return [(e.id, e.event) for e in received] == snapshot

    await wait_for(parse_ended, "SONY's filing to end parsed")
    snapshot = await logged(settings)
    await wait_for(caught_up, f"the stream to yield {snapshot}")
