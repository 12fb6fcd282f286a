"""Issue 6 "Done when" and issue 13: the engine's backtests on the real bundled bars
(bokeh-sampledata, split- and dividend-adjusted as the engine serves them) give the same trades
as the same rules in backtesting.py on the same bars: an RSI threshold rule on MSFT (long and
short) and on AAPL (whose raw bars hold two 2:1 splits), and an SMA(10) / SMA(30) crossover
on AAPL.

The rules are configured the same way on both sides, which is what makes them agree:
- one indicator formula: talipp's RSI / SMA, fed to backtesting.py through `Strategy.I`, and
  the engine's cross operators written out (`crosses_below`: previous >= level > current;
  `crosses_above` of two lines: previous fast <= slow, current fast > slow; backtesting.lib's
  `crossover` uses a strict `<` on the previous bar, so it is not used);
- the signal on a bar's close and a market order filled at the next bar's open
  (`trade_on_close=False`), no commission (`commission=0.0`), no slippage on either side;
- the stop loss and take profit fixed from the entry fill and watched from the fill bar on
  (backtesting.py checks a new trade's SL/TP in its fill bar; the reference strategy knows
  that fill price because a market order fills at the next open), stop loss before take
  profit when both touch one bar, gaps filled at the open;
- a time exit after `max_bars` bars counting the fill bar.
Trades still open at the end are left out (we close them at the last close, backtesting.py's
`finalize_trades` at the last open).
"""

from __future__ import annotations

import warnings
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pytest
from backtesting import Backtest, Strategy
from talipp.indicators import RSI, SMA

from sniper.trading.engine.backtest import run_backtest
from sniper.trading.engine.bars import Bar
from sniper.trading.engine.marketdata import sample_bars
from tests.trading.engine.factories import config

SHARES = 100
STOP, TARGET = 5.0, 10.0


def _talipp(indicator: type, close: np.ndarray, period: int) -> np.ndarray:
    values = indicator(period, input_values=[float(c) for c in close])
    return np.array([np.nan if v is None else v for v in values], dtype=float)


class RuleReference(Strategy):
    """Enter on `signal()` at the next open: long (`direction` long) or short; SL / TP in %
    of the fill; optional time exit after `max_bars` bars (the fill bar counts)."""

    direction = "long"
    max_bars = 0
    opens: Any = None

    def signal(self) -> bool:
        raise NotImplementedError

    def next(self) -> None:
        now = len(self.data) - 1
        for trade in self.trades:
            if self.max_bars and now - trade.entry_bar + 1 >= self.max_bars:
                trade.close()
        if self.position or now + 1 >= len(self.opens) or not self.signal():
            return
        fill = float(self.opens[now + 1])
        # Order._replace sets SL / TP from the fill price: `buy(sl=, tp=)` would check them
        # against this bar's close and refuse the ones a gapping open puts on the other side.
        if self.direction == "long":
            order = self.buy(size=SHARES)
            order._replace(sl_price=fill * (1 - STOP / 100), tp_price=fill * (1 + TARGET / 100))
        else:
            order = self.sell(size=SHARES)
            order._replace(sl_price=fill * (1 + STOP / 100), tp_price=fill * (1 - TARGET / 100))


class RsiReference(RuleReference):
    """long: RSI(14) crosses below 30; short: RSI(14) crosses above 70."""

    def init(self) -> None:
        self.rsi = self.I(_talipp, RSI, self.data.Close, 14)

    def signal(self) -> bool:
        before, now = self.rsi[-2], self.rsi[-1]  # NaN while warming up: comparisons false
        if self.direction == "long":
            return bool(before >= 30 > now)
        return bool(before <= 70 < now)


class SmaCrossReference(RuleReference):
    """long: SMA(10) crosses above SMA(30)."""

    def init(self) -> None:
        self.fast = self.I(_talipp, SMA, self.data.Close, 10)
        self.slow = self.I(_talipp, SMA, self.data.Close, 30)

    def signal(self) -> bool:
        return bool(self.fast[-2] <= self.slow[-2] and self.fast[-1] > self.slow[-1])


