"""The EDGAR jobs, declared for the job runtime (`sniper.worker.jobs`):

- `edgar.poll` (`POLL`): the watcher's tick (one planner second of feed reads and Archives
  probes, then the lifecycle sweep) every `SNIPER_POLL_INTERVAL`, in the one process that holds
  the leader lock (SEC's rate limit is per client). Without a source the tick only sweeps. A
  failed tick is logged and reported by the status endpoint (`stats.last_error`).
- `catalog.refresh` (`REFRESH_CATALOG`): live mode without `SNIPER_CATALOG_PATH` re-downloads
  SEC's company_tickers.json every `SNIPER_CATALOG_REFRESH` (default daily); a failed download
  keeps the current catalog (and is logged).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sniper.edgar.catalog import TickerCatalog
from sniper.runtime import Runtime
from sniper.targets.watcher import Watcher
from sniper.worker.jobs import Schedule
from sniper.worker.leader import LEADER_LOCK_KEY


def watcher(runtime: Runtime) -> Watcher:
    """The process's watcher over its detection planner (`runtime.planner`)."""
    return Watcher(runtime, runtime.planner)


def _poll(runtime: Runtime) -> Callable[[], Awaitable[None]]:
    polling = watcher(runtime)

    async def tick() -> None:
        try:
            await polling.tick()
            runtime.stats.last_error = None
        except Exception as exc:
            runtime.stats.last_error = f"{type(exc).__name__}: {exc}"
            raise

    return tick


def _refresh(runtime: Runtime) -> Callable[[], Awaitable[None]]:
    async def tick() -> None:
        assert runtime.sec is not None
        runtime.catalog = await TickerCatalog.from_sec(runtime.sec, runtime.settings.catalog_url)

    return tick


POLL = Schedule(
    name="edgar.poll",
    start=_poll,
    interval=lambda settings: settings.poll_interval.total_seconds(),
    lock=LEADER_LOCK_KEY,
)
REFRESH_CATALOG = Schedule(
    name="catalog.refresh",
    start=_refresh,
    interval=lambda settings: settings.catalog_refresh.total_seconds(),
    enabled=lambda runtime: runtime.sec is not None and runtime.settings.catalog_path is None,
    immediately=False,
)
