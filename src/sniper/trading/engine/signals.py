"""Per-symbol state and the entry signal of one bar, confirmation candles included.

`positionType` long: the rule gives long signals; short: the same rule gives short signals;
both: the rule gives long signals and its mirror (`conditions`) short ones, long winning a bar
where both hold. With `confirmationCandles` N the combined condition must hold on the first
true bar and the N bars after it; the signal then stays on while the condition keeps holding.
Filings recorded by `Engine.on_filing` are consumed by the next bar of their symbol.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sniper.trading.algorithms.config import EntryConditions
from sniper.trading.engine.conditions import EntryRule
from sniper.trading.engine.indicators import IndicatorBank


@dataclass(slots=True)
class SymbolState:
    """Per-symbol state: indicators, first / last processed bar, last close, confirmation
    streaks (capped at N + 1), filings waiting for the next bar (form type, arrival)."""

    symbol: str
    bank: IndicatorBank
    first_at: datetime | None = None
    last_at: datetime | None = None
    last_close: float | None = None
    streak_long: int = 0
    streak_short: int = 0
    filings: list[tuple[str, datetime]] = field(default_factory=list)


def entry_signals(state: SymbolState, rule: EntryRule, entry: EntryConditions) -> tuple[bool, bool]:
    """(long signal, short signal) on the bank's current bar; updates the streaks and consumes
    the pending filings of `state`."""
    forms = [form for form, _ in state.filings]
    state.filings.clear()
    kind, needed = entry.position_type, entry.confirmation_candles + 1
    raw_long = kind != "short" and rule.holds(state.bank, forms, mirrored=False)
    raw_short = kind != "long" and rule.holds(state.bank, forms, mirrored=kind == "both")
    state.streak_long = min(state.streak_long + 1, needed) if raw_long else 0
    state.streak_short = min(state.streak_short + 1, needed) if raw_short else 0
    go_long = state.streak_long >= needed
    return go_long, state.streak_short >= needed and not go_long
