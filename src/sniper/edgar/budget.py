"""The SEC request budget: at most `max_rps` requests in any 1 s of clock time, and SEC's
rate-limit back-off (DESIGN "EDGAR access"; SEC "Accessing EDGAR Data": 10 requests per second
across every machine of a user, a 10-minute block past it).

`RequestBudget` is the hard cap every request through `SecClient` passes, retries included;
the detection planner plans below it (`SNIPER_EDGAR_PLAN_RPS`, default 8) to leave room for
retries and the filing pipeline. Time is the service `Clock`'s, so a replayed day at 60x spends
the budget per replayed second, as live EDGAR would see it.
"""

from __future__ import annotations

from collections import Counter, deque
from datetime import datetime, timedelta

from sniper.clock import Clock

WINDOW = timedelta(seconds=1)
SLACK = timedelta(milliseconds=100)  # requests arrive later than they leave, by varying delays
RATE_WINDOW = timedelta(seconds=60)  # the span `rates()` averages over


class RequestBudget:
    """Sliding-window limiter in clock time with a global pause and per-source counters.

    `acquire(source)` waits (through `clock.sleep`) until fewer than `max_rps` requests were
    sent in the last second plus `slack`, then counts one for `source`: a request held up on
    the way (a slow connection, a GC pause) must not land in the same second as the tenth
    after it, as SEC counts them. `pause(until)` blocks every source
    until `until` (SEC's "Request Rate Threshold Exceeded" page); `paused_until` is None when
    not paused. `sent[source]` counts requests since start; `rates()` is requests/s per source
    over the last 60 s; `last_second()` the requests of the last 1 s.
    """

    def __init__(self, clock: Clock, max_rps: float, slack: timedelta = SLACK) -> None:
        if max_rps <= 0:
            raise ValueError(f"max_rps must be positive, got {max_rps}")
        self.clock = clock
        self.max_rps = max_rps
        self._window = WINDOW + slack
        self._capacity = max(1, int(max_rps))
        self._recent: deque[datetime] = deque()
        self._history: deque[tuple[datetime, str]] = deque()
        self.sent: Counter[str] = Counter()
        self._paused_until: datetime | None = None

    @property
    def paused_until(self) -> datetime | None:
        if self._paused_until is not None and self._paused_until <= self.clock.now():
            self._paused_until = None
        return self._paused_until

    def pause(self, until: datetime) -> None:
        """Send nothing before `until` (a later pause extends, an earlier one is ignored)."""
        if self._paused_until is None or until > self._paused_until:
            self._paused_until = until

    def _wait_seconds(self, now: datetime) -> float:
        while self._recent and now - self._recent[0] >= self._window:
            self._recent.popleft()
        if len(self._recent) < self._capacity:
            return 0.0
        return (self._recent[0] + self._window - now).total_seconds() + 1e-3

    async def acquire(self, source: str) -> None:
        """Wait for room in the 1 s window, then count one request of `source`."""
        while (delay := self._wait_seconds(self.clock.now())) > 0:
            await self.clock.sleep(delay)
        now = self.clock.now()
        self._recent.append(now)
        self._history.append((now, source))
        self.sent[source] += 1
        while self._history and now - self._history[0][0] > RATE_WINDOW:
            self._history.popleft()

    def last_second(self) -> int:
        """Requests sent in the last 1 s of clock time."""
        now = self.clock.now()
        return sum(1 for at in self._recent if now - at < WINDOW)

    def rates(self) -> dict[str, float]:
        """Requests per second of each source over the last 60 s of clock time."""
        now = self.clock.now()
        counts = Counter(s for at, s in self._history if now - at <= RATE_WINDOW)
        seconds = RATE_WINDOW.total_seconds()
        return {source: round(n / seconds, 3) for source, n in sorted(counts.items())}
