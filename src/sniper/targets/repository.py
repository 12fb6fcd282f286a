"""All SQL of the targets feature. Every state change is a conditional update, so racing
writers (a stop against a hit, two expiry sweeps) produce one winner on both databases."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, Row, Select, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from sniper.models import Account, Target

OPEN_STATUSES = ("CREATED", "ACTIVE")
# The columns a listed target shows (`TargetOut`), read as plain rows: building 50 ORM objects
# per page cost more than the query (bench/PROFILE.md).
LISTED = (
    Target.id,
    Target.ticker,
    Target.status,
    Target.start_time,
    Target.end_time,
    Target.form_types,
    Target.webhook_url,
    Target.resolution_reason,
    Target.last_event,
    Target.created_at,
    Target.filing_uuid,
    Target.processing_state,
    Target.holdings_count,
    Target.parsed_at,
    Target.enriched_at,
    Target.candidate_urls,
)


async def lock_account(session: AsyncSession, account_id: int) -> None:
    """Serialize slot and token checks per account: `SELECT ... FOR UPDATE` on PostgreSQL;
    on SQLite every writing transaction already began with `BEGIN IMMEDIATE` (db/engine.py)."""
    if session.get_bind().dialect.name != "sqlite":
        await session.execute(select(Account.id).where(Account.id == account_id).with_for_update())


async def overlapping_windows(
    session: AsyncSession, account_id: int, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """Windows of the account's open targets that overlap `[start, end)`."""
    result = await session.execute(
        select(Target.start_time, Target.end_time).where(
            Target.account_id == account_id,
            Target.status.in_(OPEN_STATUSES),
            Target.start_time < end,
            Target.end_time > start,
        )
    )
    return [(row.start_time, row.end_time) for row in result]


async def count_active(session: AsyncSession, account_id: int) -> int:
    result = await session.execute(
        select(func.count()).where(Target.account_id == account_id, Target.status == "ACTIVE")
    )
    return int(result.scalar_one())


async def get_owned(session: AsyncSession, account_id: int, target_id: str) -> Target | None:
    result = await session.execute(
        select(Target)
        .where(Target.id == target_id, Target.account_id == account_id)
        .execution_options(populate_existing=True)
    )
    return result.scalar_one_or_none()


async def list_page(
    session: AsyncSession,
    account_id: int,
    *,
    status: str | None,
    ticker: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Row[Any]], int, int]:
    """`(page, total, active_count)`: one page, `created_at DESC` then `target_id`, the total
    matching the filters and the account's ACTIVE targets. The page's rows are plain rows of
    the `LISTED` columns (attributes `id`, `ticker`, ... as on `Target`), not ORM objects.

    One statement (the total as a window count, the active count as a scalar subquery, both
    computed before LIMIT/OFFSET on SQLite and PostgreSQL); a second, counts only, when the page
    is empty.
    """
    params = {"account_id": account_id, "status": status, "ticker": ticker}
    page, counts = _page_statements(status is not None, ticker is not None)
    result = await session.execute(page, params | {"limit": limit, "offset": offset})
    rows = result.all()
    if rows:
        return rows, int(rows[0].total_count), int(rows[0].active_count)
    total, active = (await session.execute(counts, params)).one()
    return [], int(total), int(active)


@functools.cache
def _page_statements(by_status: bool, by_ticker: bool) -> tuple[Select[Any], Select[Any]]:
    """`list_page`'s two statements for one combination of filters, built once (building a
    statement costs more than SQLite takes to run it: RELIABILITY F12 profile)."""
    conditions: list[ColumnElement[bool]] = [Target.account_id == bindparam("account_id")]
    if by_status:
        conditions.append(Target.status == bindparam("status"))
    if by_ticker:
        conditions.append(Target.ticker == bindparam("ticker"))
    active = (
        select(func.count())
        .where(Target.account_id == bindparam("account_id"), Target.status == "ACTIVE")
        .scalar_subquery()
    )
    page = (
        select(*LISTED, func.count().over().label("total_count"), active.label("active_count"))
        .where(*conditions)
        .order_by(Target.created_at.desc(), Target.id)
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
    )
    total = select(func.count()).where(*conditions).scalar_subquery()
    return page, select(total, active)


async def transition(
    session: AsyncSession, *, where: Sequence[ColumnElement[bool]], values: dict[str, Any]
) -> list[Target]:
    """Conditionally update targets matching `where`; return the rows this call changed."""
    result = await session.execute(
        update(Target)
        .where(*where)
        .values(**values)
        .returning(Target)
        .execution_options(synchronize_session=False, populate_existing=True)
    )
    return list(result.scalars().all())


async def open_targets_for_ciks(session: AsyncSession, ciks: set[int]) -> Sequence[Target]:
    """CREATED and ACTIVE targets on any of `ciks` (uses ix_sniper_targets_cik_status)."""
    if not ciks:
        return []
    result = await session.execute(
        select(Target).where(Target.cik.in_(sorted(ciks)), Target.status.in_(OPEN_STATUSES))
    )
    return result.scalars().all()


async def in_window(session: AsyncSession, now: datetime) -> Sequence[Target]:
    """ACTIVE targets whose window holds `now` (start_time <= now <= end_time)."""
    result = await session.execute(
        select(Target).where(
            Target.status == "ACTIVE", Target.start_time <= now, Target.end_time >= now
        )
    )
    return result.scalars().all()
