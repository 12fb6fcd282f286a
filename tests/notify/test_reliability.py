"""RELIABILITY.md F5: no lost webhook while a receiver is down. The receiver answers 500 for the
first 60 s (service clock), then 10 % 503 and 5 % hangs past the timeout, fixed seed; the clock
steps 5 s at a time, bounded. Expect 0 undelivered, 0 bad signatures, and duplicates only as
retries of one webhook-id."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta

from standardwebhooks.webhooks import Webhook

from sniper.clock import ManualClock
from sniper.config import Settings
from sniper.models import WebhookDelivery
from sniper.notify.tasks import DELIVER
from sniper.worker.jobs import JobRunner
from tests.conftest import running
from tests.notify.helpers import account, deliveries, enqueue
from tests.notify.receiver import Action, Hang, Received, Receiver
from tests.support.http_server import Reply, Request

OUTAGE = timedelta(seconds=60)
PER_ACCOUNT = 20
STEP_SECONDS = 5
MAX_STEPS = 120  # 10 minutes of service clock
SEED = "F5"


def flaky(clock: ManualClock, order: dict[str, int]) -> object:
    """500 during the outage; then for the n-th later request of the k-th delivery a draw seeded
    with (SEED, k, n), so the same requests fail on every run: 10 % 503, 5 % hang."""
    outage_ends = clock.now() + OUTAGE
    after_outage: dict[str, int] = {}

    def script(request: Request) -> Action:
        webhook_id = request.headers["webhook-id"]
        if clock.now() < outage_ends:
            return Reply(500, b"down for maintenance")
        after_outage[webhook_id] = n = after_outage.get(webhook_id, 0) + 1
        draw = random.Random(f"{SEED}:{order[webhook_id]}:{n}").random()
        if draw < 0.10:
            return Reply(503, b"busy")
        return Hang(2.0) if draw < 0.15 else Reply(200, b"ok")

    return script


def check_duplicates(requests: list[Received], delivery_id: str) -> None:
    """Every request of one webhook-id is the same webhook (a retry), the last one got a 2xx."""
    assert {r.request.body for r in requests} == {requests[0].request.body}
    assert json.loads(requests[0].request.body)["delivery_id"] == delivery_id
    assert requests[-1].action == Reply(200, b"ok")


def check_attempts(
    requests: list[Received], delivery: WebhookDelivery, *, delivery_after: datetime
) -> None:
    """Each request is one recorded attempt (a timeout may come before its request arrives);
    the one success came after the outage."""
    attempts = delivery.attempts
    assert sum(a.status_code is not None for a in attempts) <= len(requests) <= len(attempts)
    [success] = [a for a in attempts if a.outcome == "success"]
    assert success.attempted_at >= delivery_after


async def test_no_webhook_is_lost_while_the_receiver_is_down(
    settings: Settings, clock: ManualClock
) -> None:
    compressed = settings.model_copy(
        update={
            "webhook_timeout": timedelta(seconds=1),
            "webhook_retry_delays": [5.0, 10.0, 20.0, 30.0, 30.0, 30.0, 30.0, 30.0, 30.0],
        }
    )
    order: dict[str, int] = {}
    with Receiver(flaky(clock, order)) as receiver:  # type: ignore[arg-type]
        async with running(compressed, clock) as h:
            secrets = {}
            for name in ("alice", "bob"):
                await h.account(name)
                secrets[name] = (await account(h, name)).webhook_secret
                ids = await enqueue(h, name, f"{receiver.url}/{name}", PER_ACCOUNT)
                for delivery_id in ids:
                    order[delivery_id] = len(order)
            started = h.clock.now()
            worker = JobRunner(h.runtime, DELIVER, rng=random.Random(5))
            for _ in range(MAX_STEPS):
                await worker.run_due()
                stored = await deliveries(h)
                if all(d.status != "pending" for d in stored.values()):
                    break
                h.clock.advance(STEP_SECONDS)
    assert [d.id for d in stored.values() if d.status != "delivered"] == [], "0 undelivered"
    for item in receiver.received:
        owner = item.request.path.strip("/")
        Webhook(secrets[owner]).verify(item.request.body, item.request.headers)  # 0 bad
    assert set(receiver.by_id()) == set(order)
    for delivery_id, requests in receiver.by_id().items():
        check_duplicates(requests, delivery_id)
        check_attempts(requests, stored[delivery_id], delivery_after=started + OUTAGE)
    outcomes = {
        type(r.action).__name__ + str(getattr(r.action, "status", "")) for r in receiver.received
    }
    assert outcomes == {"Reply500", "Reply503", "Hang", "Reply200"}, "every failure mode occurred"
