"""Issue 6 "Done when": an RSI strategy backtested on the real MSFT bars (bokeh-sampledata)
gives the same trades as the same rules in backtesting.py on the same data.

Both sides use one RSI formula (talipp's, fed to backtesting.py through `Strategy.I`) and the
same fills: a market order at the next bar's open (`trade_on_close=False`), the stop loss and
take profit fixed from the entry fill and watched from the fill bar on (backtesting.py checks
a new trade's SL/TP in its fill bar; the reference strategy knows that fill price because a
market order fills at the next open), stop loss before take profit when both touch one bar,
gaps filled at the open. Trades still open at the end are left out (we close them at the last
close, backtesting.py's `finalize_trades` at the last open).
"""

from __future__ import annotations

import warnings
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pytest
from backtesting import Backtest, Strategy
from talipp.indicators import RSI

from sniper.trading.engine.backtest import run_backtest
from sniper.trading.engine.bars import Bar
from sniper.trading.engine.marketdata import sample_bars
from tests.trading.engine.factories import config

SHARES = 100
STOP, TARGET = 5.0, 10.0


def _talipp_rsi(close: np.ndarray, period: int) -> np.ndarray:
    values = RSI(period, input_values=[float(c) for c in close])
    return np.array([np.nan if v is None else v for v in values], dtype=float)


class RsiReference(Strategy):
    """long: RSI(14) crosses below 30; short: RSI(14) crosses above 70; SL / TP in % of the
    fill; optional time exit after `max_bars` bars (the fill bar counts)."""

    direction = "long"
    max_bars = 0
    opens: Any = None

    def init(self) -> None:
        self.rsi = self.I(_talipp_rsi, self.data.Close, 14)

    def next(self) -> None:
        now = len(self.data) - 1
        for trade in self.trades:
            if self.max_bars and now - trade.entry_bar + 1 >= self.max_bars:
                trade.close()
        if self.position or now + 1 >= len(self.opens) or np.isnan(self.rsi[-2]):
            return
        fill = float(self.opens[now + 1])
        # Order._replace sets SL / TP from the fill price: `buy(sl=, tp=)` would check them
        # against this bar's close and refuse the ones a gapping open puts on the other side.
        if self.direction == "long" and self.rsi[-2] >= 30 > self.rsi[-1]:
            order = self.buy(size=SHARES)
            order._replace(sl_price=fill * (1 - STOP / 100), tp_price=fill * (1 + TARGET / 100))
        if self.direction == "short" and self.rsi[-2] <= 70 < self.rsi[-1]:
            order = self.sell(size=SHARES)
            order._replace(sl_price=fill * (1 + STOP / 100), tp_price=fill * (1 - TARGET / 100))


def _reference(bars: list[Bar], direction: str, max_bars: int) -> list[tuple[Any, ...]]:
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
        RsiReference,
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


def _config(direction: str, max_bars: int) -> Any:
    value, operator = (30, "crosses_below") if direction == "long" else (70, "crosses_above")
    condition = {
        "type": "indicator_value",
        "indicator": "RSI",
        "period": 14,
        "operator": operator,
        "value": value,
    }
    exits: dict[str, Any] = {
        "stopLoss": {"type": "percentage", "value": STOP},
        "takeProfit": {"type": "percentage", "value": TARGET},
    }
    if max_bars:
        exits["timeBasedExit"] = {"maxBars": max_bars}
    return config(
        {
            "symbols": ["NASDAQ:MSFT"],
            "positionSizing": {"value": SHARES},
            "entryConditions": {"positionType": direction, "conditions": [condition]},
            "exitConditions": exits,
            "executionSettings": {"mode": "backtest"},
        }
    )


@pytest.mark.parametrize(("direction", "max_bars"), [("long", 0), ("short", 10)])
async def test_rsi_trades_match_backtesting_py_on_real_msft_bars(
    direction: str, max_bars: int
) -> None:
    bars = sample_bars("NASDAQ:MSFT")
    result = await run_backtest(
        _config(direction, max_bars),
        {"NASDAQ:MSFT": bars},
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
    reference = [t for t in _reference(bars, direction, max_bars) if t[0] not in ended]
    assert len(ours) >= 20
    assert [t[::2] for t in ours] == [t[::2] for t in reference]  # dates and sizes
    for mine, theirs in zip(ours, reference, strict=True):
        assert mine[1] == pytest.approx(theirs[1], abs=0.005)
        assert mine[3] == pytest.approx(theirs[3], abs=0.005)
    reasons = {t.exit_reason for t in result.trades}
    assert {"stop_loss", "take_profit"} <= reasons
