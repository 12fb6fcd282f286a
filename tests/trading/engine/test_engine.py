"""The engine on synthetic bars: fills at the next open with slippage, exits by priority and
gap rule, algorithm states (stop, pause), the control plane's gate, confirmation candles,
risk limits, reversal for positionType both."""

from __future__ import annotations

from datetime import date

import pytest

from sniper.trading.engine.events import (
    OrderCancelled,
    OrderDenied,
    OrderFilled,
    OrderPlaced,
    SignalIgnored,
    TradeClosed,
)
from sniper.trading.engine.state import daily_loss_limit_reached
from tests.trading.engine.factories import (
    SwitchableGate,
    bar,
    config,
    engine,
    feed,
    flat,
    kinds,
)

# Day 0 below 100, day 1 closes above 100 (the entry signal), day 2 opens at 102 (the fill).
ENTRY = [flat(0, 99), bar(1, 99, 101, 99, 101), bar(2, 102, 103, 101, 102)]


async def test_signal_at_close_fills_at_next_open_with_slippage_against_the_trader() -> None:
    algo = engine(config({"executionSettings": {"slippage": 0.001}}))
    signal = await feed(algo, ENTRY[:2])
    assert kinds(signal) == ["order_placed"]
    placed = signal[0]
    assert isinstance(placed, OrderPlaced)
    assert (placed.side, placed.quantity, placed.intent) == ("buy", 10, "entry")
    filled = await algo.on_bar(ENTRY[2])
    assert isinstance(filled[0], OrderFilled)
    assert filled[0].client_order_id == placed.client_order_id
    assert filled[0].price == pytest.approx(102 * 1.001)
    # Stop 5 % under the fill; the next bar gaps below it: filled at the open, minus slippage.
    stop = 102 * 1.001 * 0.95
    out = await algo.on_bar(bar(3, stop - 1, stop - 0.5, stop - 2, stop - 1))
    assert kinds(out) == ["order_filled", "trade_closed"]
    trade = out[1].trade  # type: ignore[union-attr]
    assert trade.exit_reason == "stop_loss"
    assert trade.exit_price == pytest.approx((stop - 1) * 0.999)
    assert trade.pnl == pytest.approx(((stop - 1) * 0.999 - 102 * 1.001) * 10)


async def test_client_order_ids_are_deterministic_per_algorithm_bar_and_intent() -> None:
    first = await feed(engine(), ENTRY[:2])
    again = await feed(engine(), ENTRY[:2])
    assert first == again
    other = engine()
    other.algorithm_id = "algo-2"
    assert (await feed(other, ENTRY[:2]))[0].client_order_id != first[0].client_order_id  # type: ignore[union-attr]


async def test_stop_keeps_watching_open_positions_and_ignores_new_signals() -> None:
    algo = engine()
    await feed(algo, ENTRY)
    assert algo.set_state("stopped") == []
    target = 102 * 1.10
    # Gap above the take profit: filled at the open.
    out = await algo.on_bar(bar(3, target + 2, target + 3, target + 1, target + 2))
    closed = [e for e in out if isinstance(e, TradeClosed)]
    assert [(t.trade.exit_reason, t.trade.exit_price) for t in closed] == [
        ("take_profit", target + 2)
    ]
    again = await feed(algo, [flat(4, 99), bar(5, 99, 101, 99, 101), flat(6, 101)])
    assert [e.reason for e in again if isinstance(e, SignalIgnored)] == ["algorithm_stopped"]
    assert not [e for e in again if isinstance(e, OrderPlaced | OrderFilled)]
    assert algo.broker.positions == {}


async def test_stopping_cancels_the_resting_entry() -> None:
    algo = engine()
    placed = await feed(algo, ENTRY[:2])
    cancelled = algo.set_state("stopped")
    assert [(e.kind, e.reason, e.client_order_id) for e in cancelled] == [  # type: ignore[union-attr]
        ("order_cancelled", "algorithm_stopped", placed[0].client_order_id)  # type: ignore[union-attr]
    ]
    assert await algo.on_bar(ENTRY[2]) == []
    assert algo.broker.positions == {}


async def test_paused_algorithm_keeps_indicators_warm() -> None:
    # Enter when the close crosses above its SMA(5): needs five bars of history.
    cross = {
        "type": "price_indicator",
        "indicator": "SMA",
        "period": 5,
        "operator": "crosses_above",
    }
    cfg = config({"entryConditions": {"conditions": [cross]}})
    history = [flat(n, 100 - n) for n in range(8)]
    signal_bar = bar(8, 93, 99, 93, 99)
    paused = engine(cfg)
    paused.set_state("paused")
    await feed(paused, history)
    paused.set_state("active")
    assert kinds(await paused.on_bar(signal_bar)) == ["order_placed"]
    cold = engine(cfg)
    await feed(cold, history[-2:])
    assert await cold.on_bar(signal_bar) == []


async def test_non_live_gate_denies_entries_and_lets_exits_through() -> None:
    gate = SwitchableGate()
    algo = engine(gate=gate)
    await feed(algo, ENTRY)
    gate.status = "soft_paused"
    stop = 102 * 0.95
    out = await algo.on_bar(bar(3, 100, 100, stop - 1, stop - 0.5))
    assert [e.trade.exit_reason for e in out if isinstance(e, TradeClosed)] == ["stop_loss"]
    denied = await feed(algo, [flat(4, 99), bar(5, 99, 101, 99, 101)])
    assert [(e.kind, e.intent, e.reason) for e in denied] == [  # type: ignore[union-attr]
        ("order_denied", "entry", "soft_paused")
    ]
    assert isinstance(denied[0], OrderDenied)


