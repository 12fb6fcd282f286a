"""Exit rules compiled from the config, the absolute levels fixed at entry, and intrabar
triggers.

Levels for an entry at price P (long; a short mirrors them): stop loss `fixed` P - value,
`percentage` P x (1 - value/100), `atr` P - value x ATR(period) at entry; take profit
`percentage` P x (1 + value/100), `risk_reward` P + ratio x (P - stop). Without
`exitConditions.stopLoss` / `takeProfit`, `riskParameters.stopLoss` / `takeProfit` % apply.

Priority when several exits trigger on one bar (x3algo exit-conditions page, "Exit Priority
Order"; only the first runs): opposite signal > partial exit > break-even stop > stop loss >
trailing stop > take profit > time exit. The close-of-bar exits (opposite signal, time exit)
become market orders for the next open, which fill before that bar's intrabar checks, so an
opposite signal always runs first. Intrabar, in that order:

- partial exit: the next level not yet taken (`partialExits[i]`, once each) when the bar
  reaches entry x (1 + targetPercentage/100) (long; a short mirrors it): closes percentage % of
  the entry quantity (whole shares, at least one; the rest of the position stays);
- break-even stop: armed once the extreme since entry (up to the previous bar) reached entry x
  (1 + activationPercentage/100); then a stop at entry x (1 + offsetPercentage/100);
- stop loss, trailing stop, take profit.

A stop (break-even, stop loss, trailing) fills at its level, or at the open when the bar gaps
through it; a target (partial, take profit) at its level, or at the open when the bar gaps
beyond it. The trailing level is taken from the extreme up to the previous bar (percentage or
fixed distance from the highest high since entry for a long, the lowest low for a short).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sniper.trading.algorithms.config import AlgorithmConfig, RiskParameters
from sniper.trading.algorithms.exit_config import ExitConditions
from sniper.trading.engine.bars import Bar
from sniper.trading.engine.broker import Position
from sniper.trading.engine.indicators import IndicatorKey
from sniper.trading.engine.performance import Side

DEFAULT_ATR_PERIOD = 14
Hit = tuple[str, float, int]
"""An intrabar exit: (reason, trigger price before slippage, shares to close)."""


@dataclass(frozen=True, slots=True)
class ExitPlan:
    """The exit rules of one algorithm: `stop` (type, value) and `take` (type, number) or None,
    `atr` the ATR key of an atr stop, `trailing` (type, value) or None, `max_bars` or None,
    `break_even` (activation %, offset %) or None, `partials` ((target %, share of the entry
    quantity %), ...) in increasing target, `opposite` whether an opposite signal exits."""

    stop: tuple[str, float] | None
    take: tuple[str, float] | None
    atr: IndicatorKey | None
    trailing: tuple[str, float] | None
    max_bars: int | None
    break_even: tuple[float, float] | None = None
    partials: tuple[tuple[float, float], ...] = ()
    opposite: bool = True

    def stop_price(self, side: Side, price: float, atr: float | None) -> float | None:
        """The stop-loss level for an entry at `price`; None without a stop (or an atr stop
        before ATR is warm)."""
        if self.stop is None:
            return None
        kind, value = self.stop
        sign = -1 if side == "long" else 1
        if kind == "percentage":
            return price * (1 + sign * value / 100)
        if kind == "atr":
            return None if atr is None else price + sign * value * atr
        if kind == "price":
            return value
        return price + sign * value

    def take_price(self, side: Side, price: float, stop: float | None) -> float | None:
        """The take-profit level for an entry at `price` with stop `stop`."""
        if self.take is None:
            return None
        kind, number = self.take
        sign = 1 if side == "long" else -1
        if kind == "percentage":
            return price * (1 + sign * number / 100)
        return None if stop is None else price + sign * number * abs(price - stop)

    def trail_level(self, position: Position) -> float | None:
        """The trailing-stop level from `position.extreme`, or None without a trailing stop."""
        if self.trailing is None:
            return None
        kind, value = self.trailing
        sign = -1 if position.side == "long" else 1
        if kind == "percentage":
            return position.extreme * (1 + sign * value / 100)
        return position.extreme + sign * value


def compile_exits(config: AlgorithmConfig) -> ExitPlan:
    """The `ExitPlan` of a complete config (risk-parameter defaults applied)."""
    exits, risk = config.exit_conditions, config.risk_parameters or RiskParameters()
    stop: tuple[str, float] | None = None
    atr: IndicatorKey | None = None
    if exits is not None and exits.stop_loss is not None:
        loss = exits.stop_loss
        if loss.price is not None:
            stop = ("price", loss.price)
        elif loss.value is not None:
            stop = (loss.type, loss.value)
        if exits.stop_loss.type == "atr":
            atr = IndicatorKey.of("ATR", exits.stop_loss.period or DEFAULT_ATR_PERIOD)
    elif risk.stop_loss is not None:
        stop = ("percentage", risk.stop_loss)
    take: tuple[str, float] | None = None
    if exits is not None and exits.take_profit is not None:
        tp = exits.take_profit
        number = tp.value if tp.type == "percentage" else (tp.ratio or risk.risk_reward_ratio)
        take = (tp.type, number) if number is not None else None
    elif risk.take_profit is not None:
        take = ("percentage", risk.take_profit)
    trailing = exits.trailing_stop if exits is not None else None
    timed = exits.time_based_exit if exits is not None else None
    return ExitPlan(
        stop=stop,
        take=take,
        atr=atr,
        trailing=(trailing.type, trailing.value) if trailing else None,
        max_bars=timed.max_bars if timed else None,
        **_extra_exits(exits),
    )


def _extra_exits(exits: ExitConditions | None) -> dict[str, Any]:
    """The break-even, partial and opposite-signal parts of an `ExitPlan`."""
    if exits is None:
        return {}
    even = exits.break_even_stop
    opposite = exits.exit_on_opposite_signal
    return {
        "break_even": (
            (even.activation_percentage, even.offset_percentage)
            if even is not None and even.enabled
            else None
        ),
        "partials": tuple((p.target_percentage, p.percentage) for p in exits.partial_exits or []),
        "opposite": opposite is None or opposite.enabled,
    }


def _away(position: Position, percent: float) -> float:
    """The price `percent` % from the entry price in the position's favour."""
    sign = 1 if position.side == "long" else -1
    return position.entry_price * (1 + sign * percent / 100)


