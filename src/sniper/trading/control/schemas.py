"""Request and response bodies of the trading-control surface: camelCase, seed 004 field names.

Timestamps are ISO 8601 UTC with `Z` and second precision; `client` is the account id as a
string, `clientName` the account name; durations are whole seconds.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    StringConstraints,
)
from pydantic.alias_generators import to_camel

from sniper.accounts.schemas import OddsFormat
from sniper.kit.timefmt import UTCStamp, to_utc

REASON_MAX = 500


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else to_utc(value)


class CamelModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, validate_by_name=True)


class TradingStatus(CamelModel):
    """`GET /api/v1/trading/status` (seed 004: the stop response without `result`).

    `tradingActive` is true only at status `live`; manual `...At` / `...Reason` are null while
    the flag is unset; `systemTradingBlocked` is true while emergency, system stop or soft pause
    is in force; `systemReason` / `systemDurationSeconds` belong to the leading system flag.
    """

    client: str
    client_name: str
    odds_format: OddsFormat
    status: str
    trading_active: bool
    manual_paused: bool
    manual_paused_at: UTCStamp | None
    manual_pause_reason: str | None
    manual_stopped: bool
    manual_stopped_at: UTCStamp | None
    manual_stop_reason: str | None
    system_trading_blocked: bool
    emergency_active: bool
    system_stopped: bool
    soft_paused: bool
    system_reason: str | None
    system_duration_seconds: int


class TradingCommandResult(TradingStatus):
    """`POST /api/v1/trading/{pause,resume,stop,start}`: the status after the command plus
    `result` (`pause_applied`, `already_paused`, `stop_applied`, `already_stopped`,
    `start_applied`, `resume_applied`, `start_required`, `already_live`)."""

    result: str


class SystemFlagOut(CamelModel):
    """One system flag: `active` (in force now) and its last activation and clearing."""

    active: bool
    reason: str | None
    set_at: UTCStamp | None
    set_by: str | None
    until: UTCStamp | None = None
    cleared_at: UTCStamp | None
    cleared_by: str | None
    clear_reason: str | None


class SystemStatus(CamelModel):
    """The system flags: `status` is `emergency`, `system_stopped`, `soft_paused` or `live`."""

    status: str
    system_trading_blocked: bool
    emergency_active: bool
    system_stopped: bool
    soft_paused: bool
    system_reason: str | None
    system_duration_seconds: int
    emergency: SystemFlagOut
    soft_pause: SystemFlagOut
    system_stop: SystemFlagOut


class SystemCommandResult(SystemStatus):
    """The system flags after an admin command, plus `result`: `emergency_applied`,
    `already_emergency`, `soft_pause_applied`, `already_soft_paused`, `system_stop_applied`,
    `already_system_stopped`, `emergency_cleared`, `soft_pause_cleared`,
    `system_stop_cleared` or `already_cleared`."""

    result: str


class AdminStatus(SystemStatus):
    """`GET /api/v1/admin/trading/status`: system flags and every client's status (by id)."""

    clients: list[TradingStatus]


class AuditEntry(CamelModel):
    """One audit row: `client` null for system commands; `before` / `after` the flags."""

    id: int
    client: str | None
    scope: str
    command: str
    actor: str
    reason: str | None
    result: str
    http_status: int
    before: dict[str, Any]
    after: dict[str, Any]
    request_id: str | None
    created_at: UTCStamp


class AuditPage(CamelModel):
    """Newest first; pass the last `id` as `beforeId` for the next page."""

    entries: list[AuditEntry]


OptionalReason = Annotated[
    str | None, StringConstraints(strip_whitespace=True, max_length=REASON_MAX)
]
RequiredReason = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=REASON_MAX),
]


class ClientCommandBody(CamelModel):
    """Optional body of the client commands: `reason` ≤ 500 chars (blank = none)."""

    model_config = ConfigDict(extra="forbid")

    reason: OptionalReason = None


class SystemCommandBody(CamelModel):
    """Body of an admin command: `reason` required, 1-500 chars."""

    model_config = ConfigDict(extra="forbid")

    reason: RequiredReason


class SoftPauseBody(SystemCommandBody):
    """`until`: optional ISO 8601 instant in the future (no offset = UTC); the soft pause ends
    by itself then."""

    until: Annotated[datetime | None, AfterValidator(_utc)] = None
