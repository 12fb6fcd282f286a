"""Bars to trade on: the real daily OHLCV shipped in `bokeh_sampledata` (offline default) and a
CSV loader for the user's own bars. Standard library only (no pandas).

The sample is Quandl WIKI prices, public domain, as packaged by Bokeh (`_data/stocks.csv.gz`:
`Ticker,Date,Open,High,Low,Close,Volume,Adj Close`): AAPL, IBM and MSFT from 2000-03-01 to
2013-03-01, GOOG from 2004-08-19, FB from 2012-05-18. Daily bars are stamped at 00:00 UTC of
the session date.

The raw prices are unadjusted: AAPL's 2:1 split of 2005-02-28 shows as a -50 % bar, which an
RSI rule reads as a crash. So the sample is served split- and dividend-adjusted the way
Quandl's `Adj Close` is: each row's factor `Adj Close / Close` multiplies its open, high, low
and close, and its volume is divided by it (shares in post-split units). A user's CSV bars are
used as given. Paper runs replay the raw sample (`bars_for(adjusted=False)`): a feed quotes
the prices of the day, adjustment is for looking back. `price_adjustment` names which of the
two a symbol's backtest bars are, for the backtest result.

AAPL has a second, newer part: `hvsampledata`'s `_data/apple_stocks.csv` (HoloViz, BSD
package; the data is Yahoo Finance's, shipped "for demonstration and educational purposes",
read from the installed package, never copied): 1,509 daily bars from 2019-01-02 to
2024-12-30, `date,open,high,low,close,volume,adj_close`, prices already split-adjusted
(Yahoo's `close`), adjusted for dividends here by `adj_close / close`. It overlaps AAPL's
recorded EDGAR submissions (filings from 2015-03-12), so a `filing_event` backtest on it trades
on real filings offline. The two parts are adjusted to different dates and nothing lies
between them (2013-03-02 to 2019-01-01), so a range picks one of them (`sample_bars`).
"""

from __future__ import annotations

import csv
import functools
import gzip
import io
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path

from sniper.trading.engine.bars import Bar, ticker

SAMPLE_TICKERS = ("AAPL", "FB", "GOOG", "IBM", "MSFT")
CSV_COLUMNS = ("open", "high", "low", "close", "volume")
TIME_COLUMNS = ("date", "datetime", "timestamp", "time")
ADJUSTED = "splits_and_dividends"  # the sample, ratio-adjusted by Adj Close / Close
AS_PROVIDED = "as_provided"  # the user's CSV, taken as it is


SampleParts = dict[str, tuple[tuple[Bar, ...], ...]]  # ticker -> its parts, oldest first


@functools.cache
def _sample(adjusted: bool) -> SampleParts:
    parts: dict[str, list[tuple[Bar, ...]]] = {}
    for name, bars in [*_bokeh(adjusted).items(), ("AAPL", _holoviz_apple(adjusted))]:
        parts.setdefault(name, []).append(bars)
    return {name: tuple(sorted(found, key=lambda p: p[0].at)) for name, found in parts.items()}


def _bokeh(adjusted: bool) -> dict[str, tuple[Bar, ...]]:
    raw = resources.files("bokeh_sampledata").joinpath("_data", "stocks.csv.gz").read_bytes()
    by_ticker: dict[str, list[Bar]] = {}
    with io.TextIOWrapper(gzip.GzipFile(fileobj=io.BytesIO(raw)), encoding="utf-8") as text:
        for row in csv.DictReader(text):
            columns = ("Date", "Open", "High", "Low", "Close", "Volume", "Adj Close")
            bar = _sample_bar(row["Ticker"], [row[name] for name in columns], adjusted)
            by_ticker.setdefault(bar.symbol, []).append(bar)
    return {name: tuple(sorted(bars, key=lambda b: b.at)) for name, bars in by_ticker.items()}


def _holoviz_apple(adjusted: bool) -> tuple[Bar, ...]:
    text = resources.files("hvsampledata").joinpath("_data", "apple_stocks.csv").read_text("utf-8")
    columns = ("date", "open", "high", "low", "close", "volume", "adj_close")
    rows = csv.DictReader(io.StringIO(text))
    bars = (_sample_bar("AAPL", [row[name] for name in columns], adjusted) for row in rows)
    return tuple(sorted(bars, key=lambda b: b.at))


def _sample_bar(symbol: str, cells: list[str], adjusted: bool) -> Bar:
    """A sample row's bar; `cells` are date, open, high, low, close, volume, adjusted close."""
    day = date.fromisoformat(cells[0])
    open_, high, low, close, volume, adjusted_close = (float(cell) for cell in cells[1:])
    factor = adjusted_close / close if adjusted else 1.0
    return Bar(
        symbol=symbol,
        at=datetime(day.year, day.month, day.day, tzinfo=UTC),
        open=open_ * factor,
        high=high * factor,
        low=low * factor,
        close=close * factor,
        volume=round(volume / factor),
    )


def sample_bars(
    symbol: str, *, adjusted: bool = True, start: date | None = None, end: date | None = None
) -> list[Bar]:
    """Daily bars of `symbol` (`"NASDAQ:MSFT"` or `"MSFT"`) from the bundled sample, oldest
    first, each carrying `symbol` as given; split- and dividend-adjusted (see the module
    docstring) unless `adjusted=False`. Parsed once per process. A ticker with two parts
    (AAPL: 2000-03-01 to 2013-03-01 and 2019-01-02 to 2024-12-30) gives the oldest part that
    reaches `start` (the oldest when `start` is None, the newest when none reaches it).
    Raises ValueError for a ticker the sample does not have (it has AAPL, FB, GOOG, IBM,
    MSFT), or when [start, end] reaches into two parts."""
    parts = _sample(adjusted).get(ticker(symbol))
    if parts is None:
        raise ValueError(f"no sample bars for {symbol}; the sample has {', '.join(SAMPLE_TICKERS)}")
    bars = _part(symbol, parts, start, end)
    if bars[0].symbol == symbol:
        return list(bars)
    return [replace(bar, symbol=symbol) for bar in bars]