def _reference(
    bars: list[Bar], strategy: type[RuleReference], direction: str, max_bars: int
) -> list[tuple[Any, ...]]:
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
    backtest = Backtest(
        frame,
        strategy,
        cash=1_000_000,
        commission=0.0,
        trade_on_close=False,
        finalize_trades=True,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # backtesting.py's own warnings are not ours to fail on
        stats = backtest.run(direction=direction, max_bars=max_bars, opens=frame["Open"].values)
    return [
        (row.EntryTime.date(), row.EntryPrice, row.ExitTime.date(), row.ExitPrice, abs(row.Size))
        for row in stats._trades.itertuples()
    ]


def _condition(rule: str, direction: str) -> dict[str, Any]:
    if rule == "sma_cross":
        return {
            "type": "indicator_indicator",
            "indicator": "SMA",
            "period": 10,
            "operator": "crosses_above",
            "compareIndicator": "SMA",
            "comparePeriod": 30,
        }
    value, operator = (30, "crosses_below") if direction == "long" else (70, "crosses_above")
    return {
        "type": "indicator_value",
        "indicator": "RSI",
        "period": 14,
        "operator": operator,
        "value": value,
    }


def _config(symbol: str, rule: str, direction: str, max_bars: int) -> Any:
    condition = _condition(rule, direction)
    exits: dict[str, Any] = {
        "stopLoss": {"type": "percentage", "value": STOP},
        "takeProfit": {"type": "percentage", "value": TARGET},
    }
    if max_bars:
        exits["timeBasedExit"] = {"maxBars": max_bars}
    return config(
        {
            "symbols": [symbol],
            "positionSizing": {"value": SHARES},
            "entryConditions": {"positionType": direction, "conditions": [condition]},
            "exitConditions": exits,
            "executionSettings": {"mode": "backtest"},
        }
    )


REFERENCES = {"rsi": RsiReference, "sma_cross": SmaCrossReference}


@pytest.mark.parametrize(
    ("symbol", "rule", "direction", "max_bars"),
    [
        ("NASDAQ:MSFT", "rsi", "long", 0),
        ("NASDAQ:MSFT", "rsi", "short", 10),
        ("NASDAQ:AAPL", "rsi", "long", 0),
        ("NASDAQ:AAPL", "sma_cross", "long", 20),
    ],
)
async def test_trades_match_backtesting_py_on_real_bars(
    symbol: str, rule: str, direction: str, max_bars: int
) -> None:
    bars = sample_bars(symbol)
    result = await run_backtest(
        _config(symbol, rule, direction, max_bars),
        {symbol: bars},
        start=date(2000, 3, 1),
        end=date(2013, 3, 1),
        initial_balance=1_000_000,
    )
    ours = [
        (t.entry_at.date(), t.entry_price, t.exit_at.date(), t.exit_price, t.quantity)
        for t in result.trades
        if t.exit_reason != "end_of_backtest"
    ]
    ended = {t.entry_at.date() for t in result.trades if t.exit_reason == "end_of_backtest"}
    reference = _reference(bars, REFERENCES[rule], direction, max_bars)
    reference = [t for t in reference if t[0] not in ended]
    assert len(ours) >= 10
    assert [t[::2] for t in ours] == [t[::2] for t in reference]  # dates and sizes
    for mine, theirs in zip(ours, reference, strict=True):
        assert mine[1] == pytest.approx(theirs[1], rel=1e-9)
        assert mine[3] == pytest.approx(theirs[3], rel=1e-9)
    reasons = {t.exit_reason for t in result.trades}
    assert {"stop_loss", "take_profit"} <= reasons


async def test_the_rsi_rule_no_longer_buys_aapls_splits() -> None:
    """On the raw bars the 2:1 splits of 2000-06-21 and 2005-02-28 read as crashes and the
    RSI < 30 rule buys at the next open; on the adjusted bars the engine serves, it does not."""
    config = _config("NASDAQ:AAPL", "rsi", "long", 0)
    entries = {}
    for adjusted in (False, True):
        result = await run_backtest(
            config,
            {"NASDAQ:AAPL": sample_bars("NASDAQ:AAPL", adjusted=adjusted)},
            start=date(2000, 3, 1),
            end=date(2013, 3, 1),
            initial_balance=1_000_000,
        )
        entries[adjusted] = {t.entry_at.date() for t in result.trades}
    after_splits = {date(2000, 6, 22), date(2005, 3, 1)}
    assert after_splits <= entries[False]
    assert not after_splits & entries[True]
