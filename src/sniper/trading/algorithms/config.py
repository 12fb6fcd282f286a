"""The x3algo algorithm configuration (seeds README, "Algorithm object"), as pydantic models.

camelCase on the wire, snake_case in Python; unknown keys are refused (`extra="forbid"`) and
nothing is coerced: `"14"` is not a period and `1` is not `true` (strict mode). Every top-level
section is optional because a `draft` may be incomplete; `missing_fields` lists what must be
filled before start, `unsupported` what a complete config asks for that this service cannot run.

Units: every `%` field is a percentage (`5` = 5 %); `executionSettings.slippage` is a fraction of
the price (`0.001` = 0.1 %, applied against the trader on every fill); prices are in the quote
currency of the symbol; `period` / `maxBars` count bars of `timeframe`.

Our extensions beyond x3algo: the `filing_event` entry condition (`formTypes`: enter on the first
bar after a sniper hit with one of these form types); indicator parameters `slowPeriod`,
`signalPeriod` (MACD; `period` is the fast EMA, defaults 26 / 9) and `stdDev` (BB, default 2);
`period` on an ATR stop loss (default 14). Defaults for missing exit details come from
`riskParameters`: `stopLoss` % when `exitConditions.stopLoss` is absent, `takeProfit` % when
`exitConditions.takeProfit` is absent, `riskRewardRatio` when a `risk_reward` take profit has
no `ratio`.
"""

from __future__ import annotations

import copy
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    SerializerFunctionWrapHandler,
    computed_field,
    model_serializer,
    model_validator,
)

from sniper.trading.algorithms.config_base import (
    ConfigModel,
    Percent,
    Period,
    method_keys,
    renamed,
)
from sniper.trading.algorithms.exit_config import ExitConditions

StrategyType = Literal[
    "scalping", "swing", "position", "arbitrage", "market_making", "momentum", "mean_reversion"
]
Timeframe = Literal["1m", "5m", "15m", "30m", "1h", "4h", "1d", "1w"]
SizingMethod = Literal[
    "percentage",
    "fixed_quantity",
    "fixed_amount",
    "risk_based",
    "volatility_adjusted",
    "kelly_criterion",
]
SUPPORTED_SIZING: frozenset[str] = frozenset(
    {"percentage", "fixed_quantity", "fixed_amount", "risk_based", "volatility_adjusted"}
)
PositionType = Literal["long", "short", "both"]
LogicalOperator = Literal["AND", "OR"]
IndicatorName = Literal["RSI", "SMA", "EMA", "MACD", "BB", "ATR"]
IndicatorField = Literal["macd", "signal", "histogram", "upper", "middle", "lower"]
Operator = Literal[
    "above",
    "below",
    "equals",
    "greater_than_equal",
    "less_than_equal",
    "crosses_above",
    "crosses_below",
]
PriceType = Literal["open", "high", "low", "close"]
ExecutionMode = Literal["live", "paper", "backtest"]
OrderType = Literal["market", "limit", "stop", "stop_limit"]
EXCHANGE_PATTERN = r"^[A-Z][A-Z0-9_]*$"
SYMBOL_PATTERN = r"^[A-Z][A-Z0-9_]*:[A-Z0-9][A-Z0-9.\-]*$"
FIELDS_OF: dict[str, tuple[str, ...]] = {
    "MACD": ("macd", "signal", "histogram"),
    "BB": ("upper", "middle", "lower"),
}


def _check_field(indicator: str, field: str | None, where: str) -> None:
    allowed = FIELDS_OF.get(indicator, ())
    if field is not None and field not in allowed:
        options = "|".join(allowed) if allowed else "no field"
        raise ValueError(f"{where} {field!r} does not apply to {indicator} (use {options})")


class _IndicatorSpec(ConfigModel):
    indicator: IndicatorName
    period: Period
    operator: Operator
    field: IndicatorField | None = None
    slow_period: Period | None = None
    signal_period: Period | None = None
    std_dev: Annotated[float, Field(gt=0, le=10)] | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def comparison(self) -> str:
        """`operator` again: x3algo's get page answers `comparison`, its reference pages
        `operator`."""
        return self.operator

    @model_validator(mode="after")
    def _fields_match(self) -> _IndicatorSpec:
        _check_field(self.indicator, self.field, "field")
        if self.indicator != "MACD" and (self.slow_period or self.signal_period):
            raise ValueError("slowPeriod / signalPeriod apply to MACD only")
        if self.indicator == "MACD" and (self.slow_period or 26) <= self.period:
            raise ValueError("MACD slowPeriod must be greater than period (the fast EMA)")
        if self.indicator != "BB" and self.std_dev is not None:
            raise ValueError("stdDev applies to BB only")
        return self


