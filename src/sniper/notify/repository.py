"""All SQL of webhook delivery: endpoints, the outbox, claims with leases, attempts, listing.

Claiming is `sniper.worker.claim` (`SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL, so several
workers never take the same row; on SQLite the write lock and one worker), with a per-endpoint
concurrency cap on top.
Nothing here commits: the caller's transaction does.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from sniper.db.upsert import dialect_insert
from sniper.models import Account, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from sniper.worker import claim

D = WebhookDelivery
DELIVERIES = claim.JobTable(WebhookDelivery)


async def endpoint_for(
    session: AsyncSession, account_id: int, url: str, *, now: datetime
) -> WebhookEndpoint:
    """The endpoint row of (`account_id`, `url`), created `active` if missing (race-free:
    ``INSERT ... ON CONFLICT DO NOTHING`` then a read)."""
    await session.execute(
        dialect_insert(session, WebhookEndpoint)
        .values(account_id=account_id, url=url, status="active", created_at=now)
        .on_conflict_do_nothing(index_elements=["account_id", "url"])
    )
    result = await session.execute(
        select(WebhookEndpoint).where(
            WebhookEndpoint.account_id == account_id, WebhookEndpoint.url == url
        )
    )
    return result.scalar_one()


async def claim_due(
    session: AsyncSession,
    *,
    now: datetime,
    lease_expires_at: datetime,
    limit: int,
    per_endpoint: int,
    in_flight: Collection[str] = (),
    skip: Collection[str] = (),
) -> list[str]:
    """Lease up to `limit` due pending deliveries and return their ids, oldest due first.

    An endpoint never has more than `per_endpoint` deliveries under an unexpired lease (or in
    this process's `in_flight`); `skip` ids are not claimed. A claim sets `lease_expires_at` and
    pushes `next_attempt_at` to it, so a crashed worker's claim falls due again then
    (`sniper.worker.claim`).
    """
    held = list(in_flight)
    not_held = D.id.not_in([*held, *skip])
    occupied = and_(D.status == "pending", or_(D.lease_expires_at > now, D.id.in_(held)))
    rank = func.row_number().over(
        partition_by=D.endpoint_id,
        order_by=(case((occupied, 0), else_=1), D.next_attempt_at, D.id),
    )
    due = and_(DELIVERIES.is_due(now), not_held)
    ranked = select(D.id.label("id"), rank.label("rank")).where(or_(due, occupied)).subquery()
    eligible = select(ranked.c.id).where(ranked.c.rank <= per_endpoint)
    return await claim.claim_due(
        session,
        DELIVERIES,
        now=now,
        lease_expires_at=lease_expires_at,
        limit=limit,
        where=(not_held, D.id.in_(eligible)),
    )


async def load_for_send(
    session: AsyncSession, delivery_ids: Sequence[str]
) -> list[tuple[WebhookDelivery, WebhookEndpoint, Account]]:
    """The deliveries with their endpoints and owning accounts, in `next_attempt_at` order."""
    if not delivery_ids:
        return []
    result = await session.execute(
        select(D, WebhookEndpoint, Account)
        .join(WebhookEndpoint, WebhookEndpoint.id == D.endpoint_id)
        .join(Account, Account.id == D.account_id)
        .where(D.id.in_(delivery_ids))
        .order_by(D.next_attempt_at, D.id)
        .execution_options(populate_existing=True)
    )
    return [(row[0], row[1], row[2]) for row in result]


Locked = tuple[WebhookDelivery, WebhookEndpoint, int]


async def lock_for_record_many(
    session: AsyncSession, delivery_ids: Collection[str]
) -> dict[str, Locked]:
    """Each delivery with its endpoint, both locked and freshly read, with the number of
    attempts its current round has made (the schedule position), by delivery id (gone ones
    are missing), in one statement. Rows are locked in (endpoint id, delivery id) order, the
    same order in every worker, so two workers recording for the same endpoints queue instead
    of deadlocking. The lock is ``FOR NO KEY UPDATE`` (nothing here changes a key): ``FOR
    UPDATE`` would conflict with the ``FOR KEY SHARE`` a hit transaction takes on the endpoint
    when it inserts a delivery for it, so every record for that endpoint would wait for the
    whole poll's transaction, and the poll for it."""
    if not delivery_ids:
        return {}
    made = (
        select(func.count())
        .where(WebhookAttempt.delivery_id == D.id, WebhookAttempt.round == D.round)
        .correlate(D)
        .scalar_subquery()
    )
    result = await session.execute(
        select(D, WebhookEndpoint, made)
        .join(WebhookEndpoint, WebhookEndpoint.id == D.endpoint_id)
        .where(D.id.in_(list(delivery_ids)))
        .order_by(WebhookEndpoint.id, D.id)
        .with_for_update(of=(D, WebhookEndpoint), key_share=True)
        .execution_options(populate_existing=True)
    )
    return {row[0].id: (row[0], row[1], int(row[2])) for row in result}


async def kill_pending(
    session: AsyncSession, endpoint_id: int, *, now: datetime, error: str
) -> list[str]:
    """Mark the endpoint's pending deliveries that no worker holds `dead` with `error`; deliveries
    under an unexpired lease are left to their worker. Returns the ids marked."""
    result = await session.execute(
        update(D)
        .where(
            D.endpoint_id == endpoint_id,
            D.status == "pending",
            or_(D.lease_expires_at.is_(None), D.lease_expires_at <= now),
        )
        .values(status="dead", lease_expires_at=None, last_error=error)
        .returning(D.id)
        .execution_options(synchronize_session="fetch")  # a batch record holds some of them
    )
    return list(result.scalars().all())


async def reenable(session: AsyncSession, account_id: int, url: str) -> bool:
    """Set a disabled endpoint of (`account_id`, `url`) active again with a clean failure
    record; True if one was disabled."""
    result = await session.execute(
        update(WebhookEndpoint)
        .where(
            WebhookEndpoint.account_id == account_id,
            WebhookEndpoint.url == url,
            WebhookEndpoint.status == "disabled",
        )
        .values(status="active", disabled_at=None, disabled_reason=None, first_failure_at=None)
        .returning(WebhookEndpoint.id)
        .execution_options(synchronize_session=False)
    )
    return result.scalar_one_or_none() is not None


async def get_owned(
    session: AsyncSession, account_id: int, delivery_id: str, *, for_update: bool = False
) -> WebhookDelivery | None:
    """The account's delivery with its attempts and endpoint loaded, or None (also for another
    account's delivery)."""
    query = (
        select(D)
        .where(D.id == delivery_id, D.account_id == account_id)
        .options(selectinload(D.attempts), joinedload(D.endpoint))
        .execution_options(populate_existing=True)
    )
    if for_update:
        query = query.with_for_update(of=D)
    return (await session.execute(query)).unique().scalar_one_or_none()


async def list_page(
    session: AsyncSession,
    account_id: int,
    *,
    target_id: str | None,
    status: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[WebhookDelivery], int]:
    """One page, newest first (`created_at DESC`, then id), attempts and endpoint loaded, and
    the total matching the filters."""
    conditions: list[ColumnElement[bool]] = [D.account_id == account_id]
    if target_id is not None:
        conditions.append(D.target_id == target_id)
    if status is not None:
        conditions.append(D.status == status)
    total = (await session.execute(select(func.count()).where(*conditions))).scalar_one()
    rows = await session.execute(
        select(D)
        .where(*conditions)
        .options(selectinload(D.attempts), joinedload(D.endpoint))
        .order_by(D.created_at.desc(), D.id)
        .limit(limit)
        .offset(offset)
    )
    return rows.unique().scalars().all(), int(total)
