"""Job `webhook.deliver`: one attempt of one claimed delivery (Polar `webhook/tasks.py`).

Declared as `DELIVER` for the job runtime (`sniper.worker.jobs`): the hit transaction writes a
`WebhookDelivery` and its commit wakes the loop, so the happy path sends at once. A claim leases
the row for `SNIPER_WEBHOOK_LEASE` (longer than the request timeout, checked by Settings); at
most `SNIPER_WEBHOOK_ENDPOINT_CONCURRENCY` (default 4) deliveries per endpoint are in flight,
and `SNIPER_WEBHOOK_MAX_IN_FLIGHT` per process; retries follow `notify.policy.webhook_backoff`.

`claim` leases due deliveries and reads what to send in one transaction (the idempotency guard:
only pending, due, unleased rows; an endpoint disabled meanwhile -> dead, no request). `deliver`
then sends, outside any transaction, signed (Standard Webhooks v1, `sender.send_webhook`) unless
its lease already expired, and records the attempt row and the outcome (`record_many`, which leaves
a delivery another worker took over to that worker). Finished attempts are recorded in batches:
the runner's `attempt_recorder` is a group commit (`kit.batch`), one transaction per flush of
up to `RECORD_BATCH` attempts, each flush starting as soon as the previous one committed, and
`deliver` returns only once its attempt's flush committed (the delivery stays in flight, and
leased, until then). A crash before that commit leaves the delivery to its lease: sent again,
at least once. Outcomes: 2xx -> `delivered`;
retryable (network, timeout, 408, 429, 5xx) -> next attempt per `kit.retry.delay`, or `dead`
when the round is used up; anything else -> `dead`. The endpoint's health is kept in the same
transaction: a success clears its failure record; 410 disables it at once and so does failing
for `SNIPER_WEBHOOK_DISABLE_AFTER` with no success (Svix, 5 days), which marks its waiting
deliveries dead and pushes `webhook.endpoint_disabled`.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from sniper.db.session import on_commit, transaction
from sniper.kit import logs, metrics
from sniper.kit.batch import GroupCommit
from sniper.kit.retry import Backoff, delay
from sniper.kit.timefmt import iso_z
from sniper.kit.wake import DELIVER_WEBHOOK
from sniper.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from sniper.notify import events
from sniper.notify import repository as repo
from sniper.notify.policy import webhook_backoff
from sniper.notify.sender import AttemptResult, send_webhook
from sniper.notify.webhook_secrets import signing_secrets
from sniper.runtime import Runtime
from sniper.worker.jobs import Job, JobContext, release_slot

RETRYING = "retrying"  # the outcome label of an attempt after which the delivery waits
RECORD_BATCH = 100  # most finished attempts one record transaction takes
RECORDER = "webhook.recorder"  # the runner's `Recorder` in its `JobContext.state`


@dataclass(frozen=True)
class Claim:
    """A delivery this worker leased until `lease_expires_at` (service clock) and what its
    attempt sends: `body` is the exact JSON bytes, `secrets` the signing secrets, current first."""

    delivery_id: str
    lease_expires_at: datetime
    url: str
    body: bytes
    secrets: tuple[str, ...]


@dataclass(frozen=True)
class Attempt:
    """One finished attempt of `claim`, to record: begun at `attempted_at` (service clock)."""

    claim: Claim
    attempted_at: datetime
    result: AttemptResult


Recorder = GroupCommit[Attempt, str]


def encode_body(payload: dict[str, object]) -> bytes:
    """Compact UTF-8 JSON, the bytes that are signed and POSTed."""
    return json.dumps(payload, separators=(",", ":")).encode()


async def claim(
    session: AsyncSession,
    runtime: Runtime,
    *,
    limit: int,
    in_flight: Collection[str] = (),
    skip: Collection[str] = (),
) -> list[Claim]:
    """Lease up to `limit` due deliveries and read what to send, in the caller's transaction:
    this read is the job's idempotency guard (only `pending` rows that are due and under no
    unexpired lease are taken). A delivery whose endpoint was disabled meanwhile is marked dead
    here and sends nothing."""
    settings = runtime.settings
    now = runtime.clock.now()
    lease = now + settings.webhook_lease
    ids = await repo.claim_due(
        session,
        now=now,
        lease_expires_at=lease,
        limit=limit,
        per_endpoint=settings.webhook_endpoint_concurrency,
        in_flight=in_flight,
        skip=skip,
    )
    claims = []
    for delivery, endpoint, account in await repo.load_for_send(session, ids):
        if endpoint.status != "active":
            delivery.status, delivery.lease_expires_at = "dead", None
            delivery.last_error = f"endpoint disabled: {endpoint.disabled_reason}"
            continue
        body, secrets = encode_body(delivery.payload), signing_secrets(account, now)
        claims.append(Claim(delivery.id, lease, delivery.url, body, secrets))
    return claims


async def deliver(
    runtime: Runtime,
    claim: Claim,
    *,
    policy: Backoff,
    rng: random.Random,
    recorder: Recorder | None = None,
) -> str | None:
    """Job `webhook.deliver`: attempt `claim` once, outside any transaction, then record it,
    through `recorder` (batched with other finished attempts, `attempt_recorder`) or, without
    one, in a transaction of its own. Returns the delivery's status once the record committed
    (`pending`, `delivered`, `dead`), or None when the lease had already expired (another worker
    may hold the delivery now): nothing is sent."""
    attempted_at = runtime.clock.now()
    if attempted_at >= claim.lease_expires_at:
        return None
    result = await send_webhook(
        runtime.webhook_http,
        claim.url,
        secret=claim.secrets,
        delivery_id=claim.delivery_id,
        body=claim.body,
        timestamp=runtime.wall_clock.now(),
        allow_networks=runtime.settings.webhook_allow_networks,
        resolver=runtime.resolver,
        timeout_seconds=runtime.settings.webhook_timeout.total_seconds(),
    )
    release_slot()  # the POST is over: the runner may start another while this one records
    attempt = Attempt(claim, attempted_at, result)
    if recorder is None:
        status = await record_alone(runtime, attempt, policy, rng)
    else:
        status = await recorder.submit(attempt)
    _observe_attempt(claim, result, status)
    return status


def attempt_recorder(
    runtime: Runtime, policy: Backoff, rng: random.Random, *, max_batch: int = RECORD_BATCH
) -> Recorder:
    """A group commit of finished attempts (`kit.batch.GroupCommit`): each flush records up to
    `max_batch` of them in one transaction (`record_many`); a flush that fails is retried one
    attempt per transaction, so one bad row costs only its own record."""

    async def many(attempts: Sequence[Attempt]) -> list[str]:
        async with transaction(runtime.sessions) as session:
            return await record_many(session, runtime, attempts, policy, rng)

    async def one(attempt: Attempt) -> str:
        return await record_alone(runtime, attempt, policy, rng)

    return GroupCommit(many, one, max_batch=max_batch)


async def record_alone(
    runtime: Runtime, attempt: Attempt, policy: Backoff, rng: random.Random
) -> str:
    """Record `attempt` in a transaction of its own; the delivery's status once committed."""
    async with transaction(runtime.sessions) as session:
        [status] = await record_many(session, runtime, [attempt], policy, rng)
        return status


