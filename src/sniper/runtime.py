"""What the lifespan builds and every request, job and CLI command shares."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from sniper.clock import Clock, SystemClock
from sniper.config import Settings
from sniper.db.session import on_commit
from sniper.edgar.catalog import TickerCatalog
from sniper.edgar.client import SecClient
from sniper.edgar.planner import DetectionPlanner
from sniper.edgar.simulated import SimulatedEdgar
from sniper.filings.resources import PipelineResources
from sniper.kit.ratelimit import RateLimiter
from sniper.kit.wake import Wakeups
from sniper.models import PushEvent
from sniper.notify import event_log
from sniper.notify.hub import PushHub
from sniper.notify.publisher import Publisher
from sniper.notify.ssrf import Resolver


@dataclass
class WatcherStats:
    """Counters reported by `GET /api/v1/status`."""

    polls: int = 0
    filings_detected: int = 0
    hits: int = 0
    last_poll_at: datetime | None = None
    last_error: str | None = None


@dataclass
class Runtime:
    settings: Settings
    clock: Clock
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    catalog: TickerCatalog
    hub: PushHub
    webhook_http: httpx.AsyncClient
    mode: str = "replay"  # replay | live | off
    sec: SecClient | None = None  # live mode only
    simulated: SimulatedEdgar | None = None  # replay mode only: the simulated EDGAR
    planner: DetectionPlanner | None = None  # live and replay mode
    source: dict[str, Any] = field(default_factory=dict)
    stats: WatcherStats = field(default_factory=WatcherStats)
    # Schedule name -> whether this process holds its leader lock now (`GET /readyz`); a
    # schedule this process does not run is absent.
    leading: dict[str, bool] = field(default_factory=dict)
    wakeups: Wakeups = field(default_factory=Wakeups)
    # Webhook signatures carry wall time: receivers check it against their own clocks, even
    # while the service clock replays a past day.
    wall_clock: Clock = field(default_factory=SystemClock)
    resolver: Resolver | None = None  # None: the system resolver; tests inject a stub
    limiter: RateLimiter | None = None  # None: requests are not rate limited
    # Filing pipeline: archives / submissions / OpenFIGI clients and the worker wake-ups.
    pipeline: PipelineResources = field(default_factory=PipelineResources)
    # `/ws/subscribe`'s hub (`hub` is `/ws/main-api`'s); `publisher` reaches both in every
    # process (Redis pub/sub when SNIPER_REDIS_URL is set).
    control_hub: PushHub = field(default_factory=PushHub)
    publisher: Publisher | None = None

    def __post_init__(self) -> None:
        if self.publisher is None:
            self.publisher = Publisher({"main": self.hub, "control": self.control_hub})

    def publish_on_commit(
        self, session: AsyncSession, messages: Sequence[tuple[int, BaseModel]]
    ) -> None:
        """Push `(account_id, frame)` messages (`notify.events.MainApiFrame`) to `/ws/main-api`
        clients in every process once `session` commits; each is also logged in the same
        transaction (`notify.event_log`) and pushed with its log `id`."""
        publisher = self.publisher
        assert publisher is not None
        rows = [self._log_event(session, key, frame) for key, frame in messages]

        def send() -> None:
            for row in rows:
                publisher.publish("main", row.account_id, event_log.framed(row))

        on_commit(session, send)

    def _log_event(self, session: AsyncSession, key: int, frame: BaseModel) -> PushEvent:
        body = frame.model_dump(mode="json", exclude={"id"})
        size, age = self.settings.ws_event_log_size, self.settings.ws_event_log_age
        return event_log.record(session, key, body, now=self.clock.now(), size=size, age=age)
