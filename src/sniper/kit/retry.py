"""Retries of every outbound call (EDGAR, OpenFIGI, webhooks) and of queued jobs: backoff as
data, one delay function, one ``Retry-After`` parser, one outcome type (stamina's shape).

    attempt ──> Outcome
                ├── ok
                ├── retryable(hint)  network error, timeout, 5xx, or a status the caller
                │                    names (429; 403 for SEC; 408 for webhooks); `hint` =
                │                    the server's Retry-After (or OpenFIGI's ratelimit-reset)
                └── permanent        any other status: never retried

    retryable ──> delay(backoff, attempts, hint=...) ──> seconds to wait, or None (give up)

Who holds which `Backoff`: `SecClient` (0.5 s doubling to 30 s, x U(0.5, 1), 4 attempts),
`OpenFigiClient` (1 s doubling to 60 s, 4 attempts), webhooks (Standard Webhooks' schedule,
x U(0.8, 1.2), `SNIPER_WEBHOOK_*`), filing jobs (30 s doubling to 1 h, x U(0.9, 1.1),
`SNIPER_FILING_JOB_*`).
"""

from __future__ import annotations

import random
from collections.abc import Container
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Literal

import httpx

_MAX_DOUBLINGS = 64  # 2**64 s is far past any cap; avoids float overflow for huge counts

Kind = Literal["ok", "retryable", "permanent"]


@dataclass(frozen=True)
class Outcome:
    """What one attempt came to; `hint` (seconds >= 0) is what the server asked to wait, on a
    retryable outcome only."""

    kind: Kind
    hint: float | None = None

    @property
    def ok(self) -> bool:
        return self.kind == "ok"

    @property
    def retryable(self) -> bool:
        return self.kind == "retryable"


OK = Outcome("ok")
PERMANENT = Outcome("permanent")
NETWORK_ERROR = Outcome("retryable")


def classify(
    response: httpx.Response | None,
    *,
    ok_below: int,
    retry: Container[int],
    hint_header: str = "retry-after",
) -> Outcome:
    """`None` (no response: network error, timeout) is retryable; 200 <= status < `ok_below`
    is ok; a 5xx or a status in `retry` is retryable, with the hint parsed from `hint_header`
    (an HTTP-date is measured against the response's `Date`); anything else is permanent."""
    if response is None:
        return NETWORK_ERROR
    status = response.status_code
    if 200 <= status < ok_below:
        return OK
    if status in retry or 500 <= status < 600:
        hint = parse_retry_after(
            response.headers.get(hint_header), date_header=response.headers.get("date")
        )
        return Outcome("retryable", hint)
    return PERMANENT


@dataclass(frozen=True)
class Backoff:
    """`delays[n - 1]`: seconds to wait after failed attempt n; past the schedule the last delay
    doubles; no delay is taken beyond `cap` (s) before it is multiplied by a uniform draw from
    `spread` ((0.8, 1.2) is +-20 %; (0.5, 1.0) keeps every wait under `cap`). A server's hint
    can only lengthen a wait, clamped to `hint_max` (s). `max_attempts` counts the first try."""

    delays: tuple[float, ...]
    max_attempts: int
    cap: float
    spread: tuple[float, float] = (1.0, 1.0)
    hint_max: float = 0.0

    @classmethod
    def doubling(
        cls,
        first: float,
        *,
        cap: float,
        max_attempts: int,
        spread: tuple[float, float] = (1.0, 1.0),
    ) -> Backoff:
        """`first`, 2 x `first`, 4 x `first`, ... up to `cap`; the hint clamps at `cap`."""
        return cls((first,), max_attempts, cap, spread, hint_max=cap)


def delay(
    backoff: Backoff,
    attempts: int,
    *,
    hint: float | None = None,
    rng: random.Random | None = None,
) -> float | None:
    """Seconds to wait after `attempts` (>= 1) failed attempts, or None when they are used up.

    base = `delays[attempts - 1]`, or past the schedule last delay x 2**k; delay =
    min(cap, base) x U(spread), then max(delay, min(hint, hint_max)). `rng` makes the draw
    reproducible (tests seed it)."""
    if attempts >= backoff.max_attempts:
        return None
    if attempts <= len(backoff.delays):
        base = backoff.delays[attempts - 1]
    else:
        last = backoff.delays[-1] if backoff.delays else 0.0
        doublings = min(attempts - len(backoff.delays), _MAX_DOUBLINGS)
        base = last * 2.0**doublings
    wait = min(backoff.cap, base) * (rng or random).uniform(*backoff.spread)
    if hint is not None:
        wait = max(wait, min(hint, backoff.hint_max))
    return wait


def parse_retry_after(value: str | None, *, date_header: str | None = None) -> float | None:
    """Seconds (>= 0) from an RFC 9110 ``Retry-After`` value, or None if absent or invalid.

    Accepts delay-seconds (up to 10 digits) or an HTTP-date; a date is measured against the
    response's ``Date`` header when valid (the server's own clock), else the wall clock."""
    text = (value or "").strip()
    if not text:
        return None
    if text.isascii() and text.isdigit():
        return float(text) if len(text) <= 10 else None
    when = _http_date(text)
    if when is None:
        return None
    now = _http_date(date_header or "") or datetime.now(UTC)
    return max(0.0, (when - now).total_seconds())


def _http_date(text: str) -> datetime | None:
    """An aware UTC datetime from an HTTP-date, or None."""
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
