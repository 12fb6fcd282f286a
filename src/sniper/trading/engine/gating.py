"""The order gate's decision, pure: an `OrderIntent` and the account's control `Status` in, a
`GateDecision` out (DESIGN.md "Trading control plane"). The engine holds its gate as `Gate`, an
async callable from intent to decision: a paper runner passes one that reads the account's
control state (`sniper.trading.control.gate.check_order`); backtests pass `gate_at("live")`.

At `live` every order passes unchanged. At any other status (or when the control state could not
be read, `status=None`) the gate is reduce-only:

| intent kind | example (position +10) | decision, reason code |
|---|---|---|
| `entry` | buy 5 at position 0 | deny, the status (`emergency`, `manual_paused`, ...) |
| `scale_in` | buy 5 | deny, the status |
| `exit` | sell 4 | allow 4, `reduce_only` |
| `exit_beyond_position` | sell 15 | allow 10 (clamped, never flips), `reduce_only_clamped` |

With an unreadable state the deny reason is `control_state_unavailable`. Nothing here closes a
position: exits happen only when a strategy or a person sends them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

Status = Literal[
    "emergency", "system_stopped", "soft_paused", "manual_stopped", "manual_paused", "live"
]
"""An account's effective trading-control status, highest precedence first
(`sniper.trading.control.status.derive_status`)."""
IntentKind = Literal["entry", "scale_in", "exit", "exit_beyond_position"]
UNAVAILABLE = "control_state_unavailable"
CANCELLING_STATUSES: frozenset[Status] = frozenset(
    {"manual_stopped", "system_stopped", "emergency"}
)


@dataclass(frozen=True)
class OrderIntent:
    """An order the engine wants to send: `side` buy/sell, `quantity` > 0 (units of the
    instrument), `position` the account's signed position in it now (+ long, - short)."""

    account_id: int
    instrument: str
    side: Literal["buy", "sell"]
    quantity: Decimal
    position: Decimal

    @property
    def kind(self) -> IntentKind:
        delta = self.quantity if self.side == "buy" else -self.quantity
        if self.position == 0:
            return "entry"
        if (delta > 0) == (self.position > 0):
            return "scale_in"
        return "exit" if self.quantity <= abs(self.position) else "exit_beyond_position"


@dataclass(frozen=True)
class GateDecision:
    """`allowed`; `quantity` that may be sent (0 when denied, clamped to the position for a
    reduce-only exit); `reason` code; the `status` it was decided at (None: unreadable)."""

    allowed: bool
    quantity: Decimal
    reason: str
    status: Status | None
    kind: IntentKind


def decide(intent: OrderIntent, status: Status | None) -> GateDecision:
    """The gate's verdict for `intent` at `status` (see the module table). Raises ValueError for
    a quantity that is not positive."""
    if intent.quantity <= 0:
        raise ValueError("order quantity must be > 0")
    kind = intent.kind
    if status == "live":
        return GateDecision(True, intent.quantity, "live", status, kind)
    if kind in ("entry", "scale_in"):
        return GateDecision(False, Decimal(0), status or UNAVAILABLE, status, kind)
    if kind == "exit":
        return GateDecision(True, intent.quantity, "reduce_only", status, kind)
    return GateDecision(True, abs(intent.position), "reduce_only_clamped", status, kind)


def must_cancel_entries(status: Status | None) -> bool:
    """Whether resting entry orders must be cancelled at `status` (stop, system stop,
    emergency; also an unreadable state). Pauses keep them."""
    return status is None or status in CANCELLING_STATUSES


Gate = Callable[[OrderIntent], Awaitable[GateDecision]]


def gate_at(status: Status | None) -> Gate:
    """A gate deciding every intent at a fixed control `status` (`"live"`: everything passes;
    any other status: entries denied with the status as reason, exits reduce-only)."""

    async def gate(intent: OrderIntent) -> GateDecision:
        return decide(intent, status)

    return gate
