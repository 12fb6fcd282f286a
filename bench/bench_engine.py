"""Benchmark: trading-engine throughput on the real MSFT daily bars (bokeh-sampledata, 3,270
bars, 2000-03-01 to 2013-03-01).

- one algorithm: an RSI(14) crosses-below-30 long with a 5 % stop and a 10 % target, every bar
  through `Engine.on_bar` (indicators, conditions, gate, paper broker, exits);
- 100 algorithms: 100 engines (RSI periods 10-19 x 10 thresholds) each fed every bar, as a
  paper runner would; bars/s counts bar x algorithm steps;
- reference: backtesting.py running the same rules on the same bars (vectorised indicator
  precomputed, so it is a loose yardstick, not a like-for-like race).

Run `python bench/bench_engine.py`, or call `run()` for rows `(metric, ours, peer)`.
"""

from __future__ import annotations

import asyncio
import sys
import time
import warnings
from typing import Any

from sniper.trading.algorithms.config import AlgorithmConfig
from sniper.trading.engine.bars import Bar
from sniper.trading.engine.engine import Engine
from sniper.trading.engine.gating import gate_at
from sniper.trading.engine.marketdata import sample_bars

SYMBOL = "NASDAQ:MSFT"


def _config(period: int = 14, threshold: float = 30) -> AlgorithmConfig:
    condition = {
        "type": "indicator_value",
        "indicator": "RSI",
        "period": period,
        "operator": "crosses_below",
        "value": threshold,
    }
    return AlgorithmConfig.model_validate(
        {
            "strategyType": "mean_reversion",
            "timeframe": "1d",
            "symbols": [SYMBOL],
            "positionSizing": {"method": "fixed_quantity", "value": 100},
            "entryConditions": {"conditions": [condition]},
            "exitConditions": {
                "stopLoss": {"type": "percentage", "value": 5},
                "takeProfit": {"type": "percentage", "value": 10},
            },
            "executionSettings": {"mode": "backtest"},
        }
    )


async def _drive(engines: list[Engine], bars: list[Bar]) -> tuple[float, int]:
    """(seconds, events) for feeding every bar to every engine."""
    events = 0
    started = time.perf_counter()
    for bar in bars:
        for engine in engines:
            events += len(await engine.on_bar(bar))
    return time.perf_counter() - started, events


def _engines(count: int) -> list[Engine]:
    if count == 1:
        configs = [_config()]
    else:
        configs = [_config(10 + n % 10, 25 + n // 10) for n in range(count)]
    return [
        Engine(c, algorithm_id=f"bench-{n}", account_id=1, gate=gate_at("live"))
        for n, c in enumerate(configs)
    ]


def _reference_seconds(bars: list[Bar]) -> float:
    """Seconds for backtesting.py to run RSI(14) < 30 crossings with 5 % / 10 % brackets."""
    import numpy as np
    import pandas as pd
    from backtesting import Backtest, Strategy
    from talipp.indicators import RSI

    def rsi(close: Any) -> Any:
        return np.array([np.nan if v is None else v for v in RSI(14, input_values=list(close))])

    class Reference(Strategy):
        def init(self) -> None:
            self.rsi = self.I(rsi, self.data.Close)

        def next(self) -> None:
            if not self.position and self.rsi[-2] >= 30 > self.rsi[-1]:
                price = self.data.Close[-1]
                self.buy(size=100, sl=price * 0.95, tp=price * 1.10)

    frame = pd.DataFrame(
        {
            "Open": [b.open for b in bars],
            "High": [b.high for b in bars],
            "Low": [b.low for b in bars],
            "Close": [b.close for b in bars],
            "Volume": [float(b.volume) for b in bars],
        },
        index=pd.DatetimeIndex([b.at.replace(tzinfo=None) for b in bars]),
    )
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        Backtest(frame, Reference, cash=1_000_000, finalize_trades=True).run()
    return time.perf_counter() - started


def run() -> list[tuple[str, str, str]]:
    """Rows (metric, ours, reference)."""
    bars = sample_bars(SYMBOL)
    one_seconds, _ = asyncio.run(_drive(_engines(1), bars))
    many_seconds, events = asyncio.run(_drive(_engines(100), bars))
    try:
        reference = f"backtesting.py {len(bars) / _reference_seconds(bars):,.0f} bars/s"
    except ImportError:
        reference = "backtesting.py not installed"
    return [
        ("engine: 1 algorithm, bars/s", f"{len(bars) / one_seconds:,.0f}", reference),
        (
            "engine: 100 algorithms, bar-steps/s",
            f"{100 * len(bars) / many_seconds:,.0f} ({many_seconds:.1f} s, {events:,} events)",
            f"{len(bars):,} MSFT daily bars each",
        ),
    ]


def main(argv: list[str]) -> None:
    """Print the `run()` table."""
    del argv
    rows = [("metric", "sniper engine", "reference"), *run()]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for name, ours, peer in rows:
        print(f"{name:<{widths[0]}}  {ours:>{widths[1]}}  {peer:>{widths[2]}}")


if __name__ == "__main__":
    main(sys.argv)
