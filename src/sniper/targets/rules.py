"""Validation of a create request (DESIGN.md "Sniper targets": window, form types, slots).

Every failure is a 400 whose message and `details.field` name the offending field.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta

from sniper.errors import BadRequest, PaymentRequired
from sniper.kit.timefmt import OutOfRange, iso_z, parse_iso
from sniper.targets.matcher import normalize_form_type

MAX_WINDOW = timedelta(hours=24)
PAST_START_TOLERANCE = timedelta(seconds=60)
DEFAULT_DURATION_MINUTES = 60
_FORM_TYPE = re.compile(r"^[A-Z0-9][A-Z0-9 ./-]{0,31}$")


def invalid(field: str, message: str, code: str = "BAD_REQUEST") -> BadRequest:
    return BadRequest(f"{field}: {message}", code=code, details={"field": field})


def _parse_time(field: str, value: str) -> datetime:
    try:
        return parse_iso(value).replace(microsecond=0)
    except OutOfRange as exc:
        raise invalid(field, str(exc)) from exc
    except ValueError as exc:
        message = f"{value!r} is not an ISO 8601 time such as 2026-05-02T20:00:00Z"
        raise invalid(field, message) from exc


def resolve_window(
    *,
    now: datetime,
    start_time: str | None,
    end_time: str | None,
    duration_minutes: int | None,
    clock: str = "service clock",
) -> tuple[datetime, datetime]:
    """`(start, end)` of a new target, second precision, UTC.

    Omitted start → now; a start up to 60 s in the past counts as now; end must follow start by at
    most 24 h and lie in the future; `duration_minutes` (1-1440, default 60) and `end_time` are
    mutually exclusive. `clock` names the clock `now` is on ("replay clock") for the messages.
    """
    if duration_minutes is not None and end_time is not None:
        raise invalid("end_time", "give either duration_minutes or end_time, not both")
    now = now.replace(microsecond=0)
    start = now if start_time is None else _parse_time("start_time", start_time)
    if start < now - PAST_START_TOLERANCE:
        past = f"must not be more than 60 seconds in the past (now: {iso_z(now)}, {clock})"
        raise invalid("start_time", past)
    start = max(start, now)
    if end_time is not None:
        end = _parse_time("end_time", end_time)
    else:
        end = start + timedelta(minutes=duration_minutes or DEFAULT_DURATION_MINUTES)
    if end <= start:
        raise invalid("end_time", "must be after start_time")
    if end - start > MAX_WINDOW:
        raise invalid("end_time", "window must be at most 24 hours from start_time")
    if end <= now:
        raise invalid("end_time", f"must be in the future (now: {iso_z(now)}, {clock})")
    return start, end


def normalize_form_types(raw: Sequence[str] | None) -> list[str] | None:
    """Uppercased, trimmed, de-duplicated filter; None means any form. Empty list is refused."""
    if raw is None:
        return None
    if not raw:
        raise invalid("form_types", "must list at least one form type (omit it for any form)")
    forms: list[str] = []
    for item in raw:
        form = normalize_form_type(item)
        if not _FORM_TYPE.match(form):
            raise invalid("form_types", f"{item!r} is not an EDGAR form type such as 8-K or 10-Q")
        if form not in forms:
            forms.append(form)
    return forms


def _slots_message(slots: int, plan: str, earliest: datetime | None, clock: str) -> str:
    if slots == 0:
        setting = f"SNIPER_{plan.upper()}_PLAN_SLOTS"
        return (
            f"The {plan} plan has no sniper slots ({setting}=0): use an account on the paid "
            f"plan (`sniper accounts create NAME --plan paid`), or have the operator raise "
            f"{setting}"
        )
    message = f"All {slots} sniper slots of your plan are taken during this window"
    return f"{message}; the earliest frees at {iso_z(earliest)} ({clock})" if earliest else message


def peak_overlap(windows: Sequence[tuple[datetime, datetime]], start: datetime) -> int:
    """Most of `windows` open at one instant, from `start` on (windows already overlap it)."""
    events = sorted([(max(s, start), 1) for s, _ in windows] + [(e, -1) for _, e in windows])
    peak = current = 0
    for _, step in events:  # ends (-1) sort before starts (+1) at the same instant
        current += step
        peak = max(peak, current)
    return peak


def check_slots(
    windows: Sequence[tuple[datetime, datetime]],
    *,
    start: datetime,
    slots: int,
    plan: str = "free",
    clock: str = "service clock",
) -> None:
    """402 SNIPER_SLOTS_EXHAUSTED when one more window would exceed `slots` at some instant;
    the message says when the earliest slot frees, on `clock` ("replay clock"), or, for a
    `plan` without slots, that it has none and how to get some."""
    in_use = peak_overlap(windows, start)
    if in_use + 1 <= slots:
        return
    earliest = min((end for _, end in windows), default=None)
    raise PaymentRequired(
        _slots_message(slots, plan, earliest, clock),
        code="SNIPER_SLOTS_EXHAUSTED",
        details={
            "slots": slots,
            "in_use": in_use,
            "earliest_free_at": iso_z(earliest) if earliest else None,
        },
    )
