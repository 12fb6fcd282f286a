"""The exits of the x3algo exit-conditions page on bars that make each fire, and their priority
when several trigger on one bar (opposite signal > partial exit > break-even stop > stop loss >
trailing stop > take profit > time exit). Entry: 10 shares long at 102 (`ENTRY`); 5 % stop at
96.9, 10 % target at 112.2 unless a test changes them."""

from __future__ import annotations

from typing import Any

import pytest

from sniper.trading.engine.events import Event, TradeClosed
from sniper.trading.engine.indicators import IndicatorKey
from tests.trading.engine.factories import SYMBOL, bar, config, engine, feed, flat

ENTRY = [flat(0, 99), bar(1, 99, 101, 99, 101), bar(2, 102, 103, 101, 102)]
WILD = bar(3, 102.5, 120, 90, 100)  # reaches every level below at once


def closed(events: list[Event]) -> list[tuple[str, int, float]]:
    """(reason, shares, exit price) of each closed trade."""
    trades = [e.trade for e in events if isinstance(e, TradeClosed)]
    return [(t.exit_reason, t.quantity, round(t.exit_price, 4)) for t in trades]


async def test_partial_exit_closes_its_share_once_and_keeps_the_rest() -> None:
    algo = engine(config({"exitConditions": {"partialExits": [PARTIAL]}}))
    await feed(algo, ENTRY)
    out = await algo.on_bar(bar(3, 103, 105, 102, 104))  # 102 x 1.02 = 104.04 reached
    assert closed(out) == [("partial_exit", 5, 104.04)]
    assert algo.broker.positions[SYMBOL].quantity == 5
    assert closed(await algo.on_bar(bar(4, 104, 106, 103, 105))) == []


async def test_partial_exit_fills_at_the_open_when_the_bar_gaps_beyond() -> None:
    algo = engine(config({"exitConditions": {"partialExits": [PARTIAL]}}))
    await feed(algo, ENTRY)
    assert closed(await algo.on_bar(bar(3, 106, 107, 105, 106))) == [("partial_exit", 5, 106)]


async def test_break_even_stop_arms_after_the_activation_and_exits_at_entry() -> None:
    even = {"activationPercentage": 2, "offsetPercentage": 0}
    algo = engine(config({"exitConditions": {"breakEvenStop": even}}))
    await feed(algo, ENTRY)
    # Not armed yet on the bar that first reaches 104.04 (armed from the next bar on).
    assert closed(await algo.on_bar(bar(3, 103, 105, 101.5, 104))) == []
    assert closed(await algo.on_bar(bar(4, 104, 104, 101, 101.5))) == [("break_even", 10, 102)]


async def test_disabled_break_even_stop_does_nothing() -> None:
    even = {"enabled": False, "activationPercentage": 2}
    algo = engine(config({"exitConditions": {"breakEvenStop": even}}))
    await feed(algo, [*ENTRY, bar(3, 103, 105, 103, 104)])
    assert closed(await algo.on_bar(bar(4, 104, 104, 101, 101.5))) == []


PARTIAL = {"percentage": 50, "targetPercentage": 2}
ALL_EXITS: dict[str, Any] = {
    "partialExits": [PARTIAL],
    "breakEvenStop": {"activationPercentage": 0.5},  # armed by the entry bar's high 103
    "stopLoss": {"type": "percentage", "value": 5},
    "trailingStop": {"type": "fixed", "value": 2},  # 103 - 2 = 101
    "takeProfit": {"type": "percentage", "value": 10},
}
FAR_STOP = {"type": "fixed", "price": 50}


