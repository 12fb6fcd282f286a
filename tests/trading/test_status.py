"""Derived status: precedence over every combination of the five flags, soft-pause expiry, the
system fields (DESIGN.md "Trading control plane")."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from sniper.trading.control.status import (
    ManualFlags,
    SystemFlag,
    SystemFlags,
    derive_status,
    system_view,
)

NOW = datetime(2025, 12, 12, 14, 0, tzinfo=UTC)
EARLIER = NOW - timedelta(minutes=5)
PRECEDENCE = ["emergency", "system_stopped", "soft_paused", "manual_stopped", "manual_paused"]


def _system(emergency: bool, system_stop: bool, soft_pause: bool) -> SystemFlags:
    def flag(kind: str, on: bool) -> SystemFlag:
        return SystemFlag(kind, active=on, reason=f"{kind} reason", set_at=EARLIER)  # type: ignore[arg-type]

    return SystemFlags(
        emergency=flag("emergency", emergency),
        system_stop=flag("system_stop", system_stop),
        soft_pause=flag("soft_pause", soft_pause),
    )


@pytest.mark.parametrize("flags", list(itertools.product([False, True], repeat=5)))
def test_status_precedence_over_every_flag_combination(flags: tuple[bool, ...]) -> None:
    emergency, system_stop, soft_pause, stopped, paused = flags
    system = _system(emergency, system_stop, soft_pause)
    manual = ManualFlags(manual_paused=paused, manual_stopped=stopped)
    expected = next((name for name, on in zip(PRECEDENCE, flags, strict=True) if on), "live")
    assert derive_status(manual, system, NOW) == expected
    view = system_view(system, NOW)
    assert view.blocked == (emergency or system_stop or soft_pause)
    assert (view.emergency_active, view.system_stopped, view.soft_paused) == flags[:3]
    if view.blocked:
        assert view.status == expected
        assert (
            view.reason
            == {
                "emergency": "emergency reason",
                "system_stopped": "system_stop reason",
                "soft_paused": "soft_pause reason",
            }[expected]
        )
        assert view.duration_seconds == 300
    else:
        assert (view.status, view.reason, view.duration_seconds) == ("live", None, 0)


def test_soft_pause_ends_by_itself_at_until() -> None:
    until = NOW + timedelta(minutes=1)
    soft = SystemFlag("soft_pause", active=True, reason="maintenance", set_at=EARLIER, until=until)
    system = SystemFlags(soft_pause=soft)
    paused = ManualFlags(manual_paused=True)
    assert derive_status(paused, system, NOW) == "soft_paused"
    assert derive_status(paused, system, until - timedelta(microseconds=1)) == "soft_paused"
    assert derive_status(paused, system, until) == "manual_paused"
    assert system_view(system, until).blocked is False


def test_duration_is_never_negative() -> None:
    """A flag set by the CLI on wall time, read by a server replaying an earlier day."""
    later = SystemFlag("emergency", active=True, reason="cli", set_at=NOW + timedelta(days=300))
    assert system_view(SystemFlags(emergency=later), NOW).duration_seconds == 0
