"""Per-account request rate limits on `limits` moving windows (issue 3 item 5, RELIABILITY F8).

Each plan has one limit in `limits` notation (settings `free_plan_rate_limit` "60/minute",
`paid_plan_rate_limit` "600/minute"), counted per account over a moving window: a request passes
when fewer than `limit` requests of that account passed in the last window length, so a burst at a
window edge cannot double the rate as a fixed window would. Storage is in-process memory by
default, or Redis when `SNIPER_REDIS_URL` is set so that every process shares one budget
(RELIABILITY.md: Redis allowed exactly 100 of 3,200 requests at 100/minute across 4 processes,
memory allowed 400). A storage failure fails open (the request is served and a warning logged):
rate limiting protects capacity and must not take the API down with Redis.

Every limited response carries `X-RateLimit-Limit` (requests per window), `X-RateLimit-Remaining`
and `X-RateLimit-Reset` (unix seconds when the oldest counted request leaves the window, i.e. when
one more request can pass; GitHub's convention); a 429 also carries `Retry-After` (seconds).
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import limits
from fastapi import Request
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from redis.asyncio import ConnectionPool

from sniper.config import Settings
from sniper.errors import TooManyRequests

logger = logging.getLogger(__name__)
REDIS_TIMEOUT_SECONDS = 1.0


@dataclass(frozen=True)
class Decision:
    """One request's verdict: `limit` per `window_seconds`, `remaining` after this request,
    `reset_at` in unix seconds, `retry_after` in whole seconds (0 when `allowed`)."""

    allowed: bool
    limit: int
    window_seconds: int
    remaining: int
    reset_at: float
    retry_after: int

    def headers(self) -> dict[str, str]:
        """The `X-RateLimit-*` headers (and `Retry-After` when refused)."""
        headers = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(math.ceil(self.reset_at)),
        }
        if not self.allowed:
            headers["Retry-After"] = str(self.retry_after)
        return headers


class RateLimiter:
    """Moving-window limits per plan over a `limits` async storage.

    `plans` maps a plan name to its limit string; unknown plans get the `free` limit.
    """

    def __init__(
        self, storage: Storage, plans: Mapping[str, str], *, pool: ConnectionPool | None = None
    ) -> None:
        self._storage = storage
        self._strategy = MovingWindowRateLimiter(storage)
        self._items = {plan: limits.parse(text) for plan, text in plans.items()}
        self._pool = pool

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimiter:
        """Memory storage, or Redis at `settings.redis_url` (keys prefixed `redis_key_prefix`)."""
        plans = {plan: settings.plan_rate_limit(plan) for plan in ("free", "paid")}
        if not settings.redis_url:
            return cls(MemoryStorage(), plans)
        url = settings.redis_url.removeprefix("async+")
        pool = ConnectionPool.from_url(
            url,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        )
        shared: dict[str, Any] = {"connection_pool": pool}  # ours to close in `aclose`
        storage = RedisStorage(
            "async+" + url,
            implementation="redispy",
            key_prefix=settings.redis_key_prefix,
            wrap_exceptions=True,
            **shared,
        )
        return cls(storage, plans, pool=pool)

    async def hit(self, key: str, plan: str) -> Decision | None:
        """Count one request of `key` (e.g. "account:42") against `plan`'s limit.

        Returns the decision, or None when the storage failed (the caller lets the request pass).
        """
        item = self._items.get(plan) or self._items["free"]
        try:
            allowed = await self._strategy.hit(item, key)
            stats = await self._strategy.get_window_stats(item, key)
        except Exception as exc:  # fail open: see the module docstring
            logger.warning("rate limit storage failed, request allowed: %r", exc)
            return None
        retry_after = 0 if allowed else max(1, math.ceil(stats.reset_time - time.time()))
        return Decision(
            allowed=allowed,
            limit=item.amount,
            window_seconds=item.get_expiry(),
            remaining=max(0, stats.remaining),
            reset_at=stats.reset_time,
            retry_after=retry_after,
        )

    async def aclose(self) -> None:
        """Release the Redis connections, or stop the memory storage's expiry task."""
        if self._pool is not None:
            await self._pool.aclose()
        timer = getattr(self._storage, "timer", None)
        if isinstance(timer, asyncio.Task):
            timer.cancel()


async def enforce(limiter: RateLimiter | None, request: Request, key: str, plan: str) -> None:
    """Count this request; put the rate-limit headers on its response (via `request.state`).

    Raises `TooManyRequests` (429 `RATE_LIMITED`, details: limit, window_seconds, retry_after,
    plan) when the account is over its limit. No limiter (or a storage failure): no-op.
    """
    decision = await limiter.hit(key, plan) if limiter is not None else None
    if decision is None:
        return
    request.state.rate_limit_headers = decision.headers()
    if not decision.allowed:
        raise TooManyRequests(
            f"Rate limit exceeded: {decision.limit} requests per {decision.window_seconds} s "
            f"on the {plan} plan; retry in {decision.retry_after} s",
            details={
                "limit": decision.limit,
                "window_seconds": decision.window_seconds,
                "retry_after": decision.retry_after,
                "plan": plan,
            },
        )
