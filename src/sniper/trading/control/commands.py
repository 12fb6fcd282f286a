"""What each command does to the stored flags: pure functions, table-tested (DESIGN.md "Trading
control plane"; result codes from seed 004).

Client commands (`POST /api/v1/trading/{pause,resume,stop,start}`):

| command | flags before | result | flags after | HTTP |
|---|---|---|---|---|
| pause  | not paused   | `pause_applied`  | paused set          | 200 |
| pause  | paused       | `already_paused` | unchanged           | 200 |
| stop   | not stopped  | `stop_applied`   | stopped set         | 200 |
| stop   | stopped      | `already_stopped`| unchanged           | 200 |
| resume | stopped      | `start_required` | unchanged           | 200 |
| resume | paused only  | `resume_applied` | pause cleared       | 200 |
| resume | neither      | `already_live`   | unchanged           | 200 |
| start  | paused/stopped | `start_applied` | both cleared       | 200 |
| start  | neither      | `already_live`   | unchanged           | 200 |
| resume, start | any, while a system flag is in force | `system_blocked` | unchanged | 409 |

Pause and stop are independent flags: stopping a paused client keeps the pause (start clears
both). Pause and stop are always accepted, also while the system blocks trading (making a client
safer never waits for the operator). A repeat never overwrites the first reason, actor or time.

System commands (admins only): set `emergency` / `soft_pause` / `system_stop` →
`<kind>_applied` or `already_<...>`; clear → `<kind>_cleared` or `already_cleared` (a soft pause
whose `until` has passed counts as cleared).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from sniper.trading.control.status import ManualFlags, SystemFlag, SystemKind

ClientCommand = Literal["pause", "resume", "stop", "start"]
SystemAction = Literal["set", "clear"]
CLIENT_COMMANDS: tuple[ClientCommand, ...] = ("pause", "resume", "stop", "start")
SYSTEM_BLOCKED = "system_blocked"
ALREADY_CLEARED = "already_cleared"
# kind -> (set applied, set repeated, cleared)
SYSTEM_RESULTS: dict[SystemKind, tuple[str, str, str]] = {
    "emergency": ("emergency_applied", "already_emergency", "emergency_cleared"),
    "system_stop": ("system_stop_applied", "already_system_stopped", "system_stop_cleared"),
    "soft_pause": ("soft_pause_applied", "already_soft_paused", "soft_pause_cleared"),
}


@dataclass(frozen=True)
class ClientOutcome:
    """`result` code, the HTTP status to answer, and the flags to store."""

    result: str
    http_status: int
    after: ManualFlags
    changed: bool


@dataclass(frozen=True)
class SystemOutcome:
    result: str
    after: SystemFlag
    changed: bool


def apply_client(
    flags: ManualFlags,
    command: ClientCommand,
    *,
    system_blocked: bool,
    reason: str | None,
    actor: str,
    now: datetime,
) -> ClientOutcome:
    """The outcome of `command` on `flags` (see the module table); `reason` ≤ 500 chars or None."""
    if command == "pause":
        if flags.manual_paused:
            return _same(flags, "already_paused")
        paused = replace(
            flags,
            manual_paused=True,
            manual_paused_at=now,
            manual_pause_reason=reason,
            manual_paused_by=actor,
        )
        return ClientOutcome("pause_applied", 200, paused, True)
    if command == "stop":
        if flags.manual_stopped:
            return _same(flags, "already_stopped")
        stopped = replace(
            flags,
            manual_stopped=True,
            manual_stopped_at=now,
            manual_stop_reason=reason,
            manual_stopped_by=actor,
        )
        return ClientOutcome("stop_applied", 200, stopped, True)
    if system_blocked:
        return ClientOutcome(SYSTEM_BLOCKED, 409, flags, False)
    return _resume(flags, actor, now) if command == "resume" else _start(flags, actor, now)


def _same(flags: ManualFlags, result: str) -> ClientOutcome:
    return ClientOutcome(result, 200, flags, False)


def _clear_pause(flags: ManualFlags, actor: str, now: datetime) -> ManualFlags:
    if not flags.manual_paused:
        return flags
    return replace(
        flags, manual_paused=False, manual_pause_cleared_at=now, manual_pause_cleared_by=actor
    )


def _resume(flags: ManualFlags, actor: str, now: datetime) -> ClientOutcome:
    if flags.manual_stopped:
        return _same(flags, "start_required")
    if flags.manual_paused:
        return ClientOutcome("resume_applied", 200, _clear_pause(flags, actor, now), True)
    return _same(flags, "already_live")


def _start(flags: ManualFlags, actor: str, now: datetime) -> ClientOutcome:
    if not (flags.manual_paused or flags.manual_stopped):
        return _same(flags, "already_live")
    after = _clear_pause(flags, actor, now)
    if after.manual_stopped:
        after = replace(
            after, manual_stopped=False, manual_stop_cleared_at=now, manual_stop_cleared_by=actor
        )
    return ClientOutcome("start_applied", 200, after, True)


def apply_system(
    flag: SystemFlag,
    action: SystemAction,
    *,
    reason: str,
    actor: str,
    now: datetime,
    until: datetime | None = None,
) -> SystemOutcome:
    """Set or clear one system flag. `until` (soft pause only) must be after `now`: the caller
    checks it. A set while the flag is in force keeps the first reason, actor, time and `until`."""
    applied, repeated, cleared = SYSTEM_RESULTS[flag.kind]
    if action == "set":
        if flag.in_force(now):
            return SystemOutcome(repeated, flag, False)
        after = replace(flag, active=True, reason=reason, set_by=actor, set_at=now, until=until)
        return SystemOutcome(applied, after, True)
    if not flag.in_force(now):
        return SystemOutcome(ALREADY_CLEARED, flag, False)
    after = replace(flag, active=False, cleared_at=now, cleared_by=actor, clear_reason=reason)
    return SystemOutcome(cleared, after, True)
