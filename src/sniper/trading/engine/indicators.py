"""Incremental indicators through talipp (DESIGN.md: a library, not hand-rolled math).

One `IndicatorBank` per symbol holds one talipp indicator per distinct `IndicatorKey` and the
last two closes; `update(bar)` feeds every indicator one bar. `value(key, field, back)` reads the
current (`back=0`) or previous (`back=1`) output, None while the indicator warms up. Inputs:
RSI, SMA, EMA, MACD and BB take the close; ATR takes the whole bar. Output lines: MACD
`macd|signal|histogram` (default macd), BB `upper|middle|lower` (default middle).

Talipp keeps every input and output, so memory grows with the bars fed (a few floats per bar
per indicator); a rebuild re-feeds the same history to reproduce the same values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from talipp.indicators import ATR, BB, EMA, MACD, RSI, SMA  # type: ignore[import-untyped]
from talipp.ohlcv import OHLCV  # type: ignore[import-untyped]

from sniper.trading.engine.bars import Bar

DEFAULT_FIELD = {"MACD": "macd", "BB": "middle"}
_ATTRIBUTE = {
    "macd": "macd",
    "signal": "signal",
    "histogram": "histogram",
    "upper": "ub",
    "middle": "cb",
    "lower": "lb",
}


@dataclass(frozen=True, slots=True)
class IndicatorKey:
    """One indicator instance: `name` RSI|SMA|EMA|MACD|BB|ATR, `period` in bars; MACD uses
    `period` as the fast EMA with `slow` / `signal` (26 / 9 by default); BB `std_dev` (2)."""

    name: str
    period: int
    slow: int | None = None
    signal: int | None = None
    std_dev: float | None = None

    @classmethod
    def of(
        cls,
        name: str,
        period: int,
        *,
        slow: int | None = None,
        signal: int | None = None,
        std_dev: float | None = None,
    ) -> IndicatorKey:
        """The key with defaults filled in, so equal indicators share one instance."""
        if name == "MACD":
            return cls(name, period, slow or 26, signal or 9)
        if name == "BB":
            return cls(name, period, std_dev=std_dev or 2.0)
        return cls(name, period)

    def build(self) -> Any:
        """A fresh talipp indicator for this key."""
        if self.name == "RSI":
            return RSI(self.period)
        if self.name == "SMA":
            return SMA(self.period)
        if self.name == "EMA":
            return EMA(self.period)
        if self.name == "MACD":
            return MACD(self.period, self.slow, self.signal)
        if self.name == "BB":
            return BB(self.period, self.std_dev)
        if self.name == "ATR":
            return ATR(self.period)
        raise ValueError(f"unknown indicator {self.name}")


class IndicatorBank:
    """The indicators of one symbol plus its last two closes (see the module docstring)."""

    def __init__(self, keys: set[IndicatorKey]) -> None:
        self._indicators = {key: key.build() for key in sorted(keys, key=repr)}
        self._bars: list[Bar] = []
        self.bars = 0

    def update(self, bar: Bar) -> None:
        """Feed one bar to every indicator."""
        candle: OHLCV | None = None
        for key, indicator in self._indicators.items():
            if key.name == "ATR":
                candle = candle or OHLCV(bar.open, bar.high, bar.low, bar.close, bar.volume)
                indicator.add(candle)
            else:
                indicator.add(bar.close)
        self._bars = [*self._bars[-1:], bar]
        self.bars += 1

    def value(self, key: IndicatorKey, field: str | None = None, back: int = 0) -> float | None:
        """Output `back` bars ago (0 current, 1 previous) of `key`'s line `field`; None while
        warming up or before `back` + 1 bars were fed. KeyError for an unknown key."""
        outputs = self._indicators[key]
        if len(outputs) <= back:
            return None
        output = outputs[-1 - back]
        if output is None:
            return None
        line = field or DEFAULT_FIELD.get(key.name)
        if line is None:
            return float(output)
        number = getattr(output, _ATTRIBUTE[line])
        return None if number is None else float(number)

    def close(self, back: int = 0) -> float | None:
        """The close `back` bars ago (0 or 1); None before that many bars."""
        return self.price("close", back)

    def price(self, kind: str, back: int = 0) -> float | None:
        """The bar's `kind` (open|high|low|close) `back` bars ago (0 or 1); None before that
        many bars."""
        if len(self._bars) <= back:
            return None
        return float(getattr(self._bars[-1 - back], kind))
