"""Stored flags in, derived status out: pure functions, no I/O (seed 004, DESIGN.md "Trading
control plane").

Status precedence, highest first: `emergency` > `system_stopped` > `soft_paused` >
`manual_stopped` > `manual_paused` > `live`. `tradingActive` is true only at `live`. A soft pause
with an `until` ends by itself once the clock reaches `until` (no write, no worker needed).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Literal

from sniper.trading.engine.gating import Status

SystemKind = Literal["emergency", "system_stop", "soft_pause"]
STATUSES: tuple[Status, ...] = (
    "emergency",
    "system_stopped",
    "soft_paused",
    "manual_stopped",
    "manual_paused",
    "live",
)
# System flags in precedence order, each with the client status it produces.
SYSTEM_KINDS: tuple[SystemKind, ...] = ("emergency", "system_stop", "soft_pause")
KIND_STATUS: dict[SystemKind, Status] = {
    "emergency": "emergency",
    "system_stop": "system_stopped",
    "soft_pause": "soft_paused",
}


@dataclass(frozen=True)
class ManualFlags:
    """A client's manual pause and stop, as stored in `trading_client_controls` (same names).

    Each flag keeps its last activation (`_at`, reason, `_by` actor) and its last clearing even
    while unset; `paused_view` / `stopped_view` give what the API shows.
    """

    manual_paused: bool = False
    manual_paused_at: datetime | None = None
    manual_pause_reason: str | None = None
    manual_paused_by: str | None = None
    manual_pause_cleared_at: datetime | None = None
    manual_pause_cleared_by: str | None = None
    manual_stopped: bool = False
    manual_stopped_at: datetime | None = None
    manual_stop_reason: str | None = None
    manual_stopped_by: str | None = None
    manual_stop_cleared_at: datetime | None = None
    manual_stop_cleared_by: str | None = None

    @classmethod
    def from_row(cls, row: object | None) -> ManualFlags:
        """Copy the same-named attributes of an ORM row (None: a client that never acted)."""
        if row is None:
            return cls()
        return cls(**{f.name: getattr(row, f.name) for f in fields(cls)})

    def copy_to(self, row: object) -> None:
        """Write every flag attribute onto `row`."""
        for f in fields(self):
            setattr(row, f.name, getattr(self, f.name))

    def status(self) -> Status:
        """The client's own status, ignoring system flags."""
        if self.manual_stopped:
            return "manual_stopped"
        return "manual_paused" if self.manual_paused else "live"


@dataclass(frozen=True)
class SystemFlag:
    """One system flag as stored in `trading_system_controls`."""

    kind: SystemKind
    active: bool = False
    reason: str | None = None
    set_by: str | None = None
    set_at: datetime | None = None
    until: datetime | None = None
    cleared_at: datetime | None = None
    cleared_by: str | None = None
    clear_reason: str | None = None

    @classmethod
    def from_row(cls, kind: SystemKind, row: object | None) -> SystemFlag:
        """Copy an ORM row (None: never set)."""
        if row is None:
            return cls(kind=kind)
        return cls(**{f.name: getattr(row, f.name) for f in fields(cls)})

    def copy_to(self, row: object) -> None:
        for f in fields(self):
            setattr(row, f.name, getattr(self, f.name))

    def in_force(self, now: datetime) -> bool:
        """Set, and (soft pause) `now` is still before its `until`."""
        return self.active and (self.until is None or now < self.until)


@dataclass(frozen=True)
class SystemFlags:
    emergency: SystemFlag = SystemFlag("emergency")
    system_stop: SystemFlag = SystemFlag("system_stop")
    soft_pause: SystemFlag = SystemFlag("soft_pause")

    def flag(self, kind: SystemKind) -> SystemFlag:
        flag: SystemFlag = getattr(self, kind)
        return flag

    def leading(self, now: datetime) -> SystemFlag | None:
        """The highest-precedence flag in force at `now`, or None when trading is not blocked."""
        for kind in SYSTEM_KINDS:
            if self.flag(kind).in_force(now):
                return self.flag(kind)
        return None


@dataclass(frozen=True)
class SystemView:
    """What every client sees of the system flags at one instant (seed 004 field meanings).

    `blocked` (`systemTradingBlocked`) is true while any system flag is in force: emergency,
    system stop or soft pause all block every client. `reason` and `duration_seconds` (whole
    seconds, never negative, 0 when not blocked) belong to the leading flag.
    """

    status: Status
    blocked: bool
    emergency_active: bool
    system_stopped: bool
    soft_paused: bool
    reason: str | None
    duration_seconds: int


def system_view(system: SystemFlags, now: datetime) -> SystemView:
    leading = system.leading(now)
    duration = 0
    if leading is not None and leading.set_at is not None:
        duration = max(0, int((now - leading.set_at).total_seconds()))
    return SystemView(
        status=KIND_STATUS[leading.kind] if leading is not None else "live",
        blocked=leading is not None,
        emergency_active=system.emergency.in_force(now),
        system_stopped=system.system_stop.in_force(now),
        soft_paused=system.soft_pause.in_force(now),
        reason=leading.reason if leading is not None else None,
        duration_seconds=duration,
    )


def derive_status(manual: ManualFlags, system: SystemFlags, now: datetime) -> Status:
    """The client's effective status by the precedence above."""
    leading = system.leading(now)
    return KIND_STATUS[leading.kind] if leading is not None else manual.status()
