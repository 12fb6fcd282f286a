"""Backtests: create (queued for the backtest job), list and read (x3algo backtests; issue 6
item 5). Never commits: the request's transaction does; the job is woken after the commit
(`runtime.wakeups`, job `backtest.run`).

A backtest snapshots the algorithm's configuration when it is created. It needs what a start
needs except `executionSettings.mode` (a backtest is its own mode): 400 `VALIDATION_ERROR` with
`details.missingFields` otherwise, and 400 with `details.unsupported` for a configuration the
engine cannot run. `endDate` before `startDate` is 400 naming `endDate`; another account's
algorithm (or backtest) is 404.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sniper.errors import BadRequest, NotFound
from sniper.kit.ids import base62
from sniper.kit.wake import RUN_BACKTEST
from sniper.models import Account, Backtest, TradingAlgorithm
from sniper.runtime import Runtime
from sniper.trading.algorithms import service as algorithms
from sniper.trading.algorithms.config import AlgorithmConfig, missing_fields, unsupported
from sniper.trading.algorithms.schemas import (
    BacktestCreate,
    BacktestOut,
    BacktestSummary,
    BacktestTrade,
)

MODE = "executionSettings.mode"


def new_backtest_id() -> str:
    """`bt_` + 12 base62 characters."""
    return "bt_" + base62(12)


def _runnable_config(config: AlgorithmConfig) -> AlgorithmConfig:
    """Raise BadRequest unless a backtest can run `config`; returns it as a backtest config."""
    missing = [field for field in missing_fields(config) if field != MODE]
    if missing:
        raise BadRequest(
            "Algorithm configuration is incomplete", details={"missingFields": missing}
        )
    execution = config.execution_settings
    as_backtest = config.model_copy(
        update={
            "execution_settings": execution.model_copy(update={"mode": "backtest"})
            if execution is not None
            else None
        }
    )
    reason = unsupported(as_backtest)
    if reason is not None:
        raise BadRequest(
            f"Algorithm cannot be backtested: {reason}", details={"unsupported": reason}
        )
    return as_backtest


async def create_backtest(
    session: AsyncSession, runtime: Runtime, account: Account, body: BacktestCreate
) -> Backtest:
    """Queue a backtest of the account's algorithm (status `queued`, progress 0); the backtest
    job wakes once it commits."""
    now = runtime.clock.now()
    algorithm = await algorithms.get(session, account, body.algorithm_id)
    if body.end_date < body.start_date:
        raise BadRequest(
            "endDate must not be before startDate",
            details={"field": "endDate", "fields": ["endDate"]},
        )
    _runnable_config(AlgorithmConfig.model_validate(algorithm.config))
    row = Backtest(
        id=new_backtest_id(),
        account_id=account.id,
        algorithm_id=algorithm.id,
        status="queued",
        progress=0,
        start_date=body.start_date,
        end_date=body.end_date,
        initial_balance=body.initial_balance,
        config=dict(algorithm.config),
        created_at=now,
        next_attempt_at=now,
    )
    session.add(row)
    await session.flush()
    runtime.wakeups.wake_on_commit(session, RUN_BACKTEST)
    return row


async def get_backtest(
    session: AsyncSession, account: Account, backtest_id: str
) -> tuple[Backtest, str | None]:
    """The account's backtest and its algorithm's name; NotFound (404) otherwise."""
    result = await session.execute(
        select(Backtest, TradingAlgorithm.name)
        .outerjoin(TradingAlgorithm, TradingAlgorithm.id == Backtest.algorithm_id)
        .where(Backtest.id == backtest_id, Backtest.account_id == account.id)
        .execution_options(populate_existing=True)
    )
    row = result.one_or_none()
    if row is None:
        raise NotFound("Backtest not found", details={"id": backtest_id})
    return row[0], row[1]


SORTS = {"createdAt": Backtest.created_at, "completedAt": Backtest.completed_at}


async def list_backtests(
    session: AsyncSession,
    account: Account,
    *,
    algorithm_id: str | None,
    status: str | None,
    sort: str = "createdAt",
    order: str = "desc",
    limit: int,
    offset: int,
) -> tuple[list[tuple[Backtest, str | None]], int]:
    """One page of the account's backtests with their algorithms' names, by `sort`
    (`createdAt` | `completedAt`; unfinished ones last) in `order` (`asc` | `desc`, id as
    tie-break), and the total."""
    conditions: list[ColumnElement[bool]] = [Backtest.account_id == account.id]
    if algorithm_id is not None:
        conditions.append(Backtest.algorithm_id == algorithm_id)
    if status is not None:
        conditions.append(Backtest.status == status)
    count = select(func.count()).select_from(Backtest).where(*conditions)
    total = (await session.execute(count)).scalar_one()
    column = SORTS[sort]
    keys = (
        (column.asc(), Backtest.id.asc()) if order == "asc" else (column.desc(), Backtest.id.desc())
    )
    rows = await session.execute(
        select(Backtest, TradingAlgorithm.name)
        .outerjoin(TradingAlgorithm, TradingAlgorithm.id == Backtest.algorithm_id)
        .where(*conditions)
        .order_by(column.is_(None), *keys)
        .limit(limit)
        .offset(offset)
    )
    return [(row[0], row[1]) for row in rows.all()], int(total)


def backtest_out(row: Backtest, algorithm_name: str | None) -> BacktestOut:
    """The full backtest object (curve and trades empty until completed)."""
    trades = [x3_trade(trade) for trade in row.trades or []]
    fields = _summary_fields(row, algorithm_name)
    return BacktestOut.model_validate(
        {**fields, "equity_curve": row.equity_curve or [], "trades": trades}
    )


def backtest_summary(row: Backtest, algorithm_name: str | None) -> BacktestSummary:
    return BacktestSummary.model_validate(_summary_fields(row, algorithm_name))


def x3_trade(stored: dict[str, Any]) -> BacktestTrade:
    """A stored closed trade (`ClosedTrade.to_json`) in x3algo's results shape (`BacktestTrade`):
    `entryTime`, `exitTime`, `profit`, `profitPercent` (profit over entry price x quantity)."""
    cost = float(stored["entryPrice"]) * int(stored["quantity"])
    profit = float(stored["pnl"])
    return BacktestTrade(
        symbol=stored["symbol"],
        side=stored["side"],
        quantity=stored["quantity"],
        entry_time=stored["entryAt"],
        entry_price=stored["entryPrice"],
        exit_time=stored["exitAt"],
        exit_price=stored["exitPrice"],
        profit=profit,
        profit_percent=round(profit / cost * 100, 2) if cost else 0.0,
        exit_reason=stored["exitReason"],
        client_order_ids=stored.get("clientOrderIds", []),
    )


def _summary_fields(row: Backtest, algorithm_name: str | None) -> dict[str, object]:
    results = row.results or {}
    return {
        "id": row.id,
        "algorithm_id": row.algorithm_id,
        "algorithm_name": algorithm_name,
        "user_id": str(row.account_id),
        "status": row.status,
        "progress": row.progress,
        "start_date": datetime.combine(row.start_date, time.min, UTC),
        "end_date": datetime.combine(row.end_date, time(23, 59, 59), UTC),
        "initial_balance": row.initial_balance,
        "final_balance": results.get("finalBalance") if row.status == "completed" else None,
        "symbols": list((row.config or {}).get("symbols") or []),
        "results": row.results,
        "error": row.error,
        "created_at": row.created_at,
        "started_at": row.started_at,
        "completed_at": row.completed_at if row.status == "completed" else None,
        "failed_at": row.completed_at if row.status == "failed" else None,
    }
