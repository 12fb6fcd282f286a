"""Request and response bodies of the algorithms surface (x3algo seed 003 and its surroundings in
the seeds README): camelCase keys, ISO 8601 UTC timestamps with `Z` (second precision), money in
the quote currency, percentages as numbers (`55.0` = 55 %).

The configuration sections come from `config.AlgorithmConfig` (strict: `"60"` is not a number,
unknown keys are refused).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictStr,
)
from pydantic.alias_generators import to_camel

from sniper.kit.timefmt import EARLIEST, LATEST, OutOfRange, UTCStamp, parse_iso
from sniper.trading.algorithms.config import AlgorithmConfig

AlgorithmStatus = Literal["draft", "stopped", "active", "paused", "error", "archived"]
BacktestStatus = Literal["queued", "running", "completed", "failed"]
NAME_MAX = 200
DESCRIPTION_MAX = 2000
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?$"
)


class CamelModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, validate_by_name=True)


class AlgorithmCreate(AlgorithmConfig):
    """`POST /api/trading/algorithms`: `name` (1-200 characters; x3algo create page: omitted,
    it is auto-generated as `Algorithm #N`), `description` optional, every configuration
    section optional (a draft may be incomplete). Also the shape a PATCH must leave behind
    after merging (`name` then always set)."""

    name: Annotated[StrictStr, Field(min_length=1, max_length=NAME_MAX)] | None = None
    description: Annotated[StrictStr, Field(max_length=DESCRIPTION_MAX)] | None = None

    def config(self) -> AlgorithmConfig:
        """The configuration part alone."""
        return AlgorithmConfig.model_validate(
            self.model_dump(exclude={"name", "description"}, exclude_unset=True)
        )


class Performance(CamelModel):
    """x3algo performance fields from the closed-trade ledger (paper trades only;
    `sniper.trading.engine.performance.summarize`): counts; `totalProfit` / `totalLoss` (sum of
    winning / losing P&L, the loss positive), `netProfit`, `averageWin` / `averageLoss` in the
    quote currency; `winRate` and `maxDrawdown` in %; `profitFactor` and `sharpeRatio` (per
    trade, not annualised) null while undefined (no loss; fewer than 2 trades). Zeros (and
    nulls) without trades."""

    total_trades: int = 0
    winning_trades: int = 0
    losing_trades: int = 0
    total_profit: float = 0.0
    total_loss: float = 0.0
    net_profit: float = 0.0
    win_rate: float = 0.0
    profit_factor: float | None = None
    sharpe_ratio: float | None = None
    max_drawdown: float = 0.0
    average_win: float = 0.0
    average_loss: float = 0.0


class AlgorithmOut(AlgorithmConfig):
    """The x3algo algorithm object: identity, `status` (`draft`, `stopped`, `active`,
    `paused`, `error`), `active` (true only when `active`), `version` (1, +1 per PATCH), every
    configuration section (null when unset), `performance`, `createdAt`, `updatedAt`."""

    model_config = ConfigDict(extra="ignore", strict=False)

    id: str
    name: str
    description: str | None
    status: AlgorithmStatus
    active: bool
    version: int
    performance: Performance
    created_at: UTCStamp
    updated_at: UTCStamp


class PageInfo(CamelModel):
    """`page` (1-based), `limit`, `total` matching rows, `totalPages` (0 when none)."""

    page: int
    limit: int
    total: int
    total_pages: int


class AlgorithmList(CamelModel):
    """`GET /api/trading/algorithms`: `{data, pagination}`."""

    data: list[AlgorithmOut]
    pagination: PageInfo


class CommandResult(CamelModel):
    """`POST .../{id}/start|stop|pause|resume` (seed 003): the status after the command and a
    human message such as `Algorithm stopped successfully`."""

    id: str
    name: str
    status: AlgorithmStatus
    active: bool
    message: str


def _iso_date(value: Any) -> Any:
    """A date `YYYY-MM-DD`, or an ISO 8601 datetime (x3algo's `2024-01-01T00:00:00Z`): its UTC
    date."""
    if isinstance(value, str) and _ISO_DATE.match(value):
        return value
    if isinstance(value, str) and _ISO_DATETIME.match(value):
        try:
            return parse_iso(value).date()
        except ValueError:
            pass
    raise ValueError("must be a date YYYY-MM-DD or an ISO 8601 datetime")


def _in_range(value: date) -> date:
    if not EARLIEST.date() <= value < LATEST.date():
        raise OutOfRange()
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date), AfterValidator(_in_range)]


class BacktestCreate(CamelModel):
    """`POST /api/backtests`: the algorithm, the inclusive date range (YYYY-MM-DD or an ISO 8601
    datetime, whose UTC date is taken; `endDate` not before `startDate`) and the starting
    balance (> 0, at most 1e12)."""

    model_config = ConfigDict(alias_generator=to_camel, validate_by_name=True, extra="forbid")

    algorithm_id: Annotated[StrictStr, Field(min_length=1, max_length=64)]
    start_date: IsoDate
    end_date: IsoDate
    initial_balance: Annotated[float, Field(strict=True, gt=0, le=1e12, allow_inf_nan=False)]


class EquityPoint(CamelModel):
    """Equity at the close of one day: `date` YYYY-MM-DD, `balance` cash + open positions."""

    date: str
    balance: float


class BacktestTrade(CamelModel):
    """A closed trade as x3algo's results page shows it: times ISO 8601 UTC, `profit` in the
    account currency (no fees), `profitPercent` profit over the entry value in %, `exitReason`
    stop_loss | trailing_stop | take_profit | time_exit | opposite_signal | end_of_backtest,
    `clientOrderIds` (entry, exit) our addition."""

    symbol: str
    side: str
    quantity: int
    entry_time: str
    entry_price: float
    exit_time: str
    exit_price: float
    profit: float
    profit_percent: float
    exit_reason: str
    client_order_ids: list[str]


class BacktestSummary(CamelModel):
    """A backtest in a list (x3algo backtests): `status` `queued` → `running` → `completed` |
    `failed` (`error` says why, `failedAt` when), `progress` 0-100; `startDate` / `endDate`
    the range as ISO datetimes (start of the first day, end of the last, UTC); `userId` the
    owning account; `symbols` the algorithm's; `finalBalance` and `results` (x3algo
    performance fields plus `finalBalance`, `totalReturn` %) null until completed."""

    id: str
    algorithm_id: str
    algorithm_name: str | None
    user_id: str
    status: BacktestStatus
    progress: int
    start_date: UTCStamp
    end_date: UTCStamp
    initial_balance: float
    final_balance: float | None
    symbols: list[str]
    results: dict[str, Any] | None
    error: str | None
    created_at: UTCStamp
    started_at: UTCStamp | None
    completed_at: UTCStamp | None
    failed_at: UTCStamp | None


class BacktestOut(BacktestSummary):
    """A backtest with its `equityCurve` and `trades` (closed trades)."""

    equity_curve: list[EquityPoint]
    trades: list[BacktestTrade]


class BacktestList(CamelModel):
    """`GET /api/backtests`: `{data, pagination}`, newest first by default."""

    data: list[BacktestSummary]
    pagination: PageInfo
