"""The paper broker: cash, positions, resting market orders and fills.

Fills: a market order placed at a bar's close fills at the next bar's open; intrabar exits fill
at their trigger price (see `exits`). Slippage is a fraction of the price, always against the
trader: a buy fills at price x (1 + slippage), a sell at price x (1 - slippage). Cash moves by
quantity x fill price (a short sale adds cash, covering removes it); no fees, no margin model.
`clientOrderId` is a hash of (algorithm id, symbol, bar time, intent), so replaying a bar after
a restart produces the same id and a store can refuse the duplicate.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sniper.trading.engine.events import (
    OrderEvent,
    OrderFilled,
    OrderPurpose,
    OrderSide,
    TradeClosed,
)
from sniper.trading.engine.performance import ClosedTrade, Side


def client_order_id(algorithm_id: str, symbol: str, at: datetime, intent: str) -> str:
    """`ord_` + 32 hex digits of SHA-256 over the four parts; same input, same id."""
    digest = hashlib.sha256(f"{algorithm_id}|{symbol}|{at.isoformat()}|{intent}".encode())
    return f"ord_{digest.hexdigest()[:32]}"


def fill_price(price: float, side: OrderSide, slippage: float) -> float:
    """`price` moved against the trader by the `slippage` fraction (buy up, sell down)."""
    return price * (1 + slippage) if side == "buy" else price * (1 - slippage)


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)


@dataclass(slots=True)
class Position:
    """An open position: `side` long|short, `quantity` shares > 0, fill `entry_price`,
    absolute `stop_price` / `take_price` fixed at entry (None: none), `extreme` the highest high
    (long) / lowest low (short) since entry for the trailing stop, `bars_held` bars closed
    since entry (the entry bar counts), `entry_quantity` the shares first filled (base of the
    partial exits) and `partials_done` how many partial-exit levels ran."""

    symbol: str
    side: Side
    quantity: int
    entry_price: float
    entry_at: datetime
    stop_price: float | None
    take_price: float | None
    extreme: float
    bars_held: int
    entry_order_id: str
    entry_quantity: int = 0
    partials_done: int = 0

    def __post_init__(self) -> None:
        self.entry_quantity = self.entry_quantity or self.quantity

    @property
    def signed(self) -> int:
        """+quantity for a long, -quantity for a short."""
        return self.quantity if self.side == "long" else -self.quantity

    def to_json(self) -> dict[str, Any]:
        """Snapshot form (exact floats, full ISO times)."""
        return {
            "symbol": self.symbol,
            "side": self.side,
            "quantity": self.quantity,
            "entryPrice": self.entry_price,
            "entryAt": self.entry_at.isoformat(),
            "stopPrice": self.stop_price,
            "takePrice": self.take_price,
            "extreme": self.extreme,
            "barsHeld": self.bars_held,
            "entryOrderId": self.entry_order_id,
            "entryQuantity": self.entry_quantity,
            "partialsDone": self.partials_done,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Position:
        """The inverse of `to_json`."""
        return cls(
            data["symbol"],
            data["side"],
            data["quantity"],
            data["entryPrice"],
            _time(data["entryAt"]),
            data["stopPrice"],
            data["takePrice"],
            data["extreme"],
            data["barsHeld"],
            data["entryOrderId"],
            data.get("entryQuantity", 0),
            data.get("partialsDone", 0),
        )


@dataclass(frozen=True, slots=True)
class RestingOrder:
    """A market order waiting for the next open of `symbol`: `intent` entry|exit,
    `position_side` the side it opens or closes, `reason` entry_long | time_exit | ...,
    `placed_at` the bar whose close produced it."""

    client_order_id: str
    symbol: str
    side: OrderSide
    quantity: int
    intent: OrderPurpose
    position_side: Side
    reason: str
    placed_at: datetime

    def event(self, kind: type[OrderEvent], reason: str, at: datetime) -> OrderEvent:
        """An order event of `kind` (OrderPlaced, OrderCancelled, ...) about this order."""
        return kind(
            self.client_order_id, self.symbol, self.side, self.quantity, self.intent, reason, at
        )

    def to_json(self) -> dict[str, Any]:
        """Snapshot form."""
        return {
            "clientOrderId": self.client_order_id,
            "symbol": self.symbol,
            "side": self.side,
            "quantity": self.quantity,
            "intent": self.intent,
            "positionSide": self.position_side,
            "reason": self.reason,
            "placedAt": self.placed_at.isoformat(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RestingOrder:
        """The inverse of `to_json`."""
        return cls(
            data["clientOrderId"],
            data["symbol"],
            data["side"],
            data["quantity"],
            data["intent"],
            data["positionSide"],
            data["reason"],
            _time(data["placedAt"]),
        )


def closing_side(side: Side) -> Literal["buy", "sell"]:
    """The order side that closes a `side` position."""
    return "sell" if side == "long" else "buy"


class PaperBroker:
    """Cash, open positions (one per symbol) and resting orders of one algorithm."""

    def __init__(self, cash: float) -> None:
        self.cash = cash
        self.positions: dict[str, Position] = {}
        self.resting: list[RestingOrder] = []

    def open(
        self,
        order: RestingOrder,
        price: float,
        at: datetime,
        stop: float | None,
        take: float | None,
    ) -> OrderFilled:
        """Fill entry `order` at `price` and open its position."""
        self.cash += -order.quantity * price if order.side == "buy" else order.quantity * price
        self.positions[order.symbol] = Position(
            order.symbol,
            order.position_side,
            order.quantity,
            price,
            at,
            stop,
            take,
            price,
            0,
            order.client_order_id,
        )
        return OrderFilled(
            order.client_order_id,
            order.symbol,
            order.side,
            order.quantity,
            "entry",
            order.reason,
            at,
            price,
        )

    def close(
        self, symbol: str, quantity: int, price: float, at: datetime, reason: str, order_id: str
    ) -> tuple[OrderFilled, TradeClosed]:
        """Close `quantity` (<= the position) of `symbol`'s position at `price`; the rest stays
        open. KeyError when there is no position."""
        position = self.positions[symbol]
        quantity = min(quantity, position.quantity)
        side = closing_side(position.side)
        self.cash += quantity * price if side == "sell" else -quantity * price
        direction = 1 if position.side == "long" else -1
        pnl = (price - position.entry_price) * quantity * direction
        position.quantity -= quantity
        if position.quantity == 0:
            del self.positions[symbol]
        trade = ClosedTrade(
            symbol,
            position.side,
            quantity,
            position.entry_at,
            position.entry_price,
            at,
            price,
            pnl,
            reason,
            (position.entry_order_id, order_id),
        )
        fill = OrderFilled(order_id, symbol, side, quantity, "exit", reason, at, price)
        return fill, TradeClosed(trade)

    def equity(self, marks: dict[str, float]) -> float:
        """Cash plus positions marked at `marks[symbol]` (the entry price when unmarked)."""
        held = sum(p.signed * marks.get(s, p.entry_price) for s, p in self.positions.items())
        return self.cash + held

    def resting_for(self, symbol: str, intent: OrderPurpose) -> RestingOrder | None:
        """The resting `intent` order of `symbol`, if any."""
        return next((o for o in self.resting if o.symbol == symbol and o.intent == intent), None)
