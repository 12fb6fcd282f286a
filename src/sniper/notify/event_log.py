"""The per-account log of `/ws/main-api` event frames, so a client resumes without a gap.

`record` adds a frame to the log in the business transaction (the outbox rule: the row exists
exactly when the change committed) and `framed` gives the pushed frame, `{"id": N, ..frame}`,
once it committed. `since` reads what a client reconnecting with `?last_event_id=N` missed.

The log is bounded on insert: before the transaction commits, each account that got an event
keeps its newest `SNIPER_WS_EVENT_LOG_SIZE` rows, none older than `SNIPER_WS_EVENT_LOG_AGE`
(service clock). A client gone longer than that resumes at the oldest event still kept.

Ids grow with insertion (SQLite AUTOINCREMENT, a PostgreSQL sequence). On PostgreSQL two
transactions may commit in the other order than their ids; the replay is by id, so such an
event can be missed by a client that reconnects in between (the webhook outbox is the
lossless path).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, event, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from sniper.models import PushEvent

Frame = dict[str, Any]
_PRUNE = "sniper.push_events.prune"


def record(
    session: AsyncSession,
    account_id: int,
    frame: Frame,
    *,
    now: datetime,
    size: int,
    age: timedelta,
) -> PushEvent:
    """Add `frame` (JSON-able, without `id`) to `account_id`'s log in `session`'s transaction
    and prune the account's log to `size` rows younger than `age` before it commits. The
    row's `id` is set once the session flushes."""
    row = PushEvent(account_id=account_id, frame=frame, created_at=now)
    session.add(row)
    pending: dict[int, tuple[datetime, int]] | None = session.info.get(_PRUNE)
    if pending is None:
        pending = session.info[_PRUNE] = {}
        event.listen(session.sync_session, "before_commit", _prune_pending, once=True)
    pending[account_id] = (now - age, size)
    return row


def framed(row: PushEvent) -> Frame:
    """The frame pushed to clients: the stored frame with its `id` first."""
    return {"id": row.id, **row.frame}


def _prune_pending(session: Session) -> None:
    """`before_commit` hook: flush the new rows, then bound each touched account's log."""
    pending: dict[int, tuple[datetime, int]] = session.info.pop(_PRUNE, {})
    session.flush()
    for account_id, (cutoff, size) in pending.items():
        oldest_kept = (
            select(PushEvent.id)
            .where(PushEvent.account_id == account_id)
            .order_by(PushEvent.id.desc())
            .offset(size)
            .limit(1)
            .scalar_subquery()
        )
        statement = delete(PushEvent).where(
            PushEvent.account_id == account_id,
            or_(PushEvent.created_at < cutoff, PushEvent.id <= oldest_kept),
        )
        session.execute(statement.execution_options(synchronize_session=False))


async def since(
    session: AsyncSession, account_id: int, last_event_id: int, limit: int
) -> list[Frame]:
    """`account_id`'s logged frames with `id > last_event_id`, oldest first, at most `limit`."""
    rows = await session.scalars(
        select(PushEvent)
        .where(PushEvent.account_id == account_id, PushEvent.id > last_event_id)
        .order_by(PushEvent.id)
        .limit(limit)
    )
    return [framed(row) for row in rows]


async def newest(session: AsyncSession, account_id: int) -> int:
    """The id of `account_id`'s newest logged frame, 0 when it has none."""
    found = await session.scalar(
        select(func.max(PushEvent.id)).where(PushEvent.account_id == account_id)
    )
    return int(found or 0)
