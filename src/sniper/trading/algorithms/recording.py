"""Engine events → the order book and the closed-trade ledger of a paper algorithm.

Orders are keyed by the engine's deterministic `clientOrderId`: an event replayed after a crash
inserts nothing new, and a fill or cancel only moves an order that is still `pending`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from sniper.trading.algorithms import store
from sniper.trading.engine.events import (
    Event,
    OrderCancelled,
    OrderDenied,
    OrderEvent,
    OrderFilled,
    TradeClosed,
)

_STATUS = {OrderFilled: "filled", OrderCancelled: "cancelled", OrderDenied: "denied"}


def _record(algorithm_id: str, event: OrderEvent) -> store.OrderRecord:
    status = _STATUS.get(type(event), "pending")
    return store.OrderRecord(
        client_order_id=event.client_order_id,
        algorithm_id=algorithm_id,
        symbol=event.symbol,
        side=event.side,
        quantity=float(event.quantity),
        intent=event.intent,
        status=status,
        bar_time=event.at,
        reason=event.reason,
        gate_reason=event.reason if status == "denied" else None,
        price=event.price if status == "filled" else None,
        filled_at=event.at if status == "filled" else None,
    )


async def record_events(
    session: AsyncSession, algorithm_id: str, events: Sequence[Event], *, now: datetime
) -> None:
    """Store what `events` (one or more bars of a paper run, in order) did: new orders,
    fills and cancellations of pending ones, and closed trades."""
    for event in events:
        if isinstance(event, TradeClosed):
            await store.append_trades(session, algorithm_id, [event.trade], now=now)
        elif isinstance(event, OrderEvent):
            order = _record(algorithm_id, event)
            await store.record_orders(session, [order], now=now)
            if order.status in ("filled", "cancelled"):
                await store.update_order(
                    session,
                    event.client_order_id,
                    status=order.status,
                    price=order.price,
                    filled_at=order.filled_at,
                )
