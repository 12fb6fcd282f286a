"""Exit rules compiled from the config, the absolute levels fixed at entry, and intrabar
triggers.

Levels for an entry at price P (long; a short mirrors them): stop loss `fixed` P - value,
`percentage` P x (1 - value/100), `atr` P - value x ATR(period) at entry; take profit
`percentage` P x (1 + value/100), `risk_reward` P + ratio x (P - stop). Without
`exitConditions.stopLoss` / `takeProfit`, `riskParameters.stopLoss` / `takeProfit` % apply.

Intrabar, in the seeds' priority when several trigger on one bar (only the first runs): stop
loss > trailing stop > take profit. A stop fills at its price, or at the open when the bar
gaps through it; a take profit at its price, or at the open when the bar gaps beyond it. The
trailing level is taken from the extreme up to the previous bar (percentage or fixed distance
from the highest high since entry for a long, the lowest low for a short). The close-of-bar
exits (opposite signal > time exit) become market orders for the next open, which fill before
the next bar's intrabar checks.
"""

from __future__ import annotations

from dataclasses import dataclass

from sniper.trading.algorithms.config import AlgorithmConfig, RiskParameters
from sniper.trading.engine.bars import Bar
from sniper.trading.engine.broker import Position
from sniper.trading.engine.indicators import IndicatorKey
from sniper.trading.engine.performance import Side

DEFAULT_ATR_PERIOD = 14


@dataclass(frozen=True, slots=True)
class ExitPlan:
    """The exit rules of one algorithm: `stop` (type, value) and `take` (type, number) or None,
    `atr` the ATR key of an atr stop, `trailing` (type, value) or None, `max_bars` or None."""

    stop: tuple[str, float] | None
    take: tuple[str, float] | None
    atr: IndicatorKey | None
    trailing: tuple[str, float] | None
    max_bars: int | None

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
    )


def intrabar_exit(plan: ExitPlan, position: Position, bar: Bar) -> tuple[str, float] | None:
    """(reason, trigger price before slippage) of the first exit `bar` triggers for
    `position`, or None (see the module docstring for the order and gap rule)."""
    long = position.side == "long"
    levels = (
        ("stop_loss", position.stop_price),
        ("trailing_stop", plan.trail_level(position)),
    )
    for reason, level in levels:
        if level is None:
            continue
        if long and bar.low <= level:
            return reason, min(bar.open, level)
        if not long and bar.high >= level:
            return reason, max(bar.open, level)
    take = position.take_price
    if take is not None and long and bar.high >= take:
        return "take_profit", max(bar.open, take)
    if take is not None and not long and bar.low <= take:
        return "take_profit", min(bar.open, take)
    return None
