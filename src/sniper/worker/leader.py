"""Leader election: exactly one process polls EDGAR (SEC's rate limit is per client).

PostgreSQL: a session-level advisory lock held on a dedicated connection. SQLite: the single
process is the leader.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

LEADER_LOCK_KEY = 0x5E11E5  # arbitrary, constant across releases
PAPER_LOCK_KEY = 0x5E11E6  # the paper trading runner's own leader


@asynccontextmanager
async def leadership(
    engine: AsyncEngine,
    stop: asyncio.Event,
    retry_seconds: float = 5.0,
    key: int = LEADER_LOCK_KEY,
) -> AsyncIterator[bool]:
    """Wait until this process holds lock `key` (or `stop` is set); yields True when leading."""
    if engine.dialect.name == "sqlite":
        yield True
        return
    async with engine.connect() as connection:
        while not stop.is_set():
            got = await connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": key})
            await connection.commit()
            if got:
                try:
                    yield True
                finally:
                    await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                    await connection.commit()
                return
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), retry_seconds)
        yield False