def _part(
    symbol: str, parts: tuple[tuple[Bar, ...], ...], start: date | None, end: date | None
) -> tuple[Bar, ...]:
    reaching = [part for part in parts if start is None or part[-1].at.date() >= start]
    if not reaching:
        return parts[-1]
    chosen, later = reaching[0], reaching[1:]
    if end is not None and chosen[-1].at.date() < end and later and later[0][0].at.date() <= end:
        spans = " and ".join(f"{part[0].at.date()} to {part[-1].at.date()}" for part in parts)
        raise ValueError(
            f"the sample bars of {symbol} come in parts ({spans}), adjusted to different "
            f"dates with no bars between them; {start} to {end} reaches into two: pick a "
            "range within one"
        )
    return chosen


def load_csv(path: str | Path, symbol: str) -> list[Bar]:
    """Bars of `symbol` from a CSV file with a header row naming `date` (or `datetime`,
    `timestamp`, `time`), `open`, `high`, `low`, `close`, `volume` (any case, any order, extra
    columns ignored). Dates are `YYYY-MM-DD` (00:00 UTC) or ISO 8601 datetimes (naive ones are
    UTC). Rows must be in strictly increasing time. Raises ValueError naming the file, line and
    column of the first bad value."""
    path = Path(path)
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return parse_csv(handle, symbol, source=str(path))


def parse_csv(lines: Iterable[str], symbol: str, *, source: str = "<csv>") -> list[Bar]:
    """`load_csv` on already opened text (see there)."""
    reader = csv.reader(lines)
    header = next(reader, None)
    if header is None:
        raise ValueError(f"{source}: empty file, expected a header row")
    index = _columns(header, source)
    bars: list[Bar] = []
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        bar = _bar(row, index, symbol, f"{source}: line {number}")
        if bars and bar.at <= bars[-1].at:
            raise ValueError(f"{source}: line {number}: column date: not after the previous row")
        bars.append(bar)
    return bars


def _columns(header: list[str], source: str) -> dict[str, int]:
    names = [cell.strip().lower() for cell in header]
    index = {name: names.index(name) for name in CSV_COLUMNS if name in names}
    time_column = next((name for name in TIME_COLUMNS if name in names), None)
    missing = ([] if time_column else ["date"]) + [n for n in CSV_COLUMNS if n not in index]
    if missing or time_column is None:
        raise ValueError(f"{source}: line 1: missing column(s) {', '.join(missing)}")
    index["date"] = names.index(time_column)
    return index


def _bar(row: list[str], index: dict[str, int], symbol: str, where: str) -> Bar:
    def cell(name: str) -> str:
        position = index[name]
        if position >= len(row) or not row[position].strip():
            raise ValueError(f"{where}: column {name}: missing value")
        return row[position].strip()

    at = _parse_time(cell("date"), f"{where}: column date")
    prices = {name: _parse_price(cell(name), f"{where}: column {name}") for name in CSV_COLUMNS[:4]}
    volume = _parse_volume(cell("volume"), f"{where}: column volume")
    if prices["high"] < max(prices["open"], prices["close"], prices["low"]):
        raise ValueError(f"{where}: column high: below open, low or close")
    if prices["low"] > min(prices["open"], prices["close"]):
        raise ValueError(f"{where}: column low: above open or close")
    return Bar(symbol=symbol, at=at, volume=volume, **prices)


def _parse_time(text: str, where: str) -> datetime:
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{where}: {text!r} is not a date (YYYY-MM-DD or ISO 8601)") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _parse_price(text: str, where: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{where}: {text!r} is not a number") from None
    if not value > 0 or value == float("inf"):
        raise ValueError(f"{where}: {text!r} is not a positive price")
    return value


def _parse_volume(text: str, where: str) -> int:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{where}: {text!r} is not a number") from None
    if value < 0 or not value.is_integer():
        raise ValueError(f"{where}: {text!r} is not a whole number of shares >= 0")
    return int(value)


def bars_for(
    symbol: str,
    directory: Path | None = None,
    *,
    adjusted: bool = True,
    start: date | None = None,
    end: date | None = None,
) -> list[Bar]:
    """Daily bars of `symbol` for backtests and paper runs: the user's
    `<directory>/<TICKER>.csv` (`SNIPER_MARKET_DATA_DIR`) when that file exists, else the
    bundled sample, adjusted unless `adjusted=False` (a paper run plays the sample as a feed
    would have quoted it), the part of it that [start, end] falls in (see `sample_bars`; a
    CSV is returned whole). Raises ValueError when neither has the ticker, for a range
    reaching into two sample parts, or for a bad CSV row (see `load_csv`)."""
    path = _user_csv(symbol, directory)
    if path is not None:
        return load_csv(path, symbol)
    return sample_bars(symbol, adjusted=adjusted, start=start, end=end)


def price_adjustment(symbol: str, directory: Path | None = None) -> str:
    """How `bars_for(symbol, directory)` prices are adjusted: `"splits_and_dividends"` for the
    bundled sample, `"as_provided"` for the user's CSV."""
    return AS_PROVIDED if _user_csv(symbol, directory) is not None else ADJUSTED


def _user_csv(symbol: str, directory: Path | None) -> Path | None:
    if directory is None:
        return None
    path = directory / f"{ticker(symbol)}.csv"
    return path if path.is_file() else None
