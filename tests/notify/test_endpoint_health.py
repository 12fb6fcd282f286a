"""Retry schedule, dead deliveries and disabled endpoints on an injected clock (RELIABILITY.md
F6): attempts follow Standard Webhooks' schedule within +-20 %, a permanently failing endpoint's
delivery goes dead and the endpoint is disabled after 5 days with no success, 410 disables at
once, redirects are never followed."""

from __future__ import annotations

import asyncio
import itertools
from datetime import datetime, timedelta
from random import Random
from typing import Any

import pytest

from sniper.clock import ManualClock
from sniper.config import STANDARD_WEBHOOKS_DELAYS, Settings
from sniper.db.session import transaction
from sniper.notify.hub import Subscription
from sniper.notify.service import reenable_endpoint
from sniper.notify.tasks import DELIVER, Claim
from sniper.worker.jobs import JobRunner
from tests.conftest import Harness, running
from tests.notify.helpers import account, deliveries, endpoint, enqueue
from tests.notify.receiver import Action, Receiver
from tests.notify.stubs import StubResolver
from tests.support.http_server import Reply, Request


async def _frame(subscription: Subscription) -> dict[str, Any]:
    async with asyncio.timeout(2):
        return await subscription.get()


async def _attempt_until_settled(h: Harness, worker: JobRunner[Claim], delivery_id: str) -> None:
    """Move the clock to each scheduled attempt in turn until the delivery is settled."""
    for _ in range(50):
        assert await worker.run_due() == 1
        delivery = (await deliveries(h))[delivery_id]
        if delivery.status != "pending":
            return
        h.clock.set(delivery.next_attempt_at)
    raise AssertionError("delivery never settled")


def _assert_follows_schedule(times: list[datetime]) -> None:
    """10 attempts, each gap within +-20 % of Standard Webhooks' schedule, and jittered."""
    assert tuple(Settings().webhook_retry_delays) == STANDARD_WEBHOOKS_DELAYS
    assert len(times) == len(STANDARD_WEBHOOKS_DELAYS) + 1
    gaps = [(later - earlier).total_seconds() for earlier, later in itertools.pairwise(times)]
    ratios = [
        gap / scheduled for gap, scheduled in zip(gaps, STANDARD_WEBHOOKS_DELAYS, strict=True)
    ]
    assert all(0.8 <= ratio <= 1.2 for ratio in ratios), ratios
    assert len({round(ratio, 6) for ratio in ratios}) > 1, "jittered, not exactly the schedule"
    total = (times[-1] - times[0]).total_seconds()
    assert 0.8 * sum(STANDARD_WEBHOOKS_DELAYS) <= total <= 1.2 * sum(STANDARD_WEBHOOKS_DELAYS)
    assert 60 * 3600 <= total <= 91 * 3600  # "the last attempt ~75 h after the first"


async def test_schedule_jitter_dead_then_disabled_after_five_days(
    settings: Settings, clock: ManualClock
) -> None:
    default_schedule = settings.model_copy(
        update={"webhook_retry_delays": list(Settings().webhook_retry_delays)}
    )
    with Receiver(lambda _r: Reply(500, b"down")) as receiver:
        async with running(default_schedule, clock) as h:
            await h.account("alice")
            owner = await account(h, "alice")
            worker = JobRunner(h.runtime, DELIVER, rng=Random(6))
            [first] = await enqueue(h, "alice", receiver.url, 1)
            started = h.clock.now()
            await _attempt_until_settled(h, worker, first)
            dead = (await deliveries(h))[first]
            health = await endpoint(h, receiver.url)
            # 5 days after the first failure, with no success since, the next failure disables.
            h.clock.set(started + timedelta(days=5))
            with h.runtime.hub.subscribe(owner.id) as subscription:
                [second] = await enqueue(h, "alice", receiver.url, 1)
                assert await worker.run_due() == 1
                frame = await _frame(subscription)
            [late] = await enqueue(h, "alice", receiver.url, 1)
            assert await worker.run_due() == 0
            after = await deliveries(h)
    assert dead.status == "dead"
    _assert_follows_schedule([a.attempted_at for a in dead.attempts])
    assert (health.status, health.first_failure_at) == ("active", started)
    assert after[second].status == "dead"
    assert len(after[second].attempts) == 1
    assert frame["event"] == "webhook.endpoint_disabled"
    assert frame["data"]["url"] == receiver.url
    assert frame["data"]["reason"] == "failing since 2025-12-12T14:00:00Z with no success"
    assert after[late].status == "dead"
    assert after[late].attempts == []
    assert after[late].last_error == f"endpoint disabled: {frame['data']['reason']}"
    assert len(receiver.received) == 11, "nothing is sent to a disabled endpoint"


