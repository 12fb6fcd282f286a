"""The SQL the paper runner and the backtest job call (issue 6): orders, the closed-trade ledger,
engine state, and backtest claims and results. Never commits: the job's transaction does.

Writes are idempotent where a restart can repeat them: an order is keyed by its deterministic
`client_order_id` and a closed trade by its `trade_key` (`INSERT ... ON CONFLICT DO NOTHING`),
so replaying a bar after a crash stores nothing twice. Backtests are claimed like every job table
(`sniper.worker.claim`: `FOR UPDATE SKIP LOCKED` on PostgreSQL, with a lease): a `running`
backtest whose job died is claimed again once its lease passes.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from sniper.db.upsert import insert_ignore
from sniper.models import AlgorithmOrder, AlgorithmTrade, Backtest, Target, TradingAlgorithm
from sniper.trading.engine.performance import ClosedTrade
from sniper.worker import claim

A = TradingAlgorithm
PAPER = "paper"
BACKTEST_LEASE = timedelta(minutes=10)
BACKTESTS = claim.JobTable(Backtest, pending=("queued", "running"))


@dataclass(frozen=True)
class OrderRecord:
    """One order intent as the engine decided it: `side` buy|sell, `quantity` > 0 units,
    `intent` the gate's kind, `status` pending|filled|denied|cancelled, `gate_reason` the gate's
    reason code, `price` the fill price (None until filled), `bar_time` the bar that produced
    it, `reason` what triggered it (entry, stop_loss, take_profit, ...)."""

    client_order_id: str
    algorithm_id: str
    symbol: str
    side: str
    quantity: float
    intent: str
    status: str
    bar_time: datetime
    backtest_id: str | None = None
    reason: str | None = None
    gate_reason: str | None = None
    order_type: str = "market"
    limit_price: float | None = None
    price: float | None = None
    filled_at: datetime | None = None


async def record_orders(
    session: AsyncSession, orders: Iterable[OrderRecord], *, now: datetime
) -> set[str]:
    """Insert the orders whose `client_order_id` is new; returns the ids actually inserted (an
    id already stored is left as it is)."""
    rows = [{**order.__dict__, "created_at": now} for order in orders]
    return await insert_ignore(session, AlgorithmOrder, rows, AlgorithmOrder.client_order_id)


async def update_order(
    session: AsyncSession,
    client_order_id: str,
    *,
    status: str,
    price: float | None = None,
    filled_at: datetime | None = None,
    gate_reason: str | None = None,
) -> bool:
    """Move a `pending` order to `status` (filled, cancelled, denied); False when it is not
    pending any more (already filled or cancelled: nothing changes)."""
    values: dict[str, Any] = {"status": status}
    if price is not None:
        values["price"] = price
    if filled_at is not None:
        values["filled_at"] = filled_at
    if gate_reason is not None:
        values["gate_reason"] = gate_reason
    result = await session.execute(
        update(AlgorithmOrder)
        .where(
            AlgorithmOrder.client_order_id == client_order_id, AlgorithmOrder.status == "pending"
        )
        .values(**values)
        .returning(AlgorithmOrder.id)
    )
    return result.scalar_one_or_none() is not None


async def pending_orders(
    session: AsyncSession, algorithm_id: str, *, backtest_id: str | None = None
) -> Sequence[AlgorithmOrder]:
    """The algorithm's resting (`pending`) orders, oldest first."""
    result = await session.execute(
        select(AlgorithmOrder)
        .where(
            AlgorithmOrder.algorithm_id == algorithm_id,
            AlgorithmOrder.status == "pending",
            _backtest_is(AlgorithmOrder.backtest_id, backtest_id),
        )
        .order_by(AlgorithmOrder.id)
    )
    return result.scalars().all()


def trade_key(trade: ClosedTrade, backtest_id: str | None) -> str:
    """`paper:` / `<backtest id>:` + the trade's client order ids and exit time: unique per
    closed (part of a) position."""
    return f"{backtest_id or PAPER}:{'|'.join(trade.client_order_ids)}@{trade.exit_at.isoformat()}"


