"""Leader election: exactly one process polls EDGAR (SEC's rate limit is per client).

PostgreSQL: a session-level advisory lock held on a dedicated connection. SQLite: the single
process is the leader. Leadership is fenced: `while_leading` re-checks, before every tick, that
this very connection still holds the lock (`pg_locks`), so a leader whose lock connection was
terminated (`pg_terminate_backend`, a network cut, a failover) stops before its next tick instead
of polling beside the process that took the lock over, and stands for election again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

logger = logging.getLogger(__name__)
LEADER_LOCK_KEY = 0x5E11E5  # arbitrary, constant across releases
PAPER_LOCK_KEY = 0x5E11E6  # the paper trading runner's own leader
_HELD = text(
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = 0"
    " AND objid = :key AND objsubid = 1 AND pid = pg_backend_pid() AND granted"
)


async def wait_or_stop(stop: asyncio.Event, seconds: float) -> None:
    """Wait `seconds`, or less when `stop` is set meanwhile."""
    with suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


class Lease:
    """Proof of leadership; `await held()` is False once the lock is gone (SQLite: always
    True)."""

    def __init__(self, connection: AsyncConnection | None, key: int | None) -> None:
        self._connection = connection
        self.key = key

    async def held(self) -> bool:
        if self._connection is None:
            return True
        try:
            count = await self._connection.scalar(_HELD, {"key": self.key})
            await self._connection.commit()
        except SQLAlchemyError:
            return False
        return bool(count)


@asynccontextmanager
async def leadership(
    engine: AsyncEngine,
    stop: asyncio.Event,
    retry_seconds: float = 5.0,
    key: int | None = LEADER_LOCK_KEY,
) -> AsyncIterator[Lease | None]:
    """Wait until this process holds lock `key` (or `stop` is set); yields the `Lease`, or None
    when `stop` came first. `key=None`: no lock, every process leads (as on SQLite)."""
    if key is None or engine.dialect.name == "sqlite":
        yield Lease(None, key)
        return
    async with engine.connect() as connection:
        while not stop.is_set():
            got = await connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": key})
            await connection.commit()
            if got:
                try:
                    yield Lease(connection, key)
                finally:
                    await _release(connection, key)
                return
            await wait_or_stop(stop, retry_seconds)
        yield None


async def _release(connection: AsyncConnection, key: int) -> None:
    try:
        await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
        await connection.commit()
    except SQLAlchemyError:  # the lock connection is gone, and the lock with it
        await connection.invalidate()


async def while_leading(
    engine: AsyncEngine,
    stop: asyncio.Event,
    tick: Callable[[], Awaitable[object]],
    interval: float,
    *,
    key: int | None = LEADER_LOCK_KEY,
    retry_seconds: float = 5.0,
    on_lead: Callable[[bool], None] = lambda leading: None,
) -> None:
    """Until `stop`: win the election, then `await tick()` every `interval` seconds (a tick's
    own duration counts against it) for as long as the lock is still held, checked before every
    tick; a lost lock steps down and, `retry_seconds` later (the others stand first), stands
    again. `key=None` ticks without an election. `tick` handles its own errors. `on_lead(True)`
    is called on winning the election, `on_lead(False)` on stepping down or stopping."""
    while not stop.is_set():
        async with leadership(engine, stop, retry_seconds, key) as lease:
            on_lead(lease is not None)
            try:
                lost = await _lead(lease, stop, tick, interval)
            finally:
                on_lead(False)
        if lost:
            logger.warning("leader lock %#x lost: stepped down", key)
            await wait_or_stop(stop, retry_seconds)


async def _lead(
    lease: Lease | None,
    stop: asyncio.Event,
    tick: Callable[[], Awaitable[object]],
    interval: float,
) -> bool:
    """Tick while `lease` holds; True when the lock was lost (not when `stop` was set)."""
    while lease is not None and not stop.is_set():
        if not await lease.held():
            return True
        started = time.monotonic()
        await tick()
        await wait_or_stop(stop, max(0.0, interval - (time.monotonic() - started)))
    return False