async def record_many(
    session: AsyncSession,
    runtime: Runtime,
    attempts: Sequence[Attempt],
    policy: Backoff,
    rng: random.Random,
) -> list[str]:
    """Record each of `attempts` (`apply_attempt`) in the caller's transaction, their
    deliveries and endpoints locked by one statement; the deliveries' statuses, in order
    ("dead" for one deleted)."""
    rows = await repo.lock_for_record_many(session, {a.claim.delivery_id for a in attempts})
    statuses = []
    for attempt in attempts:
        row = rows.get(attempt.claim.delivery_id)
        if row is None:
            statuses.append("dead")  # deleted with its account meanwhile
            continue
        claim, at, result = attempt.claim, attempt.attempted_at, attempt.result
        statuses.append(await apply_attempt(session, runtime, claim, at, result, policy, rng, row))
        rows[claim.delivery_id] = (row[0], row[1], row[2] + 1)
    return statuses


def _observe_attempt(claim: Claim, result: AttemptResult, status: str) -> None:
    """After the attempt's outcome committed: `sniper_webhook_deliveries_total{outcome}` and
    the `webhook.attempt` event, which names the receiver by origin only (a webhook URL's path
    or query may be a credential) and never the body, secret or signature."""
    outcome = RETRYING if status == "pending" else status
    metrics.WEBHOOK_DELIVERIES.labels(outcome=outcome).inc()
    fields = {
        "delivery_id": claim.delivery_id,
        "receiver": origin(claim.url),
        "attempt_outcome": "success" if result.outcome.ok else result.outcome.kind,
        "status_code": result.status_code,
        "latency_ms": round(result.latency_ms, 1),
        "error": result.error,
        "delivery_status": outcome,
    }
    level = logging.INFO if result.outcome.ok else logging.WARNING
    logs.event("webhook.attempt", fields, level=level)


def origin(url: str) -> str:
    """`scheme://host[:port]` of `url`, without user info, path or query."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    port = f":{parts.port}" if parts.port is not None else ""
    return f"{parts.scheme}://{host}{port}"


async def apply_attempt(
    session: AsyncSession,
    runtime: Runtime,
    claim: Claim,
    attempted_at: datetime,
    result: AttemptResult,
    policy: Backoff,
    rng: random.Random,
    row: tuple[WebhookDelivery, WebhookEndpoint, int],
) -> str:
    """Store the attempt row and apply its outcome to the delivery and its endpoint, already
    locked (`repo.lock_for_record_many`), `made` attempts into the current round; returns the
    delivery's status."""
    delivery, endpoint, made = row
    session.add(_attempt_row(delivery, made + 1, attempted_at, result))
    now = runtime.clock.now()
    if result.outcome.ok:
        endpoint.last_success_at, endpoint.first_failure_at = now, None
        if delivery.status != "delivered":  # the receiver has it, whoever holds the lease
            delivery.status, delivery.delivered_at = "delivered", now
            _release(delivery, result)
        return delivery.status
    reason = _disable_reason(endpoint, result, now, runtime.settings.webhook_disable_after)
    if reason is not None:
        await disable_endpoint(session, runtime, endpoint, reason, now=now)
    if delivery.status != "pending" or delivery.lease_expires_at != claim.lease_expires_at:
        return delivery.status  # another worker owns the delivery now; it decides
    wait = None
    if result.outcome.retryable and endpoint.status == "active":
        wait = delay(policy, made + 1, hint=result.outcome.hint, rng=rng)
    _release(delivery, result)
    if wait is None:
        delivery.status = "dead"
    else:
        delivery.next_attempt_at = now + timedelta(seconds=wait)
    return delivery.status


def _attempt_row(
    delivery: WebhookDelivery, number: int, attempted_at: datetime, result: AttemptResult
) -> WebhookAttempt:
    outcome = "success" if result.outcome.ok else result.outcome.kind
    return WebhookAttempt(
        delivery_id=delivery.id,
        round=delivery.round,
        number=number,
        attempted_at=attempted_at,
        status_code=result.status_code,
        latency_ms=round(result.latency_ms, 1),
        response_excerpt=result.response_excerpt,
        error=result.error,
        outcome=outcome,
    )


def _release(delivery: WebhookDelivery, result: AttemptResult) -> None:
    """End the claim and keep the latest attempt's summary on the delivery."""
    delivery.lease_expires_at = None
    delivery.last_status_code, delivery.last_error = result.status_code, result.error


def _disable_reason(
    endpoint: WebhookEndpoint, result: AttemptResult, now: datetime, disable_after: timedelta
) -> str | None:
    """Note a failure on an active endpoint; return why it must be disabled now, or None."""
    if endpoint.status != "active":
        return None
    if endpoint.first_failure_at is None:
        endpoint.first_failure_at = now
    if result.status_code == 410:
        return "HTTP 410 Gone"
    if now - endpoint.first_failure_at >= disable_after:
        return f"failing since {iso_z(endpoint.first_failure_at)} with no success"
    return None


async def disable_endpoint(
    session: AsyncSession,
    runtime: Runtime,
    endpoint: WebhookEndpoint,
    reason: str,
    *,
    now: datetime,
) -> None:
    """Disable `endpoint`: its waiting deliveries die, later hits to it are dead on arrival, and
    the account hears `webhook.endpoint_disabled` on its WebSocket once this commits."""
    endpoint.status, endpoint.disabled_at, endpoint.disabled_reason = "disabled", now, reason
    killed = await repo.kill_pending(
        session, endpoint.id, now=now, error=f"endpoint disabled: {reason}"
    )
    fields = {
        "endpoint_id": endpoint.id,
        "account_id": endpoint.account_id,
        "receiver": origin(endpoint.url),
        "reason": reason,
        "deliveries_dead": len(killed),
    }
    on_commit(
        session,
        lambda: logs.event("webhook.endpoint_disabled", fields, level=logging.WARNING),
    )
    frame = events.endpoint_disabled(
        url=endpoint.url,
        reason=reason,
        disabled_at=now,
        first_failure_at=endpoint.first_failure_at,
    )
    runtime.publish_on_commit(session, [(endpoint.account_id, frame)])


async def _claim(
    context: JobContext, limit: int, in_flight: Collection[str], skip: Collection[str]
) -> list[Claim]:
    async with transaction(context.runtime.sessions) as session:
        return await claim(session, context.runtime, limit=limit, in_flight=in_flight, skip=skip)


async def _deliver(context: JobContext, job: Claim) -> str | None:
    assert context.backoff is not None
    recorder = context.state.get(RECORDER)
    if recorder is None:  # one per runner: its flushes batch the runner's finished attempts
        recorder = attempt_recorder(context.runtime, context.backoff, context.rng)
        context.state[RECORDER] = recorder
    return await deliver(
        context.runtime, job, policy=context.backoff, rng=context.rng, recorder=recorder
    )


DELIVER = Job(
    name=DELIVER_WEBHOOK,
    claim=_claim,
    run=_deliver,
    key=lambda job: job.delivery_id,
    concurrency=lambda settings: settings.webhook_max_in_flight,
    retry=webhook_backoff,
    poll_seconds=0.5,
)