async def append_trades(
    session: AsyncSession,
    algorithm_id: str,
    trades: Iterable[ClosedTrade],
    *,
    now: datetime,
    backtest_id: str | None = None,
) -> int:
    """Add closed trades to the ledger (paper when `backtest_id` is None); a trade already
    stored is skipped. Returns how many were new."""
    rows = [
        {
            "trade_key": trade_key(trade, backtest_id),
            "algorithm_id": algorithm_id,
            "backtest_id": backtest_id,
            "symbol": trade.symbol,
            "side": trade.side,
            "quantity": trade.quantity,
            "entry_at": trade.entry_at,
            "entry_price": trade.entry_price,
            "exit_at": trade.exit_at,
            "exit_price": trade.exit_price,
            "pnl": trade.pnl,
            "exit_reason": trade.exit_reason,
            "client_order_ids": list(trade.client_order_ids),
            "created_at": now,
        }
        for trade in trades
    ]
    return len(await insert_ignore(session, AlgorithmTrade, rows, AlgorithmTrade.trade_key))


def to_closed_trade(row: AlgorithmTrade) -> ClosedTrade:
    """A ledger row as the engine's `ClosedTrade`."""
    return ClosedTrade(
        symbol=row.symbol,
        side="short" if row.side == "short" else "long",
        quantity=row.quantity,
        entry_at=row.entry_at,
        entry_price=row.entry_price,
        exit_at=row.exit_at,
        exit_price=row.exit_price,
        pnl=row.pnl,
        exit_reason=row.exit_reason,
        client_order_ids=tuple(row.client_order_ids),
    )


async def closed_trades(
    session: AsyncSession, algorithm_id: str, *, backtest_id: str | None = None
) -> list[ClosedTrade]:
    """The ledger of one algorithm (paper when `backtest_id` is None), in exit order."""
    result = await session.execute(
        select(AlgorithmTrade)
        .where(
            AlgorithmTrade.algorithm_id == algorithm_id,
            _backtest_is(AlgorithmTrade.backtest_id, backtest_id),
        )
        .order_by(AlgorithmTrade.exit_at, AlgorithmTrade.id)
    )
    return [to_closed_trade(row) for row in result.scalars()]


async def save_engine_state(
    session: AsyncSession,
    algorithm_id: str,
    *,
    state: dict[str, Any],
    last_bar_at: datetime | None,
    open_positions: int,
) -> None:
    """Persist the runner's state after processing the bar at `last_bar_at` (in the same
    transaction as that bar's orders and trades, so a restart resumes right after it)."""
    await session.execute(
        update(A)
        .where(A.id == algorithm_id)
        .values(engine_state=state, last_bar_at=last_bar_at, open_positions=open_positions)
    )


async def mark_error(session: AsyncSession, algorithm_id: str, message: str, now: datetime) -> bool:
    """`active` / `paused` → `error` with `last_error`; False when it was not running."""
    result = await session.execute(
        update(A)
        .where(A.id == algorithm_id, A.status.in_(("active", "paused")))
        .values(status="error", last_error=message[:2000], updated_at=now)
        .returning(A.id)
    )
    return result.scalar_one_or_none() is not None


async def paper_algorithms(session: AsyncSession) -> Sequence[TradingAlgorithm]:
    """What the paper runner must process: `active` and `paused` algorithms, and `stopped`,
    `error` or deleted ones that still hold open positions (their exits stay watched), and
    `stopped` ones with a pending paper order (a resting entry the runner must still cancel)."""
    pending = (
        select(AlgorithmOrder.id)
        .where(
            AlgorithmOrder.algorithm_id == A.id,
            AlgorithmOrder.status == "pending",
            AlgorithmOrder.backtest_id.is_(None),
        )
        .exists()
    )
    result = await session.execute(
        select(A)
        .where(
            or_(
                and_(A.status.in_(("active", "paused")), A.deleted_at.is_(None)),
                and_(
                    A.status.in_(("stopped", "error", "archived")),
                    or_(A.open_positions > 0, and_(A.status == "stopped", pending)),
                ),
            )
        )
        .order_by(A.created_at, A.id)
        .execution_options(populate_existing=True)
    )
    return result.scalars().all()


