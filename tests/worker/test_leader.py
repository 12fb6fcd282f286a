"""Fenced leadership (issue 12 item 4): one poller, even after the leader's lock connection dies."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import text

from sniper.db.engine import create_engine
from sniper.worker.leader import while_leading

KEY = 0x5E11F0  # this test's own lock, apart from the service's


def recorder(ticks: list[float]) -> Callable[[], Awaitable[None]]:
    async def tick() -> None:
        ticks.append(time.monotonic())

    return tick


async def until(condition: Callable[[], bool], seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition never held"
        await asyncio.sleep(0.02)


async def test_the_single_sqlite_process_leads(database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's single-process leadership; PostgreSQL is the test below")
    engine, stop, ticks = create_engine(database_url), asyncio.Event(), []
    task = asyncio.create_task(while_leading(engine, stop, recorder(ticks), 0.01, key=KEY))
    await until(lambda: len(ticks) >= 3)
    stop.set()
    await task
    await engine.dispose()


async def test_a_leader_whose_lock_connection_dies_stops_before_its_next_tick(
    database_url: str,
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("advisory locks are PostgreSQL's; SQLite runs one process")
    engines = [create_engine(database_url) for _ in range(3)]
    stop, a_ticks, b_ticks = asyncio.Event(), [], []
    a = asyncio.create_task(
        while_leading(engines[0], stop, recorder(a_ticks), 0.05, key=KEY, retry_seconds=30)
    )
    await until(lambda: len(a_ticks) >= 3)
    b = asyncio.create_task(
        while_leading(engines[1], stop, recorder(b_ticks), 0.05, key=KEY, retry_seconds=0.05)
    )
    await asyncio.sleep(0.5)
    assert b_ticks == [], "B waits while A holds the lock"
    async with engines[2].connect() as admin:
        killed = await admin.scalar(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_locks WHERE locktype = "
                "'advisory' AND classid = 0 AND objid = :key AND granted"
            ),
            {"key": KEY},
        )
    cut = time.monotonic()
    assert killed == 1
    await until(lambda: len(b_ticks) >= 10)
    ticked_after_cut = [t for t in a_ticks if t > cut]
    stop.set()
    await asyncio.gather(a, b)
    for engine in engines:
        await engine.dispose()
    assert ticked_after_cut == [], "A stepped down before its next tick: one poller"
