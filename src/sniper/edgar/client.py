"""The one HTTP client for all SEC traffic (DESIGN "EDGAR access"; SEC "Accessing EDGAR Data").

SEC fair access: declare a `User-Agent` of the form "Company Name admin@example.com", accept gzip,
and stay at or under 10 requests per second across *every* source — so all sources share one
`SecClient`, whose `RequestBudget` lets at most `max_rps` requests (retries included) out in any
1 s of clock time. 403, 429 and 5xx, timeouts and network errors are retried with capped
exponential backoff plus jitter, honouring `Retry-After` seconds — except SEC's "Request Rate
Threshold Exceeded" page, which pauses every source for `block` (10 minutes, as the page says)
and raises `RateLimited` at once. `probe()` is the single-attempt GET of Archives probes, where
a 403/404 means "not public yet".
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Awaitable, Callable
from datetime import timedelta
from types import TracebackType

import httpx

from sniper.clock import Clock, SystemClock
from sniper.edgar.budget import SLACK, RequestBudget
from sniper.edgar.errors import (
    EdgarError,
    EdgarHTTPError,
    EdgarUnavailable,
    FeedParseError,
    RateLimited,
)
from sniper.kit import metrics
from sniper.kit.retry import Backoff, classify, delay

__all__ = [
    "EdgarError",
    "EdgarHTTPError",
    "EdgarUnavailable",
    "FeedParseError",
    "RateLimited",
    "SecClient",
    "build_sec_client",
    "validate_user_agent",
]

RETRY_STATUSES = frozenset({403, 429})
"""Retried besides every 5xx: SEC answers over-limit clients with 403, others use 429."""

_EMAIL = re.compile(r"\S+@\S+\.\S+")
THRESHOLD_PAGE_MARK = b"Request Rate Threshold Exceeded"
"""In the `<title>` of SEC's rate-limit page (`errors/sec_rate_threshold_exceeded.html`)."""
SEC_BLOCK = timedelta(minutes=10)

Sleep = Callable[[float], Awaitable[None]]


def validate_user_agent(user_agent: str) -> str:
    """Return the stripped User-Agent; raise `ValueError` unless it declares a contact e-mail
    ("Company Name admin@example.com", SEC fair-access policy)."""
    value = user_agent.strip()
    if not _EMAIL.search(value):
        raise ValueError(
            "EDGAR User-Agent must declare a contact, e.g. 'Company Name admin@example.com'"
        )
    return value