async def filing_hits(
    session: AsyncSession, account_id: int, tickers: Iterable[str], *, since: datetime
) -> list[tuple[str, str, datetime]]:
    """Sniper hits of `account_id` on `tickers` that fired after `since`, oldest first, as
    `(ticker, form type, fired at)`: what a paper algorithm's `filing_event` entry acts on."""
    result = await session.execute(
        select(Target.ticker, Target.last_event, Target.stopped_at)
        .where(
            Target.account_id == account_id,
            Target.resolution_reason == "filing_hit",
            Target.ticker.in_(list(tickers)),
            Target.stopped_at > since,
        )
        .order_by(Target.stopped_at, Target.id)
    )
    return [
        (ticker, str((event or {}).get("form_type", "")), at)
        for ticker, event, at in result.all()
        if at is not None
    ]


async def claim_backtests(
    session: AsyncSession,
    *,
    now: datetime,
    limit: int = 1,
    lease: timedelta = BACKTEST_LEASE,
    only: str | None = None,
    skip: Collection[str] = (),
) -> list[Backtest]:
    """Claim up to `limit` due backtests, oldest due first: `queued` ones, and `running` ones
    whose lease passed (their job died). Each becomes `running` with a lease until `now + lease`
    (`sniper.worker.claim`) and `started_at` set on its first claim. `only`: that backtest or
    none (`sniper backtest`); `skip`: ids not to claim."""
    where = [Backtest.id == only] if only is not None else []
    ids = await claim.claim_due(
        session,
        BACKTESTS,
        now=now,
        lease_expires_at=now + lease,
        limit=limit,
        where=where,
        skip=skip,
    )
    if not ids:
        return []
    await session.execute(
        update(Backtest)
        .where(Backtest.id.in_(ids))
        .values(status="running", started_at=func.coalesce(Backtest.started_at, now))
    )
    result = await session.execute(
        select(Backtest)
        .where(Backtest.id.in_(ids))
        .order_by(Backtest.next_attempt_at, Backtest.id)
        .execution_options(populate_existing=True)
    )
    return list(result.scalars().all())


async def backtest_progress(
    session: AsyncSession,
    backtest_id: str,
    progress: int,
    *,
    now: datetime,
    lease: timedelta = BACKTEST_LEASE,
) -> None:
    """Set `progress` (clamped to 0-99 while running) and extend the lease."""
    await session.execute(
        update(Backtest)
        .where(Backtest.id == backtest_id, Backtest.status == "running")
        .values(
            progress=max(0, min(99, progress)),
            lease_expires_at=now + lease,
            next_attempt_at=now + lease,
        )
    )


async def complete_backtest(
    session: AsyncSession,
    backtest_id: str,
    *,
    results: dict[str, Any],
    equity_curve: list[dict[str, Any]],
    trades: list[dict[str, Any]],
    now: datetime,
) -> None:
    """`running` → `completed`, progress 100, with the x3algo results, the equity curve
    (`[{date, balance}]`) and the closed trades (`ClosedTrade.to_json()` each)."""
    await session.execute(
        update(Backtest)
        .where(Backtest.id == backtest_id, Backtest.status == "running")
        .values(
            status="completed",
            progress=100,
            results=results,
            equity_curve=equity_curve,
            trades=trades,
            completed_at=now,
            lease_expires_at=None,
        )
    )


async def fail_backtest(
    session: AsyncSession, backtest_id: str, error: str, *, now: datetime
) -> None:
    """`queued` / `running` → `failed` with `error` (a message for the user)."""
    await session.execute(
        update(Backtest)
        .where(Backtest.id == backtest_id, Backtest.status.in_(("queued", "running")))
        .values(status="failed", error=error[:2000], completed_at=now, lease_expires_at=None)
    )


def _backtest_is(column: Any, backtest_id: str | None) -> Any:
    return column.is_(None) if backtest_id is None else column == backtest_id