async def test_emergency_cancels_resting_entries_and_exits_still_run() -> None:
    gate = SwitchableGate()
    algo = engine(config({"symbols": ["NASDAQ:TEST", "NYSE:OTHER"]}), gate=gate)
    await feed(algo, ENTRY)  # a position in TEST
    await feed(algo, [flat(1, 99, "NYSE:OTHER"), bar(2, 99, 101, 99, 101, "NYSE:OTHER")])
    gate.status = "emergency"
    cancelled = algo.cancel_resting_entries("emergency")
    assert [(type(e), e.symbol, e.reason) for e in cancelled] == [  # type: ignore[union-attr]
        (OrderCancelled, "NYSE:OTHER", "emergency")
    ]
    assert await algo.on_bar(flat(3, 101, "NYSE:OTHER")) == []
    out = await algo.on_bar(bar(3, 110, 113, 110, 112))
    assert [e.trade.exit_reason for e in out if isinstance(e, TradeClosed)] == ["take_profit"]


async def test_confirmation_candles_need_the_condition_on_following_bars() -> None:
    above = {
        "type": "indicator_value",
        "indicator": "SMA",
        "period": 1,
        "operator": "above",
        "value": 100,
    }
    cfg = config({"entryConditions": {"confirmationCandles": 2, "conditions": [above]}})
    algo = engine(cfg)
    assert await feed(algo, [flat(0, 101), flat(1, 101), flat(2, 99)]) == []
    out = await feed(algo, [flat(3, 101), flat(4, 102)])
    assert out == []
    placed = await algo.on_bar(flat(5, 103))
    assert [(e.kind, e.at.day) for e in placed] == [("order_placed", 6)]


async def test_time_exit_and_trailing_stop() -> None:
    timed = engine(config({"exitConditions": {"timeBasedExit": {"maxBars": 2}}}))
    await feed(timed, [*ENTRY, flat(3, 102)])
    out = await timed.on_bar(flat(4, 103))
    assert [e.trade.exit_reason for e in out if isinstance(e, TradeClosed)] == ["time_exit"]
    trailing = engine(config({"exitConditions": {"trailingStop": {"type": "fixed", "value": 2}}}))
    await feed(trailing, [*ENTRY, bar(3, 102, 108, 102, 107)])
    out = await trailing.on_bar(bar(4, 107, 107, 105, 105.5))  # 108 - 2 = 106 touched
    trades = [e.trade for e in out if isinstance(e, TradeClosed)]
    assert [(t.exit_reason, t.exit_price) for t in trades] == [("trailing_stop", 106)]


async def test_stop_loss_wins_when_stop_and_target_touch_one_bar() -> None:
    algo = engine()
    await feed(algo, ENTRY)
    out = await algo.on_bar(bar(3, 102, 120, 90, 100))
    assert [e.trade.exit_reason for e in out if isinstance(e, TradeClosed)] == ["stop_loss"]


async def test_both_reverses_on_the_opposite_signal() -> None:
    cfg = config({"entryConditions": {"positionType": "both"}})
    algo = engine(cfg)
    await feed(algo, ENTRY)
    out = await algo.on_bar(bar(3, 102, 103, 99, 99.5))  # crosses below 100: short signal
    assert [(e.kind, e.reason) for e in out] == [  # type: ignore[union-attr]
        ("order_placed", "opposite_signal"),
        ("order_placed", "entry_short"),
    ]
    out = await algo.on_bar(flat(4, 99))
    assert [e.kind for e in out] == ["order_filled", "trade_closed", "order_filled"]
    assert algo.broker.positions["NASDAQ:TEST"].side == "short"


async def test_max_open_positions_and_daily_loss_limit() -> None:
    cfg = config(
        {
            "symbols": ["NASDAQ:TEST", "NYSE:OTHER"],
            "riskParameters": {"maxOpenPositions": 1, "maxDailyLoss": 0.005},
        }
    )
    algo = engine(cfg)
    await feed(algo, ENTRY[:2])
    other = await feed(algo, [flat(0, 99, "NYSE:OTHER"), bar(1, 99, 101, 99, 101, "NYSE:OTHER")])
    assert [e.reason for e in other] == ["max_open_positions"]  # type: ignore[union-attr]
    await algo.on_bar(ENTRY[2])
    # Day 3: the stop loses 10 x 5.1 = 51 >= 0.005 % of ~100,000; later that day, no entries.
    await algo.on_bar(bar(3, 100, 100, 90, 95))
    assert algo.daily_loss_limit_reached()
    assert daily_loss_limit_reached(cfg, algo.snapshot())
    await algo.on_bar(flat(2, 99, "NYSE:OTHER"))
    late = await algo.on_bar(bar(3, 99, 101, 99, 101, "NYSE:OTHER", hours=6))
    assert [e.reason for e in late] == ["daily_loss_limit"]  # type: ignore[union-attr]
    assert algo.daily_loss_limit_reached(on=date(2024, 1, 4))
    assert not algo.daily_loss_limit_reached(on=date(2024, 1, 5))
