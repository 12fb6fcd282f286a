"""All SQL of the targets feature. Every state change is a conditional update, so racing
writers (a stop against a hit, two expiry sweeps) produce one winner on both databases."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from sniper.models import Account, Target

OPEN_STATUSES = ("CREATED", "ACTIVE")


async def lock_account(session: AsyncSession, account_id: int) -> None:
    """Serialize slot and token checks per account: `SELECT ... FOR UPDATE` on PostgreSQL;
    on SQLite every transaction already began with `BEGIN IMMEDIATE` (db/engine.py)."""
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
) -> tuple[Sequence[Target], int]:
    """One page, `created_at DESC` then `target_id`, and the total matching the filters."""
    conditions: list[ColumnElement[bool]] = [Target.account_id == account_id]
    if status is not None:
        conditions.append(Target.status == status)
    if ticker is not None:
        conditions.append(Target.ticker == ticker)
    total = (await session.execute(select(func.count()).where(*conditions))).scalar_one()
    rows = await session.execute(
        select(Target)
        .where(*conditions)
        .order_by(Target.created_at.desc(), Target.id)
        .limit(limit)
        .offset(offset)
    )
    return rows.scalars().all(), int(total)


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