@pytest.mark.parametrize(
    ("changes", "winner"),
    [
        ({}, ("partial_exit", 5, 104.04)),
        ({"partialExits": None}, ("break_even", 10, 102)),
        ({"partialExits": None, "breakEvenStop": None}, ("stop_loss", 10, 96.9)),
        (
            {"partialExits": None, "breakEvenStop": None, "stopLoss": FAR_STOP},
            ("trailing_stop", 10, 101),
        ),
        (
            {
                "partialExits": None,
                "breakEvenStop": None,
                "stopLoss": FAR_STOP,
                "trailingStop": None,
            },
            ("take_profit", 10, 112.2),
        ),
    ],
)
async def test_the_higher_priority_exit_wins_a_bar_that_triggers_several(
    changes: dict[str, Any], winner: tuple[str, int, float]
) -> None:
    algo = engine(config({"exitConditions": ALL_EXITS | changes}))  # None removes a key
    await feed(algo, ENTRY)
    assert closed(await algo.on_bar(WILD)) == [winner]


async def test_take_profit_wins_over_the_time_exit_of_the_same_bar() -> None:
    exits = {"timeBasedExit": {"maxBars": 2}}
    algo = engine(config({"exitConditions": exits}))
    await feed(algo, ENTRY)
    out = await algo.on_bar(bar(3, 103, 113, 102, 104))  # take profit and the 2nd bar held
    assert closed(out) == [("take_profit", 10, 112.2)]
    assert [e.kind for e in out] == ["order_filled", "trade_closed"]  # no time-exit order


async def test_opposite_signal_runs_before_every_intrabar_exit() -> None:
    exits = {key: ALL_EXITS[key] for key in ("partialExits", "stopLoss", "takeProfit")}
    algo = engine(config({"entryConditions": {"positionType": "both"}, "exitConditions": exits}))
    await feed(algo, ENTRY)
    await algo.on_bar(bar(3, 102, 103, 99.5, 99.6))  # crosses below 100: the short signal
    out = await algo.on_bar(bar(4, 99, 120, 90, 100))
    assert closed(out)[0] == ("opposite_signal", 10, 99)


async def test_exit_on_opposite_signal_disabled_keeps_the_position() -> None:
    exits = {"exitOnOppositeSignal": {"enabled": False}}
    cfg = config({"entryConditions": {"positionType": "both"}, "exitConditions": exits})
    algo = engine(cfg)
    await feed(algo, ENTRY)
    assert await algo.on_bar(bar(3, 102, 103, 99.5, 99.6)) == []
    assert algo.broker.positions[SYMBOL].side == "long"


async def test_fixed_stop_at_a_price_level() -> None:
    stop = {"stopLoss": {"type": "fixed", "price": 100}}
    algo = engine(config({"exitConditions": stop}))
    await feed(algo, ENTRY)
    assert algo.broker.positions[SYMBOL].stop_price == 100
    assert closed(await algo.on_bar(bar(3, 101, 101, 99, 99.5))) == [("stop_loss", 10, 100)]


async def test_volatility_adjusted_sizing_risks_its_share_over_atr() -> None:
    sizing = {
        "method": "volatility_adjusted",
        "riskPercentage": 1,
        "atrPeriod": 1,
        "atrMultiplier": 2,
    }
    algo = engine(config({"positionSizing": sizing}))
    events = await feed(algo, ENTRY[:2])
    atr = algo.symbol_state(SYMBOL).bank.value(IndicatorKey.of("ATR", 1))
    assert atr is not None
    assert [e.quantity for e in events if e.kind == "order_placed"] == [  # type: ignore[attr-defined]
        int(100_000 * 0.01 / (2 * atr))
    ]


async def test_price_indicator_compares_the_documented_price_type() -> None:
    high_above = {
        "type": "price_indicator",
        "priceType": "high",
        "indicator": "SMA",
        "period": 1,
        "operator": "above",
    }
    algo = engine(config({"entryConditions": {"conditions": [high_above]}}))
    # SMA(1) is the close; the high is above it on the second bar only.
    assert await algo.on_bar(flat(0, 100)) == []
    assert [e.kind for e in await algo.on_bar(bar(1, 100, 102, 99, 100))] == ["order_placed"]
