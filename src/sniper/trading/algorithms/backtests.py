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

from collections.abc import Sequence

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sniper.errors import BadRequest, NotFound
from sniper.kit.ids import base62
from sniper.kit.wake import RUN_BACKTEST
from sniper.models import Account, Backtest
from sniper.runtime import Runtime
from sniper.trading.algorithms import service as algorithms
from sniper.trading.algorithms.config import AlgorithmConfig, missing_fields, unsupported
from sniper.trading.algorithms.schemas import BacktestCreate, BacktestOut, BacktestSummary

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


async def get_backtest(session: AsyncSession, account: Account, backtest_id: str) -> Backtest:
    """The account's backtest; NotFound (404) otherwise."""
    result = await session.execute(
        select(Backtest)
        .where(Backtest.id == backtest_id, Backtest.account_id == account.id)
        .execution_options(populate_existing=True)
    )
    row = result.scalar_one_or_none()
    if row is None:
        raise NotFound("Backtest not found", details={"id": backtest_id})
    return row


async def list_backtests(
    session: AsyncSession,
    account: Account,
    *,
    algorithm_id: str | None,
    status: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Backtest], int]:
    """One page of the account's backtests, newest first (id as tie-break), and the total."""
    conditions: list[ColumnElement[bool]] = [Backtest.account_id == account.id]
    if algorithm_id is not None:
        conditions.append(Backtest.algorithm_id == algorithm_id)
    if status is not None:
        conditions.append(Backtest.status == status)
    count = select(func.count()).select_from(Backtest).where(*conditions)
    total = (await session.execute(count)).scalar_one()
    rows = await session.execute(
        select(Backtest)
        .where(*conditions)
        .order_by(Backtest.created_at.desc(), Backtest.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return rows.scalars().all(), int(total)


def backtest_out(row: Backtest) -> BacktestOut:
    """The full backtest object (curve and trades empty until completed)."""
    return BacktestOut.model_validate(
        {**_summary_fields(row), "equity_curve": row.equity_curve or [], "trades": row.trades or []}
    )


def backtest_summary(row: Backtest) -> BacktestSummary:
    return BacktestSummary.model_validate(_summary_fields(row))


def _summary_fields(row: Backtest) -> dict[str, object]:
    return {
        field: getattr(row, field)
        for field in (
            "id",
            "algorithm_id",
            "status",
            "progress",
            "start_date",
            "end_date",
            "initial_balance",
            "results",
            "error",
            "created_at",
            "started_at",
            "completed_at",
        )
    }
