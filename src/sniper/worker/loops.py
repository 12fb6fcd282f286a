"""The loops `serve` and `worker` run: leader ticks, webhook delivery, the filing pipeline."""

from __future__ import annotations

import asyncio
import logging

from sniper.edgar.catalog import TickerCatalog
from sniper.filings.tasks import PipelineWorker
from sniper.notify.delivery import DeliveryWorker
from sniper.runtime import Runtime
from sniper.targets.watcher import Watcher
from sniper.trading.algorithms.paper import PaperRunner
from sniper.trading.algorithms.tasks import BacktestWorker
from sniper.worker.leader import wait_or_stop, while_leading

logger = logging.getLogger(__name__)


async def run_leader(runtime: Runtime, watcher: Watcher, stop: asyncio.Event) -> None:
    """Tick the watcher (one planner second + sweep) every poll interval (real time) while this
    process leads and still holds the lock; a tick that spreads its probes over a second of
    clock time counts against the interval, so live mode plans back to back.

    Without a source the watcher only sweeps the lifecycle. Errors are logged and
    reported by the status endpoint; the loop keeps going.
    """

    async def tick() -> None:
        try:
            await watcher.tick()
            runtime.stats.last_error = None
        except Exception as exc:
            runtime.stats.last_error = f"{type(exc).__name__}: {exc}"
            logger.exception("watcher tick failed")

    interval = runtime.settings.poll_interval.total_seconds()
    await while_leading(runtime.engine, stop, tick, interval)


async def refresh_catalog(runtime: Runtime, stop: asyncio.Event) -> None:
    """Live mode without SNIPER_CATALOG_PATH: re-download SEC's company_tickers.json every
    `SNIPER_CATALOG_REFRESH` (default daily); a failed download keeps the current catalog."""
    sec = runtime.sec
    assert sec is not None
    while not stop.is_set():
        await wait_or_stop(stop, runtime.settings.catalog_refresh.total_seconds())
        if stop.is_set():
            return
        try:
            runtime.catalog = await TickerCatalog.from_sec(sec, runtime.settings.catalog_url)
        except Exception:
            logger.exception("ticker catalog refresh failed; keeping the current one")


def start_loops(
    runtime: Runtime, watcher: Watcher, stop: asyncio.Event
) -> list[asyncio.Task[None]]:
    """Start the leader loop, one delivery worker, one filing pipeline worker, the paper
    trading runner and one backtest worker as tasks."""
    delivery = DeliveryWorker(runtime)
    tasks = [
        asyncio.create_task(run_leader(runtime, watcher, stop), name="sniper.leader"),
        asyncio.create_task(delivery.run(stop), name="webhook.deliver"),
        asyncio.create_task(PipelineWorker(runtime).run(stop), name="filing.process"),
        asyncio.create_task(PaperRunner(runtime).run(stop), name="algorithm.paper"),
        asyncio.create_task(BacktestWorker(runtime).run(stop), name="backtest.run"),
    ]
    if runtime.sec is not None and runtime.settings.catalog_path is None:
        tasks.append(asyncio.create_task(refresh_catalog(runtime, stop), name="catalog.refresh"))
    return tasks