def _comparison(data: Any) -> Any:
    """x3algo's create example names the operator `comparison`; the reference pages
    `operator`. Both are accepted."""
    return renamed(data, {"comparison": "operator"})


class IndicatorValueCondition(_IndicatorSpec):
    """`indicator(period)[field] <operator> value`, e.g. RSI(14) crosses_below 30. `field` picks
    a line of MACD (macd|signal|histogram, default macd) or BB (upper|middle|lower, default
    middle); other indicators take none. `comparison` is accepted for `operator`."""

    @model_validator(mode="before")
    @classmethod
    def _documented(cls, data: Any) -> Any:
        return _comparison(data)

    type: Literal["indicator_value"]
    value: float


class PriceIndicatorCondition(_IndicatorSpec):
    """`priceType <operator> indicator(period)[field]`, e.g. close crosses_above SMA(50);
    `priceType` open|high|low|close of the bar (default close)."""

    @model_validator(mode="before")
    @classmethod
    def _documented(cls, data: Any) -> Any:
        return _comparison(data)

    type: Literal["price_indicator"]
    price_type: PriceType = "close"


class IndicatorIndicatorCondition(_IndicatorSpec):
    """`indicator(period)[field] <operator> compareIndicator(comparePeriod)[compareField]`,
    e.g. EMA(12) crosses_above EMA(26). The compared MACD / BB use default parameters. The
    comparison-operators page's `indicator1` / `period1` / `indicator2` / `period2` are
    accepted for `indicator` / `period` / `compareIndicator` / `comparePeriod`."""

    @model_validator(mode="before")
    @classmethod
    def _documented(cls, data: Any) -> Any:
        names = {
            "indicator1": "indicator",
            "period1": "period",
            "indicator2": "compareIndicator",
            "period2": "comparePeriod",
        }
        return renamed(_comparison(data), names)

    type: Literal["indicator_indicator"]
    compare_indicator: IndicatorName
    compare_period: Period
    compare_field: IndicatorField | None = None

    @model_validator(mode="after")
    def _compare_field_matches(self) -> IndicatorIndicatorCondition:
        _check_field(self.compare_indicator, self.compare_field, "compareField")
        return self


class FilingEventCondition(ConfigModel):
    """True on the first bar processed for the symbol after a sniper hit whose form type is one
    of `formTypes` (exact, case-insensitive: `10-K` does not match `10-K/A`)."""

    type: Literal["filing_event"]
    form_types: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=20)]], Field(min_length=1)
    ]


Condition = Annotated[
    IndicatorValueCondition
    | PriceIndicatorCondition
    | IndicatorIndicatorCondition
    | FilingEventCondition,
    Field(discriminator="type"),
]


class Pyramiding(ConfigModel):
    """Scaling into an open position. Sniper holds at most one position per symbol and never
    adds to it, so only `enabled` false is accepted."""

    enabled: Literal[False] = False


SIZING_KEYS: dict[str, tuple[str, ...]] = {
    "percentage": ("percentage",),
    "fixedQuantity": ("fixed_quantity",),
    "quantity": ("fixed_quantity",),
    "fixedAmount": ("fixed_amount",),
    "riskPercentage": ("risk_based", "volatility_adjusted"),
    "kellyFraction": ("kelly_criterion",),
}


DOCUMENTED_KEY = {
    "percentage": "percentage",
    "fixed_quantity": "fixedQuantity",
    "fixed_amount": "fixedAmount",
    "risk_based": "riskPercentage",
    "volatility_adjusted": "riskPercentage",
    "kelly_criterion": "kellyFraction",
}


