"""Target transitions, each a conditional update so it happens exactly once.

CREATED -> ACTIVE at `start_time`; ACTIVE -> STOPPED `window_expired` at `expires_at`
(= `end_time` + `SNIPER_EXPIRY_GRACE`); CREATED/ACTIVE -> STOPPED `filing_hit` on the first
matching filing. Sweeps read due rows from the database, so a restart misses nothing that fell
due while the process was down.
"""

from __future__ import annotations

import functools
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from sniper.accounts.service import debit_up_to
from sniper.db.session import on_commit
from sniper.edgar.atom import DetectedFiling
from sniper.filings import pipeline
from sniper.kit import logs, metrics
from sniper.kit.timefmt import iso_z
from sniper.models import Target
from sniper.notify import events
from sniper.notify.service import enqueue_webhook
from sniper.runtime import Runtime
from sniper.targets import repository as repo


async def sweep(
    session: AsyncSession, runtime: Runtime, now: datetime | None = None
) -> tuple[int, int]:
    """Activate targets due at `now` (default: the clock), then expire those due. Returns
    `(activated, expired)`."""
    now = now or runtime.clock.now()
    activated = await repo.transition(
        session,
        where=[Target.status == "CREATED", Target.start_time <= now],
        values={"status": "ACTIVE", "activated_at": now},
    )
    expired = await repo.transition(
        session,
        where=[Target.status == "ACTIVE", Target.expires_at <= now],
        values={"status": "STOPPED", "resolution_reason": "window_expired", "stopped_at": now},
    )
    messages = [(t.account_id, events.lifecycle("sniper.target_activated", t)) for t in activated]
    messages += [(t.account_id, events.lifecycle("sniper.target_expired", t)) for t in expired]
    runtime.publish_on_commit(session, messages)
    return len(activated), len(expired)


async def record_hit(
    session: AsyncSession, runtime: Runtime, target_id: str, filing: DetectedFiling
) -> Target | None:
    """Fire `target_id` on `filing` if it is still open: stop it `filing_hit`, debit the hit
    cost, write the webhook outbox row and the filing pipeline's job. Returns the target, or
    None if another transition won."""
    now = runtime.clock.now()
    changed = await repo.transition(
        session,
        where=[Target.id == target_id, Target.status.in_(repo.OPEN_STATUSES)],
        values={
            "status": "STOPPED",
            "resolution_reason": "filing_hit",
            "stopped_at": now,
            "last_event": events.last_event(filing),
        },
    )
    if not changed:
        return None
    target = changed[0]
    await debit_up_to(
        session,
        target.account_id,
        runtime.settings.hit_cost,
        cause="sniper.filing_hit",
        reference=target.id,
        now=now,
        details={"accession_number": filing.accession_number},
    )
    await _notify_hit(session, runtime, target, filing, now)
    await pipeline.enqueue_hit(session, runtime, target, filing)  # processing_state "detected"
    on_commit(session, functools.partial(_observe_hit, _hit_fields(target, filing, now)))
    return target


def _hit_fields(target: Target, filing: DetectedFiling, now: datetime) -> dict[str, object]:
    """The `target.hit` event's fields, read before the commit expires the row: ids and
    service-clock times, no credentials."""
    return {
        "target_id": target.id,
        "account_id": target.account_id,
        "ticker": target.ticker,
        "cik": target.cik,
        "accession_number": filing.accession_number,
        "form_type": filing.form_type,
        "accepted_at": iso_z(filing.accepted_at),
        "detected_at": iso_z(now),
        "lag_seconds": round((now - filing.accepted_at).total_seconds(), 3),
    }


def _observe_hit(fields: dict[str, object]) -> None:
    """After the hit commits: count it (`sniper_hits_total`) and log `target.hit`."""
    metrics.HITS.inc()
    logs.event("target.hit", fields)


async def _notify_hit(
    session: AsyncSession,
    runtime: Runtime,
    target: Target,
    filing: DetectedFiling,
    now: datetime,
) -> None:
    """Outbox row for the webhook (when the target has a URL) and the WebSocket push, both in
    the hit's transaction; the worker wake-up and the push fire after it commits."""
    delivery_id = events.new_delivery_id()
    body = events.filing_hit(target, filing, delivery_id=delivery_id, detected_at=now)
    if target.webhook_url:
        await enqueue_webhook(
            session,
            runtime,
            delivery_id=delivery_id,
            account_id=target.account_id,
            target_id=target.id,
            url=target.webhook_url,
            body=body,
        )
    runtime.publish_on_commit(session, [(target.account_id, events.HitFrame(data=body))])
