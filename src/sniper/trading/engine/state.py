"""The engine's snapshot: everything an `Engine` needs to continue after a restart except the
indicators, which are re-warmed by feeding the bars it already processed.

Shape (JSON-able; floats exact, times ISO 8601 with offset):

```
{"version": 1, "state": "active", "initialCash": 100000.0, "cash": ..., "equityPeak": ...,
 "closedTrades": 3, "daily": {"day": "2010-05-03" | null, "startEquity", "realisedPnl"},
 "positions": [Position.to_json()], "restingOrders": [RestingOrder.to_json()],
 "symbols": {"NASDAQ:MSFT": {"firstBarAt", "lastBarAt", "lastClose", "bars", "streakLong",
             "streakShort", "pendingFilings": [{"formType", "at"}]}}}
```

`bars` counts the bars processed per symbol; `Engine.restore` checks the warm-up feeds exactly
that many (from `firstBarAt` to `lastBarAt`), because EMA-type indicators depend on all of
their history and a shorter warm-up would make the rebuilt engine decide differently.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sniper.trading.algorithms.config import AlgorithmConfig
from sniper.trading.engine.broker import Position, RestingOrder
from sniper.trading.engine.risk import DailyLoss

if TYPE_CHECKING:
    from sniper.trading.engine.engine import Engine

VERSION = 1


def _time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def dump(engine: Engine) -> dict[str, Any]:
    """The snapshot of `engine` (see the module docstring)."""
    return {
        "version": VERSION,
        "state": engine.state,
        "initialCash": engine.initial_cash,
        "cash": engine.broker.cash,
        "equityPeak": engine.equity_peak,
        "closedTrades": engine.closed_trades,
        "daily": engine.daily.to_json(),
        "positions": [p.to_json() for p in engine.broker.positions.values()],
        "restingOrders": [o.to_json() for o in engine.broker.resting],
        "symbols": {
            name: {
                "firstBarAt": s.first_at.isoformat() if s.first_at else None,
                "lastBarAt": s.last_at.isoformat() if s.last_at else None,
                "lastClose": s.last_close,
                "bars": s.bank.bars,
                "streakLong": s.streak_long,
                "streakShort": s.streak_short,
                "pendingFilings": [{"formType": f, "at": at.isoformat()} for f, at in s.filings],
            }
            for name, s in engine.symbols.items()
        },
    }


def last_bar_times(snapshot: dict[str, Any]) -> dict[str, datetime | None]:
    """`{symbol: lastBarAt}` of a snapshot: the warm-up must feed each symbol's bars up to and
    including that time (and the live run continues after it)."""
    return {name: _time(s["lastBarAt"]) for name, s in snapshot["symbols"].items()}


def load(engine: Engine, snapshot: dict[str, Any]) -> None:
    """Put `snapshot` into a freshly built and warmed `engine`. Raises ValueError for another
    snapshot version, positions on symbols the config no longer trades, or a warm-up that fed
    a different number of bars than the original run processed."""
    if snapshot.get("version") != VERSION:
        raise ValueError(f"unsupported engine snapshot version {snapshot.get('version')!r}")
    engine.state = snapshot["state"]
    engine.broker.cash = snapshot["cash"]
    engine.equity_peak = snapshot["equityPeak"]
    engine.closed_trades = snapshot["closedTrades"]
    engine.daily = DailyLoss.from_json(snapshot["daily"])
    positions = [Position.from_json(p) for p in snapshot["positions"]]
    orders = [RestingOrder.from_json(o) for o in snapshot["restingOrders"]]
    unknown = {p.symbol for p in positions} - set(engine.symbols)
    if unknown:
        raise ValueError(f"snapshot holds positions in {', '.join(sorted(unknown))}, not traded")
    engine.broker.positions = {p.symbol: p for p in positions}
    engine.broker.resting = [o for o in orders if o.symbol in engine.symbols]
    for name, saved in snapshot["symbols"].items():
        if name in engine.symbols:
            _load_symbol(engine, name, saved)


def _load_symbol(engine: Engine, name: str, saved: dict[str, Any]) -> None:
    state = engine.symbols[name]
    if state.bank.bars != saved["bars"]:
        raise ValueError(
            f"warm-up fed {state.bank.bars} bars of {name}, the snapshot was taken after "
            f"{saved['bars']} (feed every bar from firstBarAt to lastBarAt)"
        )
    state.first_at = _time(saved["firstBarAt"])
    state.last_at = _time(saved["lastBarAt"])
    state.last_close = saved["lastClose"]
    state.streak_long = saved["streakLong"]
    state.streak_short = saved["streakShort"]
    state.filings = [
        (f["formType"], datetime.fromisoformat(f["at"])) for f in saved["pendingFilings"]
    ]


def daily_loss_limit_reached(
    config: AlgorithmConfig, snapshot: dict[str, Any] | None, on: date | None = None
) -> bool:
    """`Engine.daily_loss_limit_reached` from a stored snapshot, without building an engine
    (the API's 403 "Daily loss limit reached" at start). False without a snapshot."""
    risk = config.risk_parameters
    if snapshot is None or risk is None:
        return False
    return DailyLoss.from_json(snapshot["daily"]).reached(risk.max_daily_loss, on)
