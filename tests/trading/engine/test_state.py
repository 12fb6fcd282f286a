"""Snapshot and rebuild: an engine rebuilt from its JSON snapshot and the bars it had seen
continues exactly like the uninterrupted one (no duplicate orders, positions and SL/TP
intact); a replayed bar is ignored; a wrong warm-up is refused."""

from __future__ import annotations

import json

import pytest

from sniper.trading.engine.bars import Bar
from sniper.trading.engine.engine import Engine
from sniper.trading.engine.events import Event, OrderPlaced
from sniper.trading.engine.marketdata import sample_bars
from tests.trading.engine.factories import SwitchableGate, config, engine, feed

RSI_BOTH = config(
    {
        "symbols": ["NASDAQ:MSFT", "NYSE:IBM"],
        "positionSizing": {"method": "percentage", "value": 20},
        "entryConditions": {
            "positionType": "both",
            "logicalOperator": "OR",
            "confirmationCandles": 1,
            "conditions": [
                {
                    "type": "indicator_value",
                    "indicator": "RSI",
                    "period": 14,
                    "operator": "below",
                    "value": 35,
                },
                {"type": "filing_event", "formTypes": ["8-K"]},
            ],
        },
        "exitConditions": {
            "stopLoss": {"type": "atr", "value": 2},
            "takeProfit": {"type": "risk_reward", "ratio": 2},
            "trailingStop": {"type": "percentage", "value": 8},
            "timeBasedExit": {"maxBars": 30},
        },
        "riskParameters": {"maxOpenPositions": 2, "maxPositionSize": 30},
        "executionSettings": {"slippage": 0.0005},
    }
)


def _bars() -> list[Bar]:
    merged = sample_bars("NASDAQ:MSFT")[:600] + sample_bars("NYSE:IBM")[:600]
    return sorted(merged, key=lambda b: (b.at, b.symbol))


async def _run(algo: Engine, bars: list[Bar]) -> list[Event]:
    events: list[Event] = []
    for number, item in enumerate(bars):
        if number % 97 == 0:  # a sniper hit now and then
            algo.on_filing(item.symbol, "8-K", item.at)
        events += await algo.on_bar(item)
    return events


def _restore(snapshot: dict[str, object], seen: list[Bar]) -> Engine:
    return Engine.restore(
        RSI_BOTH,
        json.loads(json.dumps(snapshot)),
        seen,
        algorithm_id="algo-1",
        account_id=7,
        gate=SwitchableGate(),
    )


async def test_rebuilt_engine_gives_exactly_the_uninterrupted_events() -> None:
    bars = _bars()
    reference = engine(RSI_BOTH)
    expected = await _run(reference, bars)
    assert sum(isinstance(e, OrderPlaced) for e in expected) >= 10
    placed_at = [
        n
        for n, b in enumerate(bars)
        if any(isinstance(e, OrderPlaced) and e.at == b.at for e in expected)
    ]
    cuts = [150, placed_at[3] + 1, placed_at[7] + 1, 1100]
    for cut in cuts:
        first = engine(RSI_BOTH)
        before = await _run(first, bars[:cut])
        rebuilt = _restore(first.snapshot(), bars[:cut])
        assert rebuilt.snapshot() == first.snapshot()
        after = [e for n, b in enumerate(bars[cut:], start=cut) for e in await _step(rebuilt, b, n)]
        assert before + after == expected, f"diverged after a restart at bar {cut}"


async def _step(algo: Engine, item: Bar, number: int) -> list[Event]:
    if number % 97 == 0:
        algo.on_filing(item.symbol, "8-K", item.at)
    return await algo.on_bar(item)


async def test_a_replayed_bar_fires_nothing_twice() -> None:
    bars = _bars()[:400]
    algo = engine(RSI_BOTH)
    await _run(algo, bars)
    rebuilt = _restore(algo.snapshot(), bars)
    assert [await rebuilt.on_bar(b) for b in bars[-5:]] == [[]] * 5
    assert rebuilt.snapshot() == algo.snapshot()


async def test_a_short_warm_up_is_refused() -> None:
    bars = _bars()[:300]
    algo = engine(RSI_BOTH)
    await feed(algo, bars)
    with pytest.raises(ValueError, match="warm-up fed"):
        _restore(algo.snapshot(), bars[50:])


def test_snapshot_of_a_fresh_engine_is_plain_json() -> None:
    snapshot = engine(RSI_BOTH).snapshot()
    assert json.loads(json.dumps(snapshot)) == snapshot
    assert snapshot["symbols"]["NASDAQ:MSFT"]["lastBarAt"] is None
    assert snapshot["cash"] == 100_000.0
