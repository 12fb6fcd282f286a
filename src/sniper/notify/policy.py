"""Webhook retry policy: data plus one function (STYLE.md 10; stamina, Polar `compute_backoff`).

The default schedule is Standard Webhooks v1's example (after the first attempt: 5 s, 5 min,
30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h; the last attempt ~75 h after the first). Each delay is
jittered by +-20 % (Svix), a receiver's ``Retry-After`` can only lengthen it and is clamped
(Svix), and attempts past the schedule (when `max_attempts` allows them) double the last
scheduled delay up to `cap`. The attempt count comes from the stored attempt rows.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from sniper.config import Settings

_MAX_DOUBLINGS = 64  # 2**64 s is far past any cap; avoids float overflow for huge counts


@dataclass(frozen=True)
class RetryPolicy:
    """`delays[n - 1]` = seconds to wait after failed attempt n of a round; at most
    `max_attempts` attempts per round; `cap` (s) bounds delays past the schedule; `jitter` is the
    +- fraction applied to every delay; `retry_after_max` (s) clamps a receiver's Retry-After."""

    delays: tuple[float, ...]
    max_attempts: int
    cap: float
    jitter: float
    retry_after_max: float

    @classmethod
    def from_settings(cls, settings: Settings) -> RetryPolicy:
        """`SNIPER_WEBHOOK_*` settings; `max_attempts` defaults to len(delays) + 1."""
        delays = tuple(float(delay) for delay in settings.webhook_retry_delays)
        return cls(
            delays=delays,
            max_attempts=settings.webhook_max_attempts or len(delays) + 1,
            cap=settings.webhook_backoff_cap.total_seconds(),
            jitter=settings.webhook_jitter,
            retry_after_max=settings.webhook_retry_after_max.total_seconds(),
        )


def retry_delay(
    policy: RetryPolicy, attempts: int, *, retry_after: float | None, rng: random.Random
) -> float | None:
    """Seconds to wait before the next attempt after `attempts` (>= 1) failed attempts of a
    round, or None when the round is used up (the delivery is dead).

    delay = base * U(1 - jitter, 1 + jitter), base = `delays[attempts - 1]`, or past the schedule
    min(cap, last scheduled delay * 2**k); then max(delay, min(retry_after, retry_after_max)).
    `rng` makes the jitter reproducible (tests seed it).
    """
    if attempts >= policy.max_attempts:
        return None
    if attempts <= len(policy.delays):
        base = policy.delays[attempts - 1]
    else:
        last = max(policy.delays[-1] if policy.delays else 1.0, 1.0)
        doublings = min(attempts - len(policy.delays), _MAX_DOUBLINGS)
        base = min(policy.cap, last * 2.0**doublings)
    delay = base * (1.0 + rng.uniform(-policy.jitter, policy.jitter))
    if retry_after is not None:
        delay = max(delay, min(retry_after, policy.retry_after_max))
    return delay
