"""Webhook delivery from the outbox (simple retries; durable policy grows in a later issue).

The hit transaction writes a `WebhookDelivery`; after commit the worker is woken, claims due rows
(`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite runs one worker) by pushing `next_attempt_at` a
lease ahead, sends outside any transaction, then records the outcome. A restart finds pending
rows again, so nothing is lost; `delivery_id` is the same on every attempt.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import select, update

from sniper.db.session import transaction
from sniper.models import Account, WebhookDelivery
from sniper.notify.sender import AttemptResult, send_webhook
from sniper.runtime import Runtime

logger = logging.getLogger(__name__)
LEASE = timedelta(seconds=60)
BATCH = 20
MAX_RETRY_AFTER_SECONDS = 3600.0  # a receiver's Retry-After is honoured up to an hour


class DeliveryWorker:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.wake = asyncio.Event()
        runtime.wake_delivery.append(self.wake)

    async def _claim(self) -> Sequence[tuple[WebhookDelivery, str]]:
        now = self.runtime.clock.now()
        async with transaction(self.runtime.sessions) as session:
            due = await session.execute(
                select(WebhookDelivery, Account.webhook_secret)
                .join(Account, Account.id == WebhookDelivery.account_id)
                .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now)
                .order_by(WebhookDelivery.next_attempt_at)
                .limit(BATCH)
                .with_for_update(skip_locked=True, of=WebhookDelivery)
            )
            claimed = [(row[0], row[1]) for row in due]
            if claimed:
                await session.execute(
                    update(WebhookDelivery)
                    .where(WebhookDelivery.id.in_([d.id for d, _ in claimed]))
                    .values(next_attempt_at=now + LEASE)
                )
        return claimed

    async def _attempt(self, delivery: WebhookDelivery, secret: str) -> None:
        settings = self.runtime.settings
        result = await send_webhook(
            self.runtime.webhook_http,
            delivery.url,
            secret=secret,
            delivery_id=delivery.id,
            body=json.dumps(delivery.payload, separators=(",", ":")).encode(),
            timestamp=self.runtime.wall_clock.now(),
            allow_networks=settings.webhook_allow_networks,
            resolver=self.runtime.resolver,
            timeout_seconds=settings.webhook_timeout.total_seconds(),
        )
        await self._record(delivery, result)

    async def _record(self, delivery: WebhookDelivery, result: AttemptResult) -> None:
        now = self.runtime.clock.now()
        attempts = delivery.attempts + 1
        delays = self.runtime.settings.webhook_retry_delays
        values: dict[str, object] = {
            "attempts": attempts,
            "last_status_code": result.status_code,
            "last_error": result.error,
        }
        if result.ok:
            values |= {"status": "delivered", "delivered_at": now}
        elif result.retryable and attempts <= len(delays):
            retry_after = min(result.retry_after or 0.0, MAX_RETRY_AFTER_SECONDS)
            delay = max(delays[attempts - 1], retry_after)
            values |= {"next_attempt_at": now + timedelta(seconds=delay)}
        else:
            values |= {"status": "failed"}
        async with transaction(self.runtime.sessions) as session:
            await session.execute(
                update(WebhookDelivery).where(WebhookDelivery.id == delivery.id).values(**values)
            )

    async def run_due(self) -> int:
        """Send every due delivery once; returns how many were attempted."""
        claimed = await self._claim()
        await asyncio.gather(*(self._attempt(d, secret) for d, secret in claimed))
        return len(claimed)

    async def run(self, stop: asyncio.Event, idle_seconds: float = 0.5) -> None:
        """Loop until `stop`: send what is due, then wait for a wake-up or `idle_seconds`."""
        while not stop.is_set():
            self.wake.clear()  # before the pass: a wake during it triggers another pass
            try:
                await self.run_due()
            except Exception:
                logger.exception("webhook delivery pass failed")
            waiter = asyncio.ensure_future(self.wake.wait())
            stopper = asyncio.ensure_future(stop.wait())
            await asyncio.wait(
                {waiter, stopper}, timeout=idle_seconds, return_when=asyncio.FIRST_COMPLETED
            )
            waiter.cancel()
            stopper.cancel()
