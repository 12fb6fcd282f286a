"""The bar: one OHLCV interval of one symbol."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True, slots=True)
class Bar:
    """One OHLCV bar. `symbol` as the algorithm names it (`NASDAQ:MSFT` or `MSFT`); `at` the
    bar's timezone-aware UTC start (daily bars: 00:00 UTC of the session date); prices in the
    quote currency; `volume` in shares. Raises ValueError for a naive `at`."""

    symbol: str
    at: datetime
    open: float
    high: float
    low: float
    close: float
    volume: int

    def __post_init__(self) -> None:
        if self.at.tzinfo is None or self.at.utcoffset() is None:
            raise ValueError("Bar.at must be timezone-aware (UTC)")
        if self.at.utcoffset() != UTC.utcoffset(None):
            object.__setattr__(self, "at", self.at.astimezone(UTC))


def ticker(symbol: str) -> str:
    """The ticker of an `EXCHANGE:SYMBOL` pair or a bare ticker, upper case:
    `"NASDAQ:MSFT"` -> `"MSFT"`, `"msft"` -> `"MSFT"`."""
    return symbol.rsplit(":", 1)[-1].strip().upper()
