"""Helpers of the paper-runner tests: a driver that plays bars through the manual clock, what the
database holds (orders, closed trades, the algorithm row), and the reference: the pure `Engine`
over the same bars with a live gate, turned into the order book a paper run must store."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sniper.models import AlgorithmOrder, AlgorithmTrade, TradingAlgorithm
from sniper.trading.algorithms.config import AlgorithmConfig
from sniper.trading.algorithms.paper import PaperRunner
from sniper.trading.engine.bars import Bar
from sniper.trading.engine.engine import Engine
from sniper.trading.engine.events import (
    Event,
    OrderCancelled,
    OrderDenied,
    OrderEvent,
    OrderFilled,
    TradeClosed,
)
from sniper.trading.engine.gating import GateDecision, OrderIntent, decide
from sniper.trading.engine.marketdata import bars_for
from tests.conftest import Harness
from tests.trading.algorithms.support import complete

PAPER_FROM = date(2012, 3, 1)  # the default SNIPER_PAPER_FROM
# Long when RSI(14) < 45, 5 % stop, 8 % target: on the MSFT sample from 2012-03-01 a position
# is open on 229 of the 251 bars (the one entered on bar 59 is held until bar 142).
HOLDING: dict[str, Any] = complete(
    "RSI holder",
    entryConditions={
        "positionType": "long",
        "logicalOperator": "AND",
        "confirmationCandles": 0,
        "conditions": [
            {
                "type": "indicator_value",
                "indicator": "RSI",
                "period": 14,
                "operator": "below",
                "value": 45,
            }
        ],
    },
    exitConditions={
        "stopLoss": {"type": "percentage", "value": 5},
        "takeProfit": {"type": "percentage", "value": 8},
    },
)
# (client order id, symbol, side, quantity, intent, status, bar time, price, filled at,
#  gate reason): one stored order as a user of the order book sees it.
OrderRow = tuple[
    str, str, str, float, str, str, datetime, float | None, datetime | None, str | None
]
# (symbol, side, quantity, entry at, entry price, exit at, exit price, pnl, exit reason, ids)
TradeRow = tuple[str, str, float, datetime, float, datetime, float, float, str, tuple[str, ...]]


def feed(symbols: list[str], directory: Path | None = None) -> list[Bar]:
    """The bars a paper run plays: every symbol's bars from `PAPER_FROM`, by (time, symbol)."""
    bars = [
        b
        for s in symbols
        for b in bars_for(s, directory, adjusted=False)
        if b.at.date() >= PAPER_FROM
    ]
    return sorted(bars, key=lambda b: (b.at, b.symbol))


MSFT = feed(["NASDAQ:MSFT"])  # 251 bars, 2012-03-01 .. 2013-03-01


async def live_gate(intent: OrderIntent) -> GateDecision:
    return decide(intent, "live")


async def reference(
    algorithm_id: str, body: dict[str, Any], count: int, bars: list[Bar] = MSFT
) -> tuple[list[Event], Engine]:
    """The pure engine for `body`, ids of `algorithm_id`, over the first `count` bars of `bars`
    with the gate always `live`: its events and the engine afterwards."""
    config = AlgorithmConfig.model_validate({k: v for k, v in body.items() if k != "name"})
    engine = Engine(config, algorithm_id=algorithm_id, account_id=0, gate=live_gate)
    events: list[Event] = []
    for bar in bars[:count]:
        events += await engine.on_bar(bar)
    return events, engine


def expected_orders(events: list[Event]) -> list[OrderRow]:
    """The order book `events` describe, in the order the orders first appeared: each order
    keeps the bar that produced it; a fill sets status, price and time; a cancel its status."""
    book: dict[str, list[Any]] = {}
    for event in events:
        if not isinstance(event, OrderEvent):
            continue
        filled = isinstance(event, OrderFilled)
        status = (
            "filled"
            if filled
            else "cancelled"
            if isinstance(event, OrderCancelled)
            else "denied"
            if isinstance(event, OrderDenied)
            else "pending"
        )
        row = book.get(event.client_order_id)
        if row is None:
            book[event.client_order_id] = [
                event.client_order_id,
                event.symbol,
                event.side,
                float(event.quantity),
                event.intent,
                status,
                event.at,
                event.price if filled else None,
                event.at if filled else None,
                event.reason if status == "denied" else None,
            ]
        elif row[5] == "pending":
            row[5] = status
            if filled:
                row[7], row[8] = event.price, event.at
    return [tuple(row) for row in book.values()]  # type: ignore[misc]


