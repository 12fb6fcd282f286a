"""Backtests: replay bars through the same `Engine` paper trading uses, with a gate fixed at
`live` (the control plane governs real orders, not simulations).

Bars of every symbol inside [start, end] (inclusive, by UTC date) are merged by time. A filing
(`FilingHit`, e.g. from EDGAR submissions JSON) is handed to the engine just before the first
bar of its symbol whose date is on or after the filing's date, so a `filing_event` entry
signals on that bar's close and fills at the next open. Positions still open after the last
bar are closed at their last close with reason `end_of_backtest`.

A backtest must not "complete" on data it does not have: a traded symbol with no bar inside
[start, end] is a ValueError naming the symbol, the range and the dates its bars do cover; bars
that start more than a week after `start` or end more than a week before `end` (more than
weekends and holidays) add a line to `results.warnings`.
"""

from __future__ import annotations

import asyncio
import inspect
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sniper.trading.algorithms.config import AlgorithmConfig
from sniper.trading.engine.bars import Bar, ticker
from sniper.trading.engine.engine import Engine
from sniper.trading.engine.events import Event, TradeClosed
from sniper.trading.engine.gating import gate_at
from sniper.trading.engine.performance import ClosedTrade, max_drawdown_percent, summarize

Progress = Callable[[int, int], Awaitable[None] | None]
PROGRESS_STEPS = 100
COVERAGE_SLACK = timedelta(days=7)  # a range may start or end on a weekend or a holiday


@dataclass(frozen=True, slots=True)
class FilingHit:
    """A filing of `form_type` for `symbol` (ticker or `EXCHANGE:SYMBOL`) accepted at `at`."""

    symbol: str
    form_type: str
    at: datetime


@dataclass(frozen=True, slots=True)
class BacktestResult:
    """`results` (x3algo performance fields plus initialBalance, finalBalance, totalReturn,
    startDate, endDate, bars, warnings, and priceAdjustment when given), `equity_curve` one
    `{date, balance}` per bar date (equity marked at the closes, cents), `trades` the closed
    trades in exit order, `events` all events."""

    results: dict[str, Any]
    equity_curve: list[dict[str, Any]]
    trades: list[ClosedTrade]
    events: list[Event]

    def to_json(self) -> dict[str, Any]:
        """`{"results", "equityCurve", "trades"}` in x3algo's camelCase."""
        return {
            "results": self.results,
            "equityCurve": self.equity_curve,
            "trades": [t.to_json() for t in self.trades],
        }


