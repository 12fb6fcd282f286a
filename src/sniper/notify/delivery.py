"""The webhook delivery worker: claim due outbox rows with a lease, run `webhook.deliver` on each.

The hit transaction writes a `WebhookDelivery`; its commit wakes the worker (`runtime.wakeups`,
job `webhook.deliver`), so the happy path sends at once with no polling delay. A claim
(`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite runs one worker) leases the row for
``SNIPER_WEBHOOK_LEASE`` (longer than the request timeout, checked by Settings) by pushing
`next_attempt_at` to the lease's end, so a crashed worker's claim falls due again; the HTTP call
itself happens outside any transaction (`tasks.deliver`). At most
``SNIPER_WEBHOOK_ENDPOINT_CONCURRENCY`` (default 4) deliveries per endpoint are in flight, and
``SNIPER_WEBHOOK_MAX_IN_FLIGHT`` per worker. Times are the service clock (`Runtime.clock`).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Collection

from sniper.db.session import transaction
from sniper.kit.waits import first_of
from sniper.kit.wake import DELIVER_WEBHOOK
from sniper.notify import tasks
from sniper.notify.policy import webhook_backoff
from sniper.runtime import Runtime

logger = logging.getLogger(__name__)
BATCH = 50
REFILL_DELAY = 0.01  # seconds: gather finished deliveries into one claim


class DeliveryWorker:
    """Claims and delivers webhooks for one process. `rng` drives the retry jitter (tests seed
    it); `run` is the long-running loop, `run_due` one pass for tests and tools."""

    def __init__(self, runtime: Runtime, *, rng: random.Random | None = None) -> None:
        self.runtime = runtime
        self.rng = rng or random.Random()
        self.policy = webhook_backoff(runtime.settings)
        self.wake = asyncio.Event()
        self._freed = asyncio.Event()
        self.in_flight: set[str] = set()
        runtime.wakeups.register(DELIVER_WEBHOOK, self.wake)

    async def claim(self, limit: int, *, skip: Collection[str] = ()) -> list[tasks.Claim]:
        """Lease up to `limit` due deliveries (not in `skip`) with what to send; they count as
        in flight here until `deliver` ends."""
        async with transaction(self.runtime.sessions) as session:
            claims = await tasks.claim(
                session, self.runtime, limit=limit, in_flight=self.in_flight, skip=skip
            )
        self.in_flight.update(claim.delivery_id for claim in claims)
        return claims

    async def deliver(self, claim: tasks.Claim) -> str | None:
        """Run job `webhook.deliver` for `claim`; errors are logged (the lease retries it)."""
        try:
            return await tasks.deliver(self.runtime, claim, policy=self.policy, rng=self.rng)
        except Exception:
            logger.exception("webhook.deliver %s failed", claim.delivery_id)
            return None
        finally:
            self.in_flight.discard(claim.delivery_id)

    async def run_due(self) -> int:
        """Attempt every delivery due now at most once, in waves that respect the per-endpoint
        limit; returns how many were claimed."""
        attempted: set[str] = set()
        while claims := await self.claim(BATCH, skip=attempted):
            attempted.update(claim.delivery_id for claim in claims)
            await asyncio.gather(*(self.deliver(claim) for claim in claims))
        return len(attempted)

    async def run(self, stop: asyncio.Event, idle_seconds: float = 0.5) -> None:
        """Until `stop`: claim while there is room, deliver each claim as its own task, then wait
        for a wake-up or `idle_seconds` (retries falling due). A commit that wrote outbox rows
        triggers a claim at once; finished deliveries trigger one after `REFILL_DELAY`, so one
        claim refills the room several of them freed. Deliveries still running at the end are
        cancelled; their leases expire and another pass retries them."""
        running: set[asyncio.Task[str | None]] = set()
        try:
            while not stop.is_set():
                self.wake.clear()  # before claiming: a wake during the pass triggers another
                self._freed.clear()
                room = self.runtime.settings.webhook_max_in_flight - len(running)
                if room > 0:
                    for claim in await self._claim_quietly(room):
                        task = asyncio.create_task(self.deliver(claim), name="webhook.deliver")
                        running.add(task)
                        task.add_done_callback(self._finished(running))
                await first_of(self.wake, self._freed, stop, timeout=idle_seconds)
                if self._freed.is_set() and not self.wake.is_set():
                    await asyncio.sleep(REFILL_DELAY)
        finally:
            for task in running:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)

    async def _claim_quietly(self, limit: int) -> list[tasks.Claim]:
        try:
            return await self.claim(min(limit, BATCH))
        except Exception:
            logger.exception("claiming webhook deliveries failed")
            return []

    def _finished(
        self, running: set[asyncio.Task[str | None]]
    ) -> Callable[[asyncio.Task[str | None]], None]:
        def done(task: asyncio.Task[str | None]) -> None:
            running.discard(task)
            self._freed.set()  # room for another claim, maybe the endpoint's next delivery

        return done