def expected_trades(events: list[Event]) -> list[TradeRow]:
    return [
        (
            t.symbol,
            t.side,
            float(t.quantity),
            t.entry_at,
            t.entry_price,
            t.exit_at,
            t.exit_price,
            t.pnl,
            t.exit_reason,
            t.client_order_ids,
        )
        for t in (e.trade for e in events if isinstance(e, TradeClosed))
    ]


async def stored_orders(session: AsyncSession, algorithm_id: str) -> list[OrderRow]:
    result = await session.execute(
        select(AlgorithmOrder)
        .where(AlgorithmOrder.algorithm_id == algorithm_id)
        .order_by(AlgorithmOrder.id)
    )
    return [
        (
            o.client_order_id,
            o.symbol,
            o.side,
            o.quantity,
            o.intent,
            o.status,
            o.bar_time,
            o.price,
            o.filled_at,
            o.gate_reason,
        )
        for o in result.scalars()
    ]


async def stored_trades(session: AsyncSession, algorithm_id: str) -> list[TradeRow]:
    result = await session.execute(
        select(AlgorithmTrade)
        .where(AlgorithmTrade.algorithm_id == algorithm_id)
        .order_by(AlgorithmTrade.exit_at, AlgorithmTrade.id)
    )
    return [
        (
            t.symbol,
            t.side,
            t.quantity,
            t.entry_at,
            t.entry_price,
            t.exit_at,
            t.exit_price,
            t.pnl,
            t.exit_reason,
            tuple(t.client_order_ids),
        )
        for t in result.scalars()
    ]


async def algorithm_row(session: AsyncSession, algorithm_id: str) -> TradingAlgorithm:
    result = await session.execute(
        select(TradingAlgorithm)
        .where(TradingAlgorithm.id == algorithm_id)
        .execution_options(populate_existing=True)
    )
    return result.scalar_one()


@dataclass
class Driver:
    """Plays bars to the paper runner on the harness's manual clock: the runner's first tick
    processes bar 0 (a fresh start is due at once), each `paper_bar_interval` one more."""

    h: Harness
    runner: PaperRunner | None = None
    done: int = 0
    started: datetime | None = field(default=None)

    def __post_init__(self) -> None:
        self.runner = self.runner or PaperRunner(self.h.runtime)

    async def through(self, index: int, *, expect: int | None = None) -> int:
        """Move the clock to when bar `index` is due and tick once; asserts that the runner
        processed the bars since the last call (or `expect` bars), returns how many."""
        assert self.runner is not None
        if self.started is None:
            self.started = self.h.clock.now()
        interval = self.h.runtime.settings.paper_bar_interval
        self.h.clock.set(max(self.h.clock.now(), self.started + index * interval))
        processed = await self.runner.tick()
        assert processed == (index + 1 - self.done if expect is None else expect)
        self.done = max(self.done, index + 1)
        return processed

    def restart(self) -> None:
        """A new runner over the same database: an in-process restart."""
        self.runner = PaperRunner(self.h.runtime)

    async def orders(self, algorithm_id: str) -> list[OrderRow]:
        async with self.h.runtime.sessions() as session:
            return await stored_orders(session, algorithm_id)

    async def trades(self, algorithm_id: str) -> list[TradeRow]:
        async with self.h.runtime.sessions() as session:
            return await stored_trades(session, algorithm_id)

    async def row(self, algorithm_id: str) -> TradingAlgorithm:
        async with self.h.runtime.sessions() as session:
            return await algorithm_row(session, algorithm_id)
