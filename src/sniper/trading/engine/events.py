"""What the engine reports from each bar, for the caller to persist in one transaction with the
snapshot. Every event is a small frozen dataclass with `kind` and a camelCase `to_json()`.

| kind | when |
|---|---|
| `order_placed` | an order passed the gate and rests until the next bar's open |
| `order_filled` | a resting order filled at the open, or an exit filled intrabar |
| `order_cancelled` | a resting order was cancelled (stop, pause, emergency, no cash, ...) |
| `order_denied` | the gate refused an order; `reason` is the gate's reason code |
| `signal_ignored` | an entry signal was not acted on (`algorithm_stopped`, ...) |
| `trade_closed` | a position (or part of it) closed; carries the `ClosedTrade` |
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Literal

from sniper.kit.timefmt import iso_z
from sniper.trading.engine.performance import ClosedTrade

OrderSide = Literal["buy", "sell"]
OrderPurpose = Literal["entry", "exit"]


@dataclass(frozen=True, slots=True)
class OrderEvent:
    """Base of the order events: `quantity` in shares, `price` the fill price (filled only),
    `intent` entry|exit, `reason` why (e.g. `entry_long`, `stop_loss`, the gate's code), `at`
    the bar the event belongs to."""

    kind: ClassVar[str] = "order"
    client_order_id: str
    symbol: str
    side: OrderSide
    quantity: int
    intent: OrderPurpose
    reason: str
    at: datetime
    price: float | None = None

    def to_json(self) -> dict[str, Any]:
        """`{"type", "clientOrderId", "symbol", "side", "quantity", "intent", "reason", "at",
        "price"}`; `at` ISO 8601 UTC with `Z`."""
        return {
            "type": self.kind,
            "clientOrderId": self.client_order_id,
            "symbol": self.symbol,
            "side": self.side,
            "quantity": self.quantity,
            "intent": self.intent,
            "reason": self.reason,
            "at": iso_z(self.at),
            "price": self.price,
        }


@dataclass(frozen=True, slots=True)
class OrderPlaced(OrderEvent):
    """An order passed the gate; it fills at the next bar's open."""

    kind: ClassVar[str] = "order_placed"


@dataclass(frozen=True, slots=True)
class OrderFilled(OrderEvent):
    """An order filled at `price` (slippage included)."""

    kind: ClassVar[str] = "order_filled"


@dataclass(frozen=True, slots=True)
class OrderCancelled(OrderEvent):
    """A resting order was cancelled for `reason`."""

    kind: ClassVar[str] = "order_cancelled"


@dataclass(frozen=True, slots=True)
class OrderDenied(OrderEvent):
    """The gate refused the order; `reason` is its code (`manual_paused`, `emergency`, ...)."""

    kind: ClassVar[str] = "order_denied"


@dataclass(frozen=True, slots=True)
class SignalIgnored:
    """An entry signal on `symbol` for `direction` long|short was not acted on for `reason`."""

    kind: ClassVar[str] = "signal_ignored"
    symbol: str
    direction: str
    reason: str
    at: datetime

    def to_json(self) -> dict[str, Any]:
        """`{"type", "symbol", "direction", "reason", "at"}`."""
        return {
            "type": self.kind,
            "symbol": self.symbol,
            "direction": self.direction,
            "reason": self.reason,
            "at": iso_z(self.at),
        }


@dataclass(frozen=True, slots=True)
class TradeClosed:
    """A position closed (fully, or the part the gate allowed); `trade` is the ledger row."""

    kind: ClassVar[str] = "trade_closed"
    trade: ClosedTrade

    def to_json(self) -> dict[str, Any]:
        """`{"type": "trade_closed", "trade": ClosedTrade.to_json()}`."""
        return {"type": self.kind, "trade": self.trade.to_json()}


Event = OrderEvent | SignalIgnored | TradeClosed
