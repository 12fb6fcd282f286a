"""The order gate as the engine sees it: an async callable from `OrderIntent` to
`GateDecision` (`sniper.trading.control.gate`). A paper runner passes one that reads the
account's control status (`check_order`); backtests pass `gate_at("live")`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sniper.trading.control.gate import GateDecision, OrderIntent, decide
from sniper.trading.control.status import Status

Gate = Callable[[OrderIntent], Awaitable[GateDecision]]


def gate_at(status: Status | None) -> Gate:
    """A gate deciding every intent at a fixed control `status` (`"live"`: everything passes;
    any other status: entries denied with the status as reason, exits reduce-only)."""

    async def gate(intent: OrderIntent) -> GateDecision:
        return decide(intent, status)

    return gate
