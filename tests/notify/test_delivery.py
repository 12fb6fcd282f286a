"""Durable webhook delivery against real receivers on 127.0.0.1: retries, attempts, leases, the
per-endpoint limit, and the wake-up after commit (DESIGN.md "Notifications")."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from datetime import timedelta
from random import Random

from sqlalchemy import text
from standardwebhooks.webhooks import Webhook

from sniper.clock import ManualClock
from sniper.config import Settings
from sniper.db.session import transaction
from sniper.models import WebhookAttempt
from sniper.notify.tasks import DELIVER
from sniper.worker.jobs import JobRunner
from tests.conftest import Harness, running
from tests.notify.helpers import account, deliveries, enqueue, fire_hits
from tests.notify.receiver import Action, Close, Hang, Receiver, per_delivery
from tests.support.http_server import Reply, Request

SEQUENCE: list[Action] = [
    Reply(500, b"boom"),
    Hang(1.5),
    Close(),
    Reply(429, b"slow down", {"Retry-After": "30"}),
    Reply(200, b"ok"),
]


def check_sequence_attempts(attempts: list[WebhookAttempt]) -> None:
    """One attempt row per answer of `SEQUENCE`, with status, excerpt, error and latency."""
    assert [a.status_code for a in attempts] == [500, None, None, 429, 200]
    assert [a.outcome for a in attempts] == ["retryable"] * 4 + ["success"]
    assert [a.number for a in attempts] == [1, 2, 3, 4, 5]
    assert [a.response_excerpt for a in attempts] == ["boom", "", "", "slow down", "ok"]
    errors = [a.error or "" for a in attempts]
    assert errors[0] == "HTTP 500"
    assert errors[1].startswith("timeout after 0.5 s")
    assert errors[2].startswith("RemoteProtocolError")
    assert errors[3:] == ["HTTP 429", ""]
    assert attempts[1].latency_ms >= 450
    assert all(a.latency_ms > 0 for a in attempts)
    assert attempts[4].attempted_at - attempts[3].attempted_at == timedelta(seconds=30)


async def test_every_hit_is_delivered_after_500_hang_close_and_429(
    settings: Settings, clock: ManualClock
) -> None:
    fast = settings.model_copy(
        update={"webhook_timeout": timedelta(seconds=0.5), "webhook_retry_delays": [0.0] * 6}
    )
    with Receiver(per_delivery(SEQUENCE)) as receiver:
        async with running(fast, clock) as h:
            key = await h.account("alice", webhook_url=f"{receiver.url}/hook")
            target_ids = await fire_hits(h, key, ["XOM", "FIAC", "SONY"])
            worker = JobRunner(h.runtime, DELIVER, rng=Random(1))
            assert [await worker.run_due() for _ in range(4)] == [3, 3, 3, 3]
            assert await worker.run_due() == 0, "Retry-After: 30 is honoured"
            h.clock.advance(30)
            assert await worker.run_due() == 3
            assert await worker.run_due() == 0
            stored = await deliveries(h)
            secret = (await account(h, "alice")).webhook_secret
    assert {d.target_id for d in stored.values()} == set(target_ids)
    assert {d.status for d in stored.values()} == {"delivered"}
    for delivery in stored.values():
        check_sequence_attempts(delivery.attempts)
    groups = receiver.by_id()
    assert set(groups) == set(stored), "one webhook-id per delivery"
    for delivery_id, requests in groups.items():
        assert len(requests) == 5
        assert len({r.request.body for r in requests}) == 1, "retries resend the same body"
        body = Webhook(secret).verify(requests[0].request.body, requests[0].request.headers)
        assert body["delivery_id"] == delivery_id
        assert body["target_id"] == stored[delivery_id].target_id


async def test_a_crashed_workers_claim_is_retried_once_the_lease_expires(
    harness: Harness,
) -> None:
    h = harness
    await h.account("alice")
    with Receiver(lambda _r: Reply(204)) as receiver:
        [delivery_id] = await enqueue(h, "alice", receiver.url, 1)
        crashed = JobRunner(h.runtime, DELIVER)
        [claim] = await crashed.claim(10)  # then the process dies before sending
        survivor = JobRunner(h.runtime, DELIVER)
        assert await survivor.run_due() == 0, "leased: not sent twice meanwhile"
        h.clock.advance(h.runtime.settings.webhook_lease + timedelta(seconds=1))
        assert await survivor.run_due() == 1
        assert await crashed.run_one(claim) is None, "a stale claim sends nothing"
        assert await survivor.run_due() == 0
    assert [r.webhook_id for r in receiver.received] == [delivery_id]
    assert (await deliveries(h))[delivery_id].status == "delivered"


async def test_the_http_call_holds_no_database_transaction(harness: Harness) -> None:
    h = harness
    await h.account("alice")
    arrived, release = threading.Event(), threading.Event()

    def script(_request: Request) -> Action:
        arrived.set()
        release.wait(5)
        return Reply(200)

    with Receiver(script) as receiver:
        [delivery_id] = await enqueue(h, "alice", receiver.url, 1)
        sending = asyncio.create_task(JobRunner(h.runtime, DELIVER).run_due())
        assert await asyncio.to_thread(arrived.wait, 5)
        async with asyncio.timeout(2), transaction(h.runtime.sessions) as session:
            # Blocks if the worker held the SQLite write lock or the row lock on PostgreSQL.
            await session.execute(
                text("UPDATE webhook_deliveries SET round = round WHERE id = :id"),
                {"id": delivery_id},
            )
        release.set()
        assert await sending == 1
    assert (await deliveries(h))[delivery_id].status == "delivered"


async def _until_delivered(h: Harness, count: int) -> None:
    async with asyncio.timeout(10):
        while sum(d.status == "delivered" for d in (await deliveries(h)).values()) < count:
            await asyncio.sleep(0.05)


async def test_at_most_four_requests_in_flight_per_endpoint(harness: Harness) -> None:
    h = harness
    await h.account("alice")

    def slow(_request: Request) -> Action:
        time.sleep(0.15)
        return Reply(200)

    with Receiver(slow) as busy, Receiver(slow) as quiet:
        await enqueue(h, "alice", busy.url, 10)
        await enqueue(h, "alice", quiet.url, 3)
        stop = asyncio.Event()
        worker = asyncio.create_task(JobRunner(h.runtime, DELIVER).run(stop, idle_seconds=0.05))
        await _until_delivered(h, 13)
        stop.set()
        await worker
    assert busy.max_concurrent == h.runtime.settings.webhook_endpoint_concurrency == 4
    assert quiet.max_concurrent == 3
    assert len(busy.received) == 10


async def test_a_hit_is_sent_right_after_commit_not_at_the_next_poll(harness: Harness) -> None:
    h = harness
    with Receiver(lambda _r: Reply(200)) as receiver:
        key = await h.account("alice", webhook_url=receiver.url)
        stop = asyncio.Event()
        worker = asyncio.create_task(JobRunner(h.runtime, DELIVER).run(stop, idle_seconds=600))
        await asyncio.sleep(0.05)  # the worker's first pass found nothing and sleeps
        await fire_hits(h, key, ["XOM"])
        await _until_delivered(h, 1)  # well inside the 600 s idle wait: the commit woke it
        stop.set()
        await worker
    [request] = receiver.received
    assert json.loads(request.request.body)["payload"]["ticker"] == "XOM"


async def test_two_workers_never_share_a_delivery_or_the_endpoint_limit(harness: Harness) -> None:
    """As two processes would (PostgreSQL: FOR UPDATE SKIP LOCKED; the limit counts leases)."""
    h = harness
    await h.account("alice")

    def slow(_request: Request) -> Action:
        time.sleep(0.1)
        return Reply(200)

    with Receiver(slow) as receiver:
        ids = await enqueue(h, "alice", receiver.url, 16)
        stop = asyncio.Event()
        workers = [
            asyncio.create_task(JobRunner(h.runtime, DELIVER).run(stop, idle_seconds=0.05))
            for _ in range(2)
        ]
        await _until_delivered(h, 16)
        stop.set()
        await asyncio.gather(*workers)
    assert sorted(r.webhook_id for r in receiver.received) == sorted(ids), "each exactly once"
    assert receiver.max_concurrent <= 4
