"""The `exitConditions` section of an algorithm (x3algo configuration schema, exit conditions:
https://x3algo.com/docs/reference/configuration-schema/exit-conditions), as pydantic models.

Priority when several exits trigger on one bar (only the first runs): opposite signal > partial
exit > break-even stop > stop loss > trailing stop > take profit > time exit. Percentages are
of the entry price (`2` = 2 %); prices and money in the quote currency; bars of `timeframe`.
Documented alternative names are accepted (`config_base.renamed`): stop loss `percentage`
(percentage), `atrMultiplier` / `atrPeriod` (atr) for `value` / `period`, `price` (fixed: an
absolute stop level instead of the `value` distance); take profit and trailing stop
`percentage` for `value`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from sniper.trading.algorithms.config_base import (
    ConfigModel,
    Percent,
    Period,
    method_keys,
    renamed,
)

Positive = Annotated[float, Field(gt=0)]


class StopLoss(ConfigModel):
    """`fixed`: `value` money below (long) / above (short) the entry price, or `price` an
    absolute level (the exit-conditions page's form; it wins over `value`); `percentage`:
    `value` %; `atr`: `value` x ATR(`period`, default 14) at entry; `indicator`: accepted in a
    draft, cannot start."""

    type: Literal["fixed", "percentage", "atr", "indicator"]
    value: Positive | None = None
    price: Positive | None = None
    period: Period | None = None

    @model_validator(mode="before")
    @classmethod
    def _documented(cls, data: Any) -> Any:
        kind = data.get("type") if isinstance(data, dict) else None
        keys = {"percentage": ("percentage",), "atrMultiplier": ("atr",)}
        data = method_keys(data, keys, kind, "stopLoss type")
        if isinstance(data, dict) and "atrPeriod" in data and kind != "atr":
            raise ValueError("atrPeriod applies to stopLoss type atr only")
        if isinstance(data, dict) and kind == "fixed" and data.get("price") is not None:
            data = {k: v for k, v in data.items() if k != "value"}  # the documented form wins
        return renamed(data, {"atrPeriod": "period"})

    @model_validator(mode="after")
    def _numbers_match(self) -> StopLoss:
        if self.period is not None and self.type != "atr":
            raise ValueError("period applies to an atr stop loss only")
        if self.price is not None and self.type != "fixed":
            raise ValueError("price applies to a fixed stop loss only")
        if self.type == "fixed" and (self.value is None) == (self.price is None):
            raise ValueError("a fixed stop loss needs one of value (distance) or price (level)")
        if self.type in ("percentage", "atr") and self.value is None:
            raise ValueError(f"a {self.type} stop loss needs value")
        return self


class TakeProfit(ConfigModel):
    """`percentage`: `value` % beyond the entry price; `risk_reward`: `ratio` x the initial
    risk (entry to stop loss; default `riskParameters.riskRewardRatio`)."""

    type: Literal["percentage", "risk_reward"]
    value: Positive | None = None
    ratio: Positive | None = None

    @model_validator(mode="before")
    @classmethod
    def _documented(cls, data: Any) -> Any:
        kind = data.get("type") if isinstance(data, dict) else None
        return method_keys(data, {"percentage": ("percentage",)}, kind, "takeProfit type")

    @model_validator(mode="after")
    def _has_its_number(self) -> TakeProfit:
        if self.type == "percentage" and self.value is None:
            raise ValueError("a percentage take profit needs value")
        return self


class TrailingStop(ConfigModel):
    """Exit when the price falls `value` % (`percentage`) or `value` money (`fixed`) from the
    highest high since entry (long; lowest low, rising, for a short)."""

    type: Literal["percentage", "fixed"]
    value: Positive

    @model_validator(mode="before")
    @classmethod
    def _documented(cls, data: Any) -> Any:
        kind = data.get("type") if isinstance(data, dict) else None
        return method_keys(data, {"percentage": ("percentage",)}, kind, "trailingStop type")


class BreakEvenStop(ConfigModel):
    """Once the price has gone `activationPercentage` % in the position's favour (highest high
    since entry for a long, up to the previous bar), a stop sits at the entry price moved
    `offsetPercentage` % into profit; `enabled` false switches it off."""

    enabled: bool = True
    activation_percentage: Percent
    offset_percentage: Annotated[float, Field(ge=0, le=100)] = 0.0

    @model_validator(mode="after")
    def _offset_below_activation(self) -> BreakEvenStop:
        if self.offset_percentage >= self.activation_percentage:
            raise ValueError("offsetPercentage must be below activationPercentage")
        return self


class PartialExit(ConfigModel):
    """Close `percentage` % of the position's entry quantity (whole shares, at least one) when
    the price reaches `targetPercentage` % beyond the entry price; each level runs once."""

    percentage: Annotated[float, Field(gt=0, lt=100)]
    target_percentage: Annotated[float, Field(gt=0, le=10_000)]


class TimeBasedExit(ConfigModel):
    """Exit at the next open once the position has been held `maxBars` bars."""

    max_bars: Annotated[int, Field(ge=1, le=100_000)]


class ExitOnOppositeSignal(ConfigModel):
    """`enabled` (default true): with `positionType` both, the short signal closes a long and
    the long signal a short (then reverses). Sniper runs it for positionType both only."""

    enabled: bool = True


class ExitConditions(ConfigModel):
    """Exits, evaluated on every bar for every open position whatever the algorithm's state.
    `partialExits` levels in increasing `targetPercentage`, their `percentage` summing to less
    than 100 (the rest is left to the other exits)."""

    stop_loss: StopLoss | None = None
    take_profit: TakeProfit | None = None
    trailing_stop: TrailingStop | None = None
    break_even_stop: BreakEvenStop | None = None
    partial_exits: Annotated[list[PartialExit], Field(max_length=10)] | None = None
    time_based_exit: TimeBasedExit | None = None
    exit_on_opposite_signal: ExitOnOppositeSignal | None = None

    @model_validator(mode="after")
    def _partials_ordered(self) -> ExitConditions:
        levels = self.partial_exits or []
        targets = [level.target_percentage for level in levels]
        if targets != sorted(set(targets)) or len(targets) != len(set(targets)):
            raise ValueError("partialExits need distinct targetPercentage in increasing order")
        if sum(level.percentage for level in levels) >= 100:
            raise ValueError("partialExits percentages must sum to less than 100")
        return self