async def run_backtest(
    config: AlgorithmConfig,
    bars_by_symbol: Mapping[str, Sequence[Bar]],
    *,
    start: date,
    end: date,
    initial_balance: float,
    filings: Iterable[FilingHit] = (),
    progress: Progress | None = None,
    algorithm_id: str = "backtest",
    price_adjustment: Mapping[str, str] | None = None,
    warnings: Sequence[str] = (),
) -> BacktestResult:
    """Backtest `config` on `bars_by_symbol` (keyed by symbol or ticker; bars of symbols the
    config does not trade are skipped). `progress(done, total)` (sync or async) is called about
    100 times. `results.maxDrawdown` comes from the daily marked equity curve; the other
    fields as in `performance.summarize`; `results.priceAdjustment` is `price_adjustment`
    (symbol -> how its prices are adjusted, e.g. `marketdata.price_adjustment`) when given,
    `results.warnings` the given `warnings` plus the bar-coverage ones. Raises
    EngineConfigError for an incomplete or unsupported config, ValueError when `end` is before
    `start` or a traded symbol has no bar in the range."""
    if end < start:
        raise ValueError("endDate is before startDate")
    engine = Engine(
        config,
        algorithm_id=algorithm_id,
        account_id=0,
        gate=gate_at("live"),
        initial_cash=initial_balance,
    )
    bars = _merged(engine, bars_by_symbol, start, end)
    notes = [*warnings, *_coverage(engine.symbols, bars_by_symbol, bars, start, end)]
    pending = _filing_queues(filings, start)
    events: list[Event] = []
    curve: list[dict[str, Any]] = []
    step = max(1, len(bars) // PROGRESS_STEPS)
    for done, bar in enumerate(bars, start=1):
        _deliver_filings(engine, pending, bar)
        events += await engine.on_bar(bar)
        _record(curve, bar.at.date(), engine.equity())
        if progress is not None and (done % step == 0 or done == len(bars)):
            await _report(progress, done, len(bars))
    events += await engine.close_positions("end_of_backtest")
    if curve:
        curve[-1]["balance"] = round(engine.equity(), 2)
    trades = [e.trade for e in events if isinstance(e, TradeClosed)]
    results = _results(trades, curve, initial_balance, engine.equity(), start, end, len(bars))
    if price_adjustment is not None:
        results["priceAdjustment"] = dict(price_adjustment)
    results["warnings"] = notes
    return BacktestResult(results, curve, trades, events)


def _merged(
    engine: Engine, bars_by_symbol: Mapping[str, Sequence[Bar]], start: date, end: date
) -> list[Bar]:
    traded = {ticker(s): n for n, s in enumerate(engine.symbols)}
    chosen = [
        bar
        for symbol, bars in bars_by_symbol.items()
        if ticker(symbol) in traded
        for bar in bars
        if start <= bar.at.date() <= end
    ]
    return sorted(chosen, key=lambda bar: (bar.at, traded[ticker(bar.symbol)]))


def _coverage(
    symbols: Iterable[str],
    bars_by_symbol: Mapping[str, Sequence[Bar]],
    chosen: Sequence[Bar],
    start: date,
    end: date,
) -> list[str]:
    """Warnings for symbols whose bars cover only part of [start, end]; ValueError for one
    with no bar in it."""
    every = {ticker(s): bars for s, bars in bars_by_symbol.items()}
    notes: list[str] = []
    for symbol in symbols:
        days = [bar.at.date() for bar in chosen if ticker(bar.symbol) == ticker(symbol)]
        if not days:
            raise ValueError(f"no bars for {symbol} from {start} to {end}{_span(every, symbol)}")
        if days[0] - start > COVERAGE_SLACK or end - days[-1] > COVERAGE_SLACK:
            notes.append(
                f"bars for {symbol} cover only {days[0]} to {days[-1]} of {start} to {end}"
            )
    return notes


def _span(every: Mapping[str, Sequence[Bar]], symbol: str) -> str:
    bars = every.get(ticker(symbol))
    if not bars:
        return " (there are no bars for it at all)"
    return f" (its bars run from {bars[0].at.date()} to {bars[-1].at.date()})"


def _filing_queues(filings: Iterable[FilingHit], start: date) -> dict[str, deque[FilingHit]]:
    queues: dict[str, deque[FilingHit]] = defaultdict(deque)
    for hit in sorted(filings, key=lambda h: h.at):
        if hit.at.date() >= start:
            queues[ticker(hit.symbol)].append(hit)
    return queues


def _deliver_filings(engine: Engine, pending: dict[str, deque[FilingHit]], bar: Bar) -> None:
    queue = pending.get(ticker(bar.symbol))
    while queue and queue[0].at.date() <= bar.at.date():
        hit = queue.popleft()
        engine.on_filing(bar.symbol, hit.form_type, hit.at)


def _record(curve: list[dict[str, Any]], day: date, equity: float) -> None:
    point = {"date": day.isoformat(), "balance": round(equity, 2)}
    if curve and curve[-1]["date"] == point["date"]:
        curve[-1] = point
    else:
        curve.append(point)


async def _report(progress: Progress, done: int, total: int) -> None:
    outcome = progress(done, total)
    if inspect.isawaitable(outcome):
        await outcome
    await asyncio.sleep(0)  # let other tasks (the API, the job heartbeat) run


def _results(
    trades: list[ClosedTrade],
    curve: list[dict[str, Any]],
    initial: float,
    final: float,
    start: date,
    end: date,
    bars: int,
) -> dict[str, Any]:
    results = summarize(trades, initial_balance=initial)
    drawdown = max_drawdown_percent([initial] + [p["balance"] for p in curve])
    results["maxDrawdown"] = results["maxDrawdownPercent"] = drawdown
    results.update(
        initialBalance=round(initial, 2),
        finalBalance=round(final, 2),
        totalReturn=round((final - initial) / initial * 100, 2) if initial else 0.0,
        startDate=start.isoformat(),
        endDate=end.isoformat(),
        bars=bars,
    )
    return results
