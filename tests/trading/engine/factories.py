"""Builders for engine tests: a complete config with overrides, synthetic daily bars, a gate
whose control status the test can change (the real `decide`), and a driver."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sniper.trading.algorithms.config import AlgorithmConfig, merge_patch
from sniper.trading.engine.bars import Bar
from sniper.trading.engine.engine import Engine
from sniper.trading.engine.events import Event
from sniper.trading.engine.gating import GateDecision, OrderIntent, Status, decide

SYMBOL = "NASDAQ:TEST"
START = datetime(2024, 1, 1, tzinfo=UTC)
# Enter long when the close (SMA(1)) crosses above 100; 5 % stop, 10 % target, 10 shares.
BASE: dict[str, Any] = {
    "strategyType": "momentum",
    "timeframe": "1d",
    "symbols": [SYMBOL],
    "positionSizing": {"method": "fixed_quantity", "value": 10},
    "entryConditions": {
        "positionType": "long",
        "logicalOperator": "AND",
        "confirmationCandles": 0,
        "conditions": [
            {
                "type": "indicator_value",
                "indicator": "SMA",
                "period": 1,
                "operator": "crosses_above",
                "value": 100,
            }
        ],
    },
    "exitConditions": {
        "stopLoss": {"type": "percentage", "value": 5},
        "takeProfit": {"type": "percentage", "value": 10},
    },
    "executionSettings": {"mode": "paper", "orderType": "market", "slippage": 0},
}


def config(patch: dict[str, Any] | None = None) -> AlgorithmConfig:
    """`BASE` with `patch` merged in (PATCH semantics)."""
    return AlgorithmConfig.model_validate(merge_patch(BASE, patch or {}))


def bar(
    n: int, o: float, h: float, low: float, c: float, symbol: str = SYMBOL, hours: int = 0
) -> Bar:
    """The bar of day `n` after 2024-01-01 (plus `hours`)."""
    return Bar(symbol, START + timedelta(days=n, hours=hours), o, h, low, c, 1000)


def flat(n: int, price: float, symbol: str = SYMBOL) -> Bar:
    """A bar of day `n` where open = high = low = close = `price`."""
    return bar(n, price, price, price, price, symbol)


@dataclass
class SwitchableGate:
    """The real gate (`decide`) at a control status the test switches."""

    status: Status | None = "live"

    async def __call__(self, intent: OrderIntent) -> GateDecision:
        return decide(intent, self.status)


def engine(
    cfg: AlgorithmConfig | None = None, gate: SwitchableGate | None = None, cash: float = 100_000.0
) -> Engine:
    """An active engine for `cfg` (default `config()`)."""
    return Engine(
        cfg or config(),
        algorithm_id="algo-1",
        account_id=7,
        gate=gate or SwitchableGate(),
        initial_cash=cash,
    )


async def feed(target: Engine, bars: Iterable[Bar]) -> list[Event]:
    """All events of feeding `bars` in order."""
    events: list[Event] = []
    for item in bars:
        events += await target.on_bar(item)
    return events


def kinds(events: Iterable[Event]) -> list[str]:
    """The `kind` of each event."""
    return [e.kind for e in events]