def partial_exit(plan: ExitPlan, position: Position, bar: Bar) -> Hit | None:
    """The next partial-exit level `bar` reaches, as (reason, price, shares), else None."""
    if position.partials_done >= len(plan.partials):
        return None
    target, share = plan.partials[position.partials_done]
    level = _away(position, target)
    shares = max(1, math.floor(position.entry_quantity * share / 100 + 1e-9))
    if position.side == "long" and bar.high >= level:
        return "partial_exit", max(bar.open, level), shares
    if position.side == "short" and bar.low <= level:
        return "partial_exit", min(bar.open, level), shares
    return None


def break_even_level(plan: ExitPlan, position: Position) -> float | None:
    """The armed break-even stop level (see the module docstring), else None."""
    if plan.break_even is None:
        return None
    activation, offset = plan.break_even
    trigger = _away(position, activation)
    reached = (
        position.extreme >= trigger if position.side == "long" else position.extreme <= trigger
    )
    return _away(position, offset) if reached else None


def intrabar_exit(plan: ExitPlan, position: Position, bar: Bar) -> Hit | None:
    """(reason, trigger price before slippage, shares) of the first exit `bar` triggers for
    `position`, or None (see the module docstring for the order and gap rule)."""
    partial = partial_exit(plan, position, bar)
    if partial is not None:
        return partial
    long, everything = position.side == "long", position.quantity
    levels = (
        ("break_even", break_even_level(plan, position)),
        ("stop_loss", position.stop_price),
        ("trailing_stop", plan.trail_level(position)),
    )
    for reason, level in levels:
        if level is None:
            continue
        if long and bar.low <= level:
            return reason, min(bar.open, level), everything
        if not long and bar.high >= level:
            return reason, max(bar.open, level), everything
    take = position.take_price
    if take is not None and long and bar.high >= take:
        return "take_profit", max(bar.open, take), everything
    if take is not None and not long and bar.low <= take:
        return "take_profit", min(bar.open, take), everything
    return None
