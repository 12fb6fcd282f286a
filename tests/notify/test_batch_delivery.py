"""Batched recording (issue 14): many finished attempts share one record transaction, and every
attempt still gets its row, its retry and its backoff, against a real receiver on 127.0.0.1."""

from __future__ import annotations

import asyncio
import threading
import time

from sniper.clock import ManualClock
from sniper.config import Settings
from sniper.notify.tasks import DELIVER, RECORDER
from sniper.worker.jobs import JobRunner
from tests.conftest import Harness, running
from tests.notify.helpers import deliveries, enqueue
from tests.notify.receiver import Action, Receiver, Script
from tests.support.http_server import Reply, Request

HITS, ENDPOINTS = 200, 10


async def _deliver_all(h: Harness, worker: JobRunner[object], count: int) -> None:
    """Run `worker`'s loop until `count` deliveries are delivered (generous deadline)."""
    stop = asyncio.Event()
    loop = asyncio.create_task(worker.run(stop, idle_seconds=0.05))
    try:
        async with asyncio.timeout(60):
            while sum(d.status == "delivered" for d in (await deliveries(h)).values()) < count:
                await asyncio.sleep(0.1)
    finally:
        stop.set()
        await loop


async def _enqueue_spread(h: Harness, url: str) -> list[str]:
    ids = []
    for number in range(ENDPOINTS):
        ids += await enqueue(h, "alice", f"{url}/hook/{number}", HITS // ENDPOINTS)
    return ids


async def test_200_queued_hits_are_each_delivered_once_with_one_attempt_row(
    harness: Harness,
) -> None:
    h = harness
    await h.account("alice")
    with Receiver(lambda _r: Reply(200, b"ok")) as receiver:
        ids = await _enqueue_spread(h, receiver.url)
        worker: JobRunner[object] = JobRunner(h.runtime, DELIVER)
        await _deliver_all(h, worker, HITS)
    assert sorted(r.webhook_id for r in receiver.received) == sorted(ids), "each exactly once"
    stored = await deliveries(h)
    assert {d.status for d in stored.values()} == {"delivered"}
    assert all([a.number for a in d.attempts] == [1] for d in stored.values())
    assert all(d.attempts[0].outcome == "success" for d in stored.values())
    assert all(d.attempts[0].response_excerpt == "ok" for d in stored.values())
    flushes = worker.context.state[RECORDER].flushes
    assert 0 < flushes < HITS, "finished attempts share record transactions"


def _first_answer_503(failing: set[str]) -> Script:
    """503 to the first request of each webhook-id in `failing`, 200 to everything else."""
    answered: set[str] = set()
    lock = threading.Lock()

    def script(request: Request) -> Action:
        delivery_id = request.headers["webhook-id"]
        with lock:
            first = delivery_id not in answered
            answered.add(delivery_id)
        return Reply(503, b"busy") if first and delivery_id in failing else Reply(200, b"ok")

    return script


async def test_a_receiver_failing_some_gets_their_retries_recorded(
    settings: Settings, clock: ManualClock
) -> None:
    fast = settings.model_copy(update={"webhook_retry_delays": [0.0] * 3})
    failing: set[str] = set()
    script = _first_answer_503(failing)
    with Receiver(script) as receiver:
        async with running(fast, clock) as h:
            await h.account("alice")
            ids = await _enqueue_spread(h, receiver.url)
            failing.update(ids[::3])
            await _deliver_all(h, JobRunner(h.runtime, DELIVER), HITS)
            stored = await deliveries(h)
    assert {d.status for d in stored.values()} == {"delivered"}
    for delivery_id, delivery in stored.items():
        outcomes = [(a.number, a.status_code, a.outcome) for a in delivery.attempts]
        if delivery_id in failing:
            assert outcomes == [(1, 503, "retryable"), (2, 200, "success")]
            assert delivery.attempts[1].attempted_at >= delivery.attempts[0].attempted_at
        else:
            assert outcomes == [(1, 200, "success")]
    assert len(receiver.received) == HITS + len(failing)
    assert all(d.endpoint.first_failure_at is None for d in stored.values()), "success clears"


async def test_no_more_posts_at_once_than_max_in_flight_while_attempts_wait_for_their_record(
    settings: Settings, clock: ManualClock
) -> None:
    """A run frees its slot when its POST ends (its record may still be queued); the POSTs at
    once stay within `SNIPER_WEBHOOK_MAX_IN_FLIGHT` and each endpoint's limit."""
    narrow = settings.model_copy(update={"webhook_max_in_flight": 6})

    def slow(_request: Request) -> Action:
        time.sleep(0.05)
        return Reply(200)

    with Receiver(slow) as receiver:
        async with running(narrow, clock) as h:
            await h.account("alice")
            ids = await _enqueue_spread(h, receiver.url)
            await _deliver_all(h, JobRunner(h.runtime, DELIVER), HITS)
    assert sorted(r.webhook_id for r in receiver.received) == sorted(ids), "each exactly once"
    assert receiver.max_concurrent <= 6
