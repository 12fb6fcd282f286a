"""The loops `serve` and `worker` run: leader ticks and webhook delivery."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sniper.notify.delivery import DeliveryWorker
from sniper.runtime import Runtime
from sniper.targets.watcher import Watcher
from sniper.worker.leader import leadership

logger = logging.getLogger(__name__)


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


async def run_leader(runtime: Runtime, watcher: Watcher, stop: asyncio.Event) -> None:
    """Tick the watcher (poll + sweep) every poll interval while this process leads.

    Without a source the watcher only sweeps the lifecycle. Errors are logged and
    reported by the status endpoint; the loop keeps going.
    """
    interval = runtime.settings.poll_interval.total_seconds()
    async with leadership(runtime.engine, stop) as leading:
        while leading and not stop.is_set():
            try:
                await watcher.tick()
                runtime.stats.last_error = None
            except Exception as exc:
                runtime.stats.last_error = f"{type(exc).__name__}: {exc}"
                logger.exception("watcher tick failed")
            await _wait(stop, interval)


def start_loops(
    runtime: Runtime, watcher: Watcher, stop: asyncio.Event
) -> list[asyncio.Task[None]]:
    """Start the leader loop and one delivery worker as tasks."""
    delivery = DeliveryWorker(runtime)
    return [
        asyncio.create_task(run_leader(runtime, watcher, stop), name="sniper.leader"),
        asyncio.create_task(delivery.run(stop), name="webhook.deliver"),
    ]
