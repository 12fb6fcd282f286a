"""Helpers shared by the webhook delivery tests: accounts, real hits, outbox rows, reads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from sniper.accounts.service import require_account
from sniper.db.session import transaction
from sniper.models import Account, WebhookDelivery, WebhookEndpoint
from sniper.notify import events
from sniper.notify.service import enqueue_webhook
from tests.conftest import Harness

# Real filings of the recorded day and the targets they fire (tests/targets/test_replay_day.py).
HITS = {
    "XOM": datetime(2025, 12, 12, 15, 5, 12, tzinfo=UTC),  # Form 4, XOM as issuer
    "FIAC": datetime(2025, 12, 12, 15, 43, 10, tzinfo=UTC),  # SCHEDULE 13G/A, subject
    "JLL": datetime(2025, 12, 12, 15, 43, 11, tzinfo=UTC),  # Form 4
    "SONY": datetime(2025, 12, 12, 15, 45, 47, tzinfo=UTC),  # 6-K
}
FEED_LAG = timedelta(seconds=45)  # the replay shows a filing 30 s after acceptance


def auth(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


async def account(h: Harness, name: str) -> Account:
    async with transaction(h.runtime.sessions) as session:
        return await require_account(session, name)


async def fire_hits(h: Harness, key: str, tickers: Sequence[str]) -> list[str]:
    """Create a target per ticker (window 14:00-17:00Z), tick the replay past their filings
    (plus the 30 s feed lag); returns the target ids, all fired."""
    ids = []
    for ticker in tickers:
        response = await h.client.post(
            "/api/v1/sniper/targets",
            headers=auth(key),
            json={
                "ticker": ticker,
                "start_time": "2025-12-12T14:00:00Z",
                "end_time": "2025-12-12T17:00:00Z",
            },
        )
        assert response.status_code == 200, response.text
        ids.append(response.json()["target_id"])
    fired = 0
    for ticker in sorted(tickers, key=lambda t: HITS[t]):
        h.clock.set(max(h.clock.now(), HITS[ticker] + FEED_LAG))
        fired += await h.watcher.tick()
    assert fired == len(tickers)
    return ids


async def enqueue(h: Harness, name: str, url: str, count: int) -> list[str]:
    """`count` outbox rows (`webhook.test` bodies) for account `name` to `url`, written as a
    hit writes them."""
    owner = await account(h, name)
    ids = []
    async with transaction(h.runtime.sessions) as session:
        for _ in range(count):
            delivery_id = events.new_delivery_id()
            body = events.webhook_test(delivery_id=delivery_id, occurred_at=h.clock.now())
            await enqueue_webhook(
                session,
                h.runtime,
                delivery_id=delivery_id,
                account_id=owner.id,
                target_id=None,
                url=url,
                body=body,
            )
            ids.append(delivery_id)
    return ids


async def deliveries(h: Harness) -> dict[str, WebhookDelivery]:
    """Every delivery by id, attempts and endpoint loaded."""
    async with transaction(h.runtime.sessions) as session:
        result = await session.execute(
            select(WebhookDelivery).options(
                selectinload(WebhookDelivery.attempts), selectinload(WebhookDelivery.endpoint)
            )
        )
        return {d.id: d for d in result.scalars().all()}


async def endpoint(h: Harness, url: str) -> WebhookEndpoint:
    async with transaction(h.runtime.sessions) as session:
        result = await session.execute(select(WebhookEndpoint).where(WebhookEndpoint.url == url))
        return result.scalar_one()
