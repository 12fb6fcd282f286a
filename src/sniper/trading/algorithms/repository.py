"""All SQL of the algorithms API: algorithm rows, their lists, and ledger reads. Never commits.

Every status change is a conditional UPDATE (`... WHERE status IN (...)`): two racing starts
produce one winner on SQLite (transactions serialized by `BEGIN IMMEDIATE`) and on PostgreSQL
(the loser's UPDATE re-reads the committed row and matches nothing). The SQL the paper runner
and the backtest job call lives in `store.py`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from sniper.models import Account, AlgorithmTrade, TradingAlgorithm

A = TradingAlgorithm
SortKey = Literal["createdAt", "updatedAt", "name"]
SortOrder = Literal["asc", "desc"]
SORT_COLUMNS = {"createdAt": A.created_at, "updatedAt": A.updated_at, "name": A.name}


async def get_owned(
    session: AsyncSession, account_id: int, algorithm_id: str
) -> TradingAlgorithm | None:
    """The account's algorithm, freshly read; None when unknown, another account's or deleted."""
    result = await session.execute(
        select(A)
        .where(A.id == algorithm_id, A.account_id == account_id, A.deleted_at.is_(None))
        .execution_options(populate_existing=True)
    )
    return result.scalar_one_or_none()


async def count_created(session: AsyncSession, account_id: int) -> int:
    """How many algorithms the account has created, deleted ones included."""
    query = select(func.count()).select_from(A).where(A.account_id == account_id)
    return int((await session.execute(query)).scalar_one())


async def list_page(
    session: AsyncSession,
    account_id: int,
    *,
    status: str | None,
    strategy_type: str | None,
    sort: SortKey,
    order: SortOrder,
    limit: int,
    offset: int,
) -> tuple[Sequence[TradingAlgorithm], int]:
    """One page of the account's algorithms (deleted ones never) and the total matching."""
    conditions: list[ColumnElement[bool]] = [A.account_id == account_id, A.deleted_at.is_(None)]
    if status is not None:
        conditions.append(A.status == status)
    if strategy_type is not None:
        conditions.append(A.strategy_type == strategy_type)
    total = (
        await session.execute(select(func.count()).select_from(A).where(*conditions))
    ).scalar_one()
    column = SORT_COLUMNS[sort]
    ordering = (column.asc(), A.id.asc()) if order == "asc" else (column.desc(), A.id.desc())
    rows = await session.execute(
        select(A).where(*conditions).order_by(*ordering).limit(limit).offset(offset)
    )
    return rows.scalars().all(), int(total)


async def transition(
    session: AsyncSession,
    algorithm_id: str,
    *,
    from_statuses: Collection[str],
    values: dict[str, Any],
    version: int | None = None,
) -> TradingAlgorithm | None:
    """Set `values` on the (not deleted) algorithm if its status is one of `from_statuses` (and,
    given `version`, its version still is that); the updated row, or None when nothing matched."""
    conditions = [A.id == algorithm_id, A.status.in_(list(from_statuses)), A.deleted_at.is_(None)]
    if version is not None:
        conditions.append(A.version == version)
    result = await session.execute(
        update(A)
        .where(*conditions)
        .values(**values)
        .returning(A)
        .execution_options(synchronize_session=False, populate_existing=True)
    )
    return result.scalar_one_or_none()


async def paper_trades(
    session: AsyncSession, algorithm_ids: Collection[str]
) -> dict[str, list[AlgorithmTrade]]:
    """The paper (non-backtest) closed trades of each algorithm, in exit order."""
    found: dict[str, list[AlgorithmTrade]] = {algorithm_id: [] for algorithm_id in algorithm_ids}
    if not algorithm_ids:
        return found
    result = await session.execute(
        select(AlgorithmTrade)
        .where(
            AlgorithmTrade.algorithm_id.in_(sorted(algorithm_ids)),
            AlgorithmTrade.backtest_id.is_(None),
        )
        .order_by(AlgorithmTrade.exit_at, AlgorithmTrade.id)
    )
    for trade in result.scalars():
        found[trade.algorithm_id].append(trade)
    return found


async def realized_pnl(
    session: AsyncSession, algorithm_id: str, *, since: datetime | None, until: datetime
) -> float:
    """Sum of paper P&L of trades closed in `[since, until)` (`since` None: from the start)."""
    conditions = [
        AlgorithmTrade.algorithm_id == algorithm_id,
        AlgorithmTrade.backtest_id.is_(None),
        AlgorithmTrade.exit_at < until,
    ]
    if since is not None:
        conditions.append(AlgorithmTrade.exit_at >= since)
    total = await session.execute(
        select(func.coalesce(func.sum(AlgorithmTrade.pnl), 0.0)).where(*conditions)
    )
    return float(total.scalar_one())


async def with_accounts(
    session: AsyncSession, account_name: str | None
) -> Sequence[tuple[TradingAlgorithm, str]]:
    """Every algorithm that is not deleted with its account name (one account's when
    `account_name`), by account then creation (the CLI list)."""
    query = (
        select(A, Account.name)
        .join(Account, Account.id == A.account_id)
        .where(A.deleted_at.is_(None))
        .order_by(Account.name, A.created_at, A.id)
    )
    if account_name is not None:
        query = query.where(Account.name == account_name)
    result = await session.execute(query)
    return [(algorithm, name) for algorithm, name in result.tuples()]
