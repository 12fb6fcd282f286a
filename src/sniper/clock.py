"""Time, read only through a `Clock`.

`SystemClock` is wall time; `ReplayClock` runs from a chosen instant at `speed` times real time so a
recorded EDGAR day plays as it happened; `ManualClock` moves only when a test calls `advance`.
Every datetime returned is timezone-aware UTC. `sleep(seconds)` waits `seconds` of *clock* time.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware UTC."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait `seconds` of clock time."""
        ...


class SystemClock:
    label = "system clock"  # which clock a message's timestamp is on (sniper.serviceclock)

    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class ReplayClock:
    """Clock time = `start` + (real time elapsed since construction) x `speed`."""

    label = "replay clock"

    def __init__(self, start: datetime, speed: float = 1.0) -> None:
        if start.tzinfo is None:
            raise ValueError("ReplayClock start must be timezone-aware")
        if speed <= 0:
            raise ValueError("ReplayClock speed must be positive")
        self.start = start.astimezone(UTC)
        self.speed = speed
        self._t0 = time.monotonic()

    def now(self) -> datetime:
        return self.start + timedelta(seconds=(time.monotonic() - self._t0) * self.speed)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds) / self.speed)


class ManualClock:
    """A clock for tests: `advance` moves it; `sleep` advances it and yields once."""

    label = "manual clock"

    def __init__(self, start: datetime) -> None:
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta | float) -> datetime:
        step = delta if isinstance(delta, timedelta) else timedelta(seconds=delta)
        self._now += step
        return self._now

    def set(self, instant: datetime) -> None:
        self._now = instant.astimezone(UTC)

    async def sleep(self, seconds: float) -> None:
        self.advance(max(0.0, seconds))
        await asyncio.sleep(0)