class SecClient:
    """Rate-limited, retrying GET client for www.sec.gov / data.sec.gov over an injected
    `httpx.AsyncClient`.

    `max_rps` caps the requests sent through this instance in any 1 s of `clock` time (the
    `budget`, shared by every source); `backoff` (`kit.retry`; `max_attempts` counts the first
    try): the delay before retry `n` (1-based) is drawn from `[c/2, c]` with
    `c = min(backoff_cap, backoff_base * 2**(n-1))` seconds, raised to the response's
    `Retry-After` (never beyond `backoff_cap`), and is waited through `sleep` (default:
    `clock.sleep`). Counters: `requests_sent`, `retries`, `threshold_hits`; every answer also
    counts in `sniper_edgar_requests_total{source,status}` (`kit.metrics`).
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        user_agent: str,
        max_rps: float = 10,
        max_attempts: int = 4,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
        sleep: Sleep | None = None,
        clock: Clock | None = None,
        block: timedelta = SEC_BLOCK,
        slack: timedelta = SLACK,
    ) -> None:
        if max_rps <= 0:
            raise ValueError(f"max_rps must be positive, got {max_rps}")
        if max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, got {max_attempts}")
        if backoff_base < 0 or backoff_cap < 0:
            raise ValueError("backoff_base and backoff_cap must not be negative")
        self._http = http
        self.user_agent = validate_user_agent(user_agent)
        self.max_rps = max_rps
        self.backoff = Backoff.doubling(
            backoff_base, cap=backoff_cap, max_attempts=max_attempts, spread=(0.5, 1.0)
        )
        self.clock = clock or SystemClock()
        self._sleep = sleep or self.clock.sleep
        self.budget = RequestBudget(self.clock, max_rps, slack)
        self.block = block
        self.requests_sent = 0
        self.retries = 0
        self.threshold_hits = 0

    def _headers(self) -> dict[str, str]:
        return {"User-Agent": self.user_agent, "Accept-Encoding": "gzip, deflate"}

    async def _attempt(
        self, url: str, params: dict[str, str | int | float], source: str
    ) -> httpx.Response | None:
        """One request inside the budget; None on a network error or timeout. Raises
        `RateLimited` while SEC's block lasts and when this answer is the threshold page."""
        paused = self.budget.paused_until
        if paused is not None:
            raise RateLimited(url, paused)
        await self.budget.acquire(source)
        self.requests_sent += 1
        try:
            response = await self._http.get(url, params=params or None, headers=self._headers())
        except httpx.UnsupportedProtocol:
            raise
        except (httpx.TransportError, httpx.DecodingError):
            metrics.edgar_request(source, None)
            return None
        metrics.edgar_request(source, response.status_code)
        if response.status_code == 403 and THRESHOLD_PAGE_MARK in response.content:
            self.threshold_hits += 1
            self.budget.pause(self.clock.now() + self.block)
            raise RateLimited(url, self.clock.now() + self.block)
        return response

    async def probe(self, url: str, *, source: str) -> httpx.Response | None:
        """One GET, never retried: the response when EDGAR answers 200, None for anything else
        (S3's `AccessDenied` 403 / `NoSuchKey` 404 for a path not public yet, a 5xx, a network
        error). Raises `RateLimited` like `get`."""
        response = await self._attempt(url, {}, source)
        return response if response is not None and response.status_code == 200 else None

    async def get(
        self, url: str, *, source: str = "pipeline", **params: str | int | float
    ) -> httpx.Response:
        """GET `url` (with `params` as query parameters) and return the successful response
        (status < 400, body read); `source` names the requester in the budget's counters.

        Raises `EdgarHTTPError(status, url)` at once for a 4xx other than 403/429,
        `RateLimited` on SEC's threshold page or while its block lasts, and
        `EdgarUnavailable(status, url)` when the last of `max_attempts` still got 403/429/5xx
        (`status`) or a network error/timeout (`status=None`).
        """
        for attempt in itertools.count(1):
            response = await self._attempt(url, params, source)
            outcome = classify(response, ok_below=400, retry=RETRY_STATUSES)
            status = None if response is None else response.status_code
            if response is not None and not outcome.retryable:
                if outcome.ok:
                    return response
                raise EdgarHTTPError(response.status_code, url)
            wait = delay(self.backoff, attempt, hint=outcome.hint)
            if wait is None:
                break
            self.retries += 1
            await self._sleep(wait)
        raise EdgarUnavailable(status, url)

    async def aclose(self) -> None:
        """Close the underlying `httpx.AsyncClient`."""
        await self._http.aclose()

    async def __aenter__(self) -> SecClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


def build_sec_client(
    *,
    user_agent: str,
    max_rps: float,
    timeout_seconds: float,
    clock: Clock | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    slack: timedelta = SLACK,
) -> SecClient:
    """Create a `SecClient` over a new `httpx.AsyncClient` (timeout `timeout_seconds` per
    connect/read/write/pool, redirects followed; `transport` e.g. an `httpx.ASGITransport` over
    the simulated EDGAR in replay mode). The caller closes it: `await client.aclose()`.
    Raises `ValueError` for an undeclared User-Agent or a non-positive rate before opening it."""
    validate_user_agent(user_agent)
    if max_rps <= 0:
        raise ValueError(f"max_rps must be positive, got {max_rps}")
    http = httpx.AsyncClient(
        timeout=httpx.Timeout(timeout_seconds), follow_redirects=True, transport=transport
    )
    return SecClient(http, user_agent=user_agent, max_rps=max_rps, clock=clock, slack=slack)
