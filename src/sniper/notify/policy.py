"""Webhook retry backoff from the settings (STYLE.md 10; `sniper.kit.retry`).

The default schedule is Standard Webhooks v1's example (after the first attempt: 5 s, 5 min,
30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h; the last attempt ~75 h after the first). Each delay is
jittered by +-20 % (Svix), a receiver's ``Retry-After`` can only lengthen it and is clamped
(Svix), and attempts past the schedule (when `max_attempts` allows them) double the last
scheduled delay up to `cap`. The attempt count comes from the stored attempt rows.
"""

from __future__ import annotations

from sniper.config import Settings
from sniper.kit.retry import Backoff


def webhook_backoff(settings: Settings) -> Backoff:
    """`SNIPER_WEBHOOK_*` settings; `max_attempts` defaults to len(delays) + 1."""
    delays = tuple(float(delay) for delay in settings.webhook_retry_delays)
    jitter = settings.webhook_jitter
    return Backoff(
        delays=delays,
        max_attempts=settings.webhook_max_attempts or len(delays) + 1,
        cap=settings.webhook_backoff_cap.total_seconds(),
        spread=(1.0 - jitter, 1.0 + jitter),
        hint_max=settings.webhook_retry_after_max.total_seconds(),
    )