async def test_410_disables_at_once_and_setting_the_url_again_reenables(
    settings: Settings, clock: ManualClock
) -> None:
    waiting = settings.model_copy(update={"webhook_retry_delays": [60.0], "webhook_jitter": 0.0})
    answers = iter([Reply(503), Reply(410, b"gone")])

    def script(_request: Request) -> Action:
        return next(answers, Reply(200))

    with Receiver(script) as receiver:
        async with running(waiting, clock) as h:
            key = await h.account("alice")
            owner = await account(h, "alice")
            worker = JobRunner(h.runtime, DELIVER)
            [retrying] = await enqueue(h, "alice", receiver.url, 1)
            assert await worker.run_due() == 1  # 503: next attempt in 60 s
            with h.runtime.hub.subscribe(owner.id) as subscription:
                [gone] = await enqueue(h, "alice", receiver.url, 1)
                assert await worker.run_due() == 1  # 410
                frame = await _frame(subscription)
            [on_arrival] = await enqueue(h, "alice", receiver.url, 1)
            h.clock.advance(120)
            assert await worker.run_due() == 0
            disabled = await endpoint(h, receiver.url)
            reset = await h.client.put(  # the account sets its URL again
                "/api/v1/user/", headers={"X-API-Key": key}, json={"webhook_url": receiver.url}
            )
            assert reset.status_code == 200
            async with transaction(h.runtime.sessions) as session:
                assert not await reenable_endpoint(session, owner.id, receiver.url)
            [fresh] = await enqueue(h, "alice", receiver.url, 1)
            assert await worker.run_due() == 1
            stored = await deliveries(h)
            enabled = await endpoint(h, receiver.url)
    assert (disabled.status, disabled.disabled_reason) == ("disabled", "HTTP 410 Gone")
    assert frame["data"]["reason"] == "HTTP 410 Gone"
    assert [a.status_code for a in stored[gone].attempts] == [410]
    assert stored[gone].status == "dead"
    for killed in (retrying, on_arrival):
        assert stored[killed].status == "dead"
        assert stored[killed].last_error == "endpoint disabled: HTTP 410 Gone"
    assert stored[on_arrival].attempts == []
    assert (enabled.status, enabled.first_failure_at, enabled.disabled_at) == ("active", None, None)
    assert enabled.last_success_at is not None
    assert stored[fresh].status == "delivered"
    assert [r.webhook_id for r in receiver.received] == [retrying, gone, fresh]


REDIRECTS = {
    "/to-receiver": (302, "{other}/stolen"),
    "/to-private-name": (307, "http://internal.test/admin"),
    "/to-private-ip": (301, "http://10.0.0.5/"),
    "/to-metadata": (308, "http://169.254.169.254/latest/meta-data/"),
}


async def test_redirects_are_failures_and_never_followed(harness: Harness) -> None:
    h = harness
    await h.account("alice")
    resolver = StubResolver({"internal.test": ["10.0.0.5"]})
    h.runtime.resolver = resolver
    with Receiver(lambda _r: Reply(200)) as other:

        def script(request: Request) -> Action:
            status, location = REDIRECTS[request.path]
            return Reply(status, b"moved", {"Location": location.format(other=other.url)})

        with Receiver(script) as redirecting:
            ids = {}
            for path in REDIRECTS:
                [ids[path]] = await enqueue(h, "alice", redirecting.url + path, 1)
            worker = JobRunner(h.runtime, DELIVER)
            assert await worker.run_due() == len(REDIRECTS)
            assert await worker.run_due() == 0
            stored = await deliveries(h)
    assert other.received == []
    assert resolver.lookups == []
    assert len(redirecting.received) == len(REDIRECTS)
    for path, (status, _location) in REDIRECTS.items():
        [attempt] = stored[ids[path]].attempts
        assert stored[ids[path]].status == "dead"
        assert (attempt.status_code, attempt.outcome) == (status, "permanent")
        assert attempt.error == f"HTTP {status}: redirects are not followed"


@pytest.mark.parametrize(("status", "final"), [(404, "dead"), (400, "dead"), (408, "pending")])
async def test_other_4xx_are_permanent_but_408_is_retried(
    harness: Harness, status: int, final: str
) -> None:
    h = harness
    await h.account("alice")
    with Receiver(lambda _r: Reply(status)) as receiver:
        [delivery_id] = await enqueue(h, "alice", receiver.url, 1)
        assert await JobRunner(h.runtime, DELIVER).run_due() == 1
        stored = (await deliveries(h))[delivery_id]
        health = await endpoint(h, receiver.url)
    assert stored.status == final
    assert health.status == "active", "only 410 or a long failure disables"