class PositionSizing(ConfigModel):
    """How many units an entry buys: `percentage` value % of equity, `fixed_quantity` value
    units, `fixed_amount` value money, `risk_based` (risk value % of equity over the distance to
    the stop), `volatility_adjusted` (risk value % of equity over `atrMultiplier` x
    ATR(`atrPeriod`), defaults 2 and 14). `kelly_criterion` is accepted but cannot start. The
    configuration-schema page's per-method fields (`percentage`, `fixedQuantity` or the how-to
    page's `quantity`, `fixedAmount`, `riskPercentage`, `kellyFraction`) are accepted for
    `value`, and answered beside it; `stopLossPercentage` (risk_based, the get page) sizes on
    that stop distance instead of the exit stop's."""

    method: SizingMethod | None = None
    value: Annotated[float, Field(gt=0)] | None = None
    atr_period: Period | None = None
    atr_multiplier: Annotated[float, Field(gt=0, le=100)] | None = None
    stop_loss_percentage: Percent | None = None
    pyramiding: Pyramiding | None = None

    @model_validator(mode="before")
    @classmethod
    def _documented(cls, data: Any) -> Any:
        method = data.get("method") if isinstance(data, dict) else None
        return method_keys(data, SIZING_KEYS, method, "positionSizing method")

    @model_validator(mode="after")
    def _percent_in_range(self) -> PositionSizing:
        percent = ("percentage", "risk_based", "volatility_adjusted")
        if self.method in percent and (self.value or 0) > 100:
            raise ValueError(f"{self.method} value is a percentage (0-100]")
        atr = self.atr_period is not None or self.atr_multiplier is not None
        if atr and self.method != "volatility_adjusted":
            raise ValueError("atrPeriod / atrMultiplier apply to volatility_adjusted only")
        if self.stop_loss_percentage is not None and self.method != "risk_based":
            raise ValueError("stopLossPercentage applies to risk_based only")
        return self

    @model_serializer(mode="wrap")
    def _answer_documented(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """`value` and, as the get page answers it, the method's own key (`riskPercentage`)."""
        out: dict[str, Any] = handler(self)
        documented = DOCUMENTED_KEY.get(self.method or "")
        if documented is not None and self.value is not None:
            out[documented] = out.get("value", self.value)
        return out


class EntryConditions(ConfigModel):
    """When to enter. `positionType` both: long when the conditions hold, short when their
    mirror holds (above<->below, crosses_above<->crosses_below, >=<-><=; equals and
    filing_event unchanged). `confirmationCandles` N: the combined condition must also hold on
    the N bars after the first true bar."""

    position_type: PositionType = "long"
    logical_operator: LogicalOperator = "AND"
    confirmation_candles: Annotated[int, Field(ge=0, le=10)] = 0
    conditions: Annotated[list[Condition], Field(max_length=20)] | None = None


class RiskParameters(ConfigModel):
    """Limits, all optional: `maxPositionSize` % of equity per position, `stopLoss` /
    `takeProfit` % defaults, `maxDailyLoss` % of the day's starting equity (no new entries that
    day once realised losses reach it), `maxOpenPositions`, `riskRewardRatio` default."""

    max_position_size: Percent | None = None
    stop_loss: Percent | None = None
    take_profit: Annotated[float, Field(gt=0, le=10_000)] | None = None
    max_daily_loss: Percent | None = None
    max_open_positions: Annotated[int, Field(ge=1, le=1000)] | None = None
    risk_reward_ratio: Annotated[float, Field(gt=0, le=100)] | None = None


class ExecutionSettings(ConfigModel):
    """`mode` paper|backtest (live refused at start), `orderType` (market only for now),
    `slippage` a fraction of the price (0.001 = 0.1 %), at most 0.1, `exchange` (x3algo's
    create example: `NSE`) the exchange every symbol must be listed on (`EXCHANGE:SYMBOL`)."""

    mode: ExecutionMode | None = None
    exchange: Annotated[str, Field(pattern=EXCHANGE_PATTERN, max_length=20)] | None = None
    order_type: OrderType = "market"
    slippage: Annotated[float, Field(ge=0, le=0.1)] = 0.0


class AlgorithmConfig(ConfigModel):
    """The configuration part of an x3algo algorithm object (no id, name, status, performance).
    Raises pydantic.ValidationError for a bad value; `missing_fields` for what a draft lacks."""

    strategy_type: StrategyType | None = None
    timeframe: Timeframe | None = None
    symbols: (
        Annotated[
            list[Annotated[str, Field(pattern=SYMBOL_PATTERN, max_length=40)]],
            Field(min_length=1, max_length=20),
        ]
        | None
    ) = None
    position_sizing: PositionSizing | None = None
    entry_conditions: EntryConditions | None = None
    exit_conditions: ExitConditions | None = None
    risk_parameters: RiskParameters | None = None
    execution_settings: ExecutionSettings | None = None

    @model_validator(mode="after")
    def _unique_symbols(self) -> AlgorithmConfig:
        if self.symbols is not None and len(set(self.symbols)) != len(self.symbols):
            raise ValueError("symbols must be unique")
        exchange = self.execution_settings.exchange if self.execution_settings else None
        for symbol in self.symbols or [] if exchange else []:
            if symbol.split(":", 1)[0] != exchange:
                raise ValueError(f"executionSettings.exchange {exchange} but symbol {symbol}")
        exits, entry = self.exit_conditions, self.entry_conditions
        opposite = exits.exit_on_opposite_signal if exits else None
        kind = entry.position_type if entry else "long"
        if opposite is not None and opposite.enabled and kind != "both":
            raise ValueError(
                "exitConditions.exitOnOppositeSignal needs entryConditions.positionType both"
            )
        return self

    def to_wire(self) -> dict[str, Any]:
        """The camelCase JSON form, without unset optional sections."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


def missing_fields(config: AlgorithmConfig) -> list[str]:
    """Dotted camelCase paths that must be filled before the algorithm can start, in a stable
    order (e.g. `["symbols", "entryConditions.conditions"]`); `[]` when complete."""
    missing = [name for name in ("strategyType", "timeframe", "symbols") if not _has(config, name)]
    sizing = config.position_sizing
    if sizing is None:
        missing.append("positionSizing")
    else:
        missing += [
            f"positionSizing.{k}" for k in ("method", "value") if getattr(sizing, k) is None
        ]
    entry = config.entry_conditions
    if entry is None or not entry.conditions:
        missing.append("entryConditions.conditions")
    exits, risk = config.exit_conditions, config.risk_parameters or RiskParameters()
    if (exits is None or exits.stop_loss is None) and risk.stop_loss is None:
        missing.append("exitConditions.stopLoss")
    if (exits is None or exits.take_profit is None) and risk.take_profit is None:
        missing.append("exitConditions.takeProfit")
    take_profit = exits.take_profit if exits is not None else None
    is_rr = take_profit is not None and take_profit.type == "risk_reward"
    ratio = take_profit.ratio if take_profit is not None and is_rr else 0.0
    if ratio is None and risk.risk_reward_ratio is None:
        missing.append("exitConditions.takeProfit.ratio")
    if config.execution_settings is None or config.execution_settings.mode is None:
        missing.append("executionSettings.mode")
    return missing


def _has(config: AlgorithmConfig, camel: str) -> bool:
    snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in camel)
    return getattr(config, snake) is not None


def unsupported(config: AlgorithmConfig) -> str | None:
    """Why a complete config cannot run here (None: it can): live mode, a sizing method, an
    indicator stop loss or a non-market order type this engine does not implement."""
    execution = config.execution_settings
    if execution is not None and execution.mode == "live":
        return "live trading needs a broker adapter; use paper or backtest"
    if execution is not None and execution.order_type != "market":
        return f"orderType {execution.order_type} is not supported yet; use market"
    sizing = config.position_sizing
    if sizing is not None and sizing.method is not None and sizing.method not in SUPPORTED_SIZING:
        return (
            f"positionSizing.method {sizing.method} is not supported yet; "
            "use percentage, fixed_quantity, fixed_amount, risk_based or volatility_adjusted"
        )
    exits = config.exit_conditions
    if exits is not None and exits.stop_loss is not None and exits.stop_loss.type == "indicator":
        return "an indicator stop loss is not supported yet; use fixed, percentage or atr"
    return None


def merge_patch(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """PATCH semantics for the camelCase JSON form (x3algo "PATCH merges nested objects", close
    to RFC 7396): nested objects merge recursively, lists and scalars replace, `None` removes
    the key. Returns a new dict; neither argument is modified."""
    merged = copy.deepcopy(base)
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge_patch(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged
