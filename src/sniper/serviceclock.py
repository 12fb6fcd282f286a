"""One clock per row (issue 16 item 5): the service clock, kept in the database for the CLI.

A replaying `sniper serve` / `sniper worker` writes its clock to `service_clock` every
`SNIPER_SERVICE_CLOCK_INTERVAL` (`sniper.status.CLOCK_PERSIST`); a CLI command reads it with
`cli_clock` and stamps the rows it writes with the same replay time the API stamps, so "newest
first" lists never interleave two clocks. With no fresh row (no replay running, or a live
service: its clock is wall time) the CLI uses the system clock.

Every clock has a `label` for messages: timestamps in errors say which clock they are on,
e.g. "until 2025-12-12T15:00:00Z (replay clock)".
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from sniper.clock import Clock, SystemClock
from sniper.config import Settings
from sniper.db.engine import create_engine, session_factory
from sniper.db.session import transaction
from sniper.db.upsert import dialect_insert
from sniper.kit.timefmt import iso_z
from sniper.models import ServiceClock

REPLAY = "replay"  # the row's kind: the one clock that is not wall time


@dataclass(frozen=True)
class StoredClock:
    """A replay clock followed from its stored reading: `clock_at` at wall time `wall_at`, at
    `speed` x real time; `now()` extrapolates with `wall` (the system clock)."""

    clock_at: datetime
    wall_at: datetime
    speed: float
    wall: Clock = field(default_factory=SystemClock)
    label: str = "replay clock"

    def now(self) -> datetime:
        return self.clock_at + (self.wall.now() - self.wall_at) * self.speed

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds) / self.speed)


def clock_label(clock: Clock) -> str:
    """Which clock `clock` is, for messages: "replay clock", "system clock", "manual clock"."""
    return str(getattr(clock, "label", "service clock"))


def stamp(instant: datetime, clock: Clock) -> str:
    """`instant` as ISO 8601 with the clock it is on: "2025-12-12T15:00:00Z (replay clock)"."""
    return f"{iso_z(instant)} ({clock_label(clock)})"


async def persist(session: AsyncSession, clock: Clock, *, wall: Clock) -> None:
    """Store `clock`'s reading now (with `wall`'s time and `clock.speed`, 1.0 when it has none)
    as the replay clock; replaces the previous reading. The caller commits."""
    speed = float(getattr(clock, "speed", 1.0))
    values = {"clock_at": clock.now(), "wall_at": wall.now(), "speed": speed}
    statement = (
        dialect_insert(session, ServiceClock)
        .values(kind=REPLAY, **values)
        .on_conflict_do_update(index_elements=["kind"], set_=values)
    )
    await session.execute(statement)


async def cli_clock(session: AsyncSession, settings: Settings, wall: Clock | None = None) -> Clock:
    """The clock a CLI command stamps rows with: the stored replay clock when a replaying
    process wrote it within `settings.service_clock_stale` of `wall` time, else `wall` (the
    system clock)."""
    wall = wall or SystemClock()
    row = await session.get(ServiceClock, REPLAY)
    if row is None or wall.now() - row.wall_at > settings.service_clock_stale:
        return wall
    return StoredClock(row.clock_at, row.wall_at, row.speed, wall)


async def load_cli_clock(settings: Settings) -> Clock:
    """`cli_clock` in its own read transaction on the configured database (for commands that
    build a whole runtime, e.g. `sniper backtest`)."""
    engine = create_engine(settings.database_url)
    try:
        async with transaction(session_factory(engine), read_only=True) as session:
            return await cli_clock(session, settings)
    finally:
        await engine.dispose()
