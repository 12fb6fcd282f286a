"""OpenFIGI v3 mapping client for CUSIPs (https://www.openfigi.com/api, "Rate Limits").

`POST {base}/v3/mapping` takes a JSON array of jobs, here `{"idType": "ID_CUSIP", "idValue":
CUSIP, "exchCode": "US"}`, and answers one element per job, in order: `{"data": [listing,
...]}`, `{"warning": "No identifier found."}` (a known miss) or `{"error": "Invalid idValue
format."}`. Published limits: without an API key 25 requests per minute and 10 jobs per request;
with `X-OPENFIGI-APIKEY` 25 requests per 6 seconds and 100 jobs per request. Over the limit the
API answers 429 with `ratelimit-reset` (seconds until the window resets), which is waited out.
"""

from __future__ import annotations

import asyncio
import itertools
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
from aiolimiter import AsyncLimiter

from sniper.kit.retry import Backoff, classify, delay

Sleep = Callable[[float], Awaitable[None]]
NO_IDENTIFIER = "No identifier found."
BACKOFF_CAP = 60.0  # seconds: the keyless rate window
_CUSIP = re.compile(r"[0-9A-Z]{9}")


class OpenFigiError(Exception):
    """A mapping request failed for good (bad API key, malformed answer): not retried."""


class OpenFigiUnavailable(OpenFigiError):
    """429 / 5xx / network errors outlasted the retries; asking again later may work."""


@dataclass(frozen=True, slots=True)
class FigiMapping:
    """The answer for one CUSIP: `status` `mapped` (fields from the first listing) or `miss`
    (OpenFIGI found nothing, or the CUSIP is malformed and was never sent)."""

    cusip: str
    status: str
    figi: str | None = None
    composite_figi: str | None = None
    share_class_figi: str | None = None
    ticker: str | None = None
    name: str | None = None
    exch_code: str | None = None
    security_type: str | None = None
    market_sector: str | None = None


def is_cusip(value: str) -> bool:
    """Nine characters, digits and uppercase letters (EDGAR's CUSIP_TYPE, uppercased)."""
    return bool(_CUSIP.fullmatch(value))


def _mapping(cusip: str, element: Any) -> FigiMapping | None:
    """One answer element -> mapping; None for a per-job error (not cached: may be transient)."""
    if not isinstance(element, dict):
        raise OpenFigiError(f"unexpected mapping answer for {cusip}: {element!r}")
    listings = element.get("data")
    if isinstance(listings, list) and listings and isinstance(listings[0], dict):
        first: dict[str, Any] = listings[0]
        return FigiMapping(
            cusip=cusip,
            status="mapped",
            figi=first.get("figi"),
            composite_figi=first.get("compositeFIGI"),
            share_class_figi=first.get("shareClassFIGI"),
            ticker=first.get("ticker"),
            name=first.get("name"),
            exch_code=first.get("exchCode"),
            security_type=first.get("securityType"),
            market_sector=first.get("marketSector"),
        )
    if element.get("warning") or listings == []:
        return FigiMapping(cusip=cusip, status="miss")
    return None


class OpenFigiClient:
    """Paced, batching OpenFIGI mapping client over an injected `httpx.AsyncClient`.

    `batch_size` is 100 jobs per request with an API key, 10 without; requests are paced by an
    `aiolimiter.AsyncLimiter` at 25 per 6 s (key) or 25 per 60 s (no key). A 429 waits
    `ratelimit-reset` seconds, a 5xx or network error `backoff * 2**(n-1)` seconds (at most 60;
    `kit.retry`), through `sleep`, for at most `max_retries` retries per request. Counters:
    `requests_sent`, `jobs_sent`, `rate_limited`.
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        base_url: str = "https://api.openfigi.com",
        api_key: str | None = None,
        max_retries: int = 3,
        backoff: float = 1.0,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._http = http
        self.url = base_url.rstrip("/") + "/v3/mapping"
        self.api_key = api_key or None
        self.batch_size = 100 if self.api_key else 10
        self.limiter = AsyncLimiter(25, 6.0 if self.api_key else 60.0)
        self.backoff = Backoff.doubling(backoff, cap=BACKOFF_CAP, max_attempts=max_retries + 1)
        self._sleep = sleep
        self.requests_sent = 0
        self.jobs_sent = 0
        self.rate_limited = 0

    async def map_cusips(self, cusips: Sequence[str]) -> dict[str, FigiMapping]:
        """Map each distinct CUSIP (uppercased); malformed ones are misses without a request.
        CUSIPs whose job came back with an error are absent from the result. Raises
        `OpenFigiUnavailable` (retry later) or `OpenFigiError`."""
        wanted = list(dict.fromkeys(c.strip().upper() for c in cusips))
        result = {c: FigiMapping(c, "miss") for c in wanted if not is_cusip(c)}
        valid = [c for c in wanted if c not in result]
        for start in range(0, len(valid), self.batch_size):
            batch = valid[start : start + self.batch_size]
            answers = await self._post(batch)
            for cusip, element in zip(batch, answers, strict=True):
                mapping = _mapping(cusip, element)
                if mapping is not None:
                    result[cusip] = mapping
        return result

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["X-OPENFIGI-APIKEY"] = self.api_key
        return headers

    async def _post(self, batch: list[str]) -> list[Any]:
        jobs = [{"idType": "ID_CUSIP", "idValue": c, "exchCode": "US"} for c in batch]
        for attempt in itertools.count(1):
            response = await self._send(jobs)
            outcome = classify(response, ok_below=300, retry={429}, hint_header="ratelimit-reset")
            if response is not None and not outcome.retryable:
                if outcome.ok:
                    return self._answers(response, len(batch))
                raise OpenFigiError(f"OpenFIGI HTTP {response.status_code}: {response.text[:200]}")
            if response is not None and response.status_code == 429:
                self.rate_limited += 1
            wait = delay(self.backoff, attempt, hint=outcome.hint)
            if wait is None:
                break
            await self._sleep(wait)
        status = "network error" if response is None else f"HTTP {response.status_code}"
        raise OpenFigiUnavailable(f"OpenFIGI unavailable ({status}) after {attempt} attempts")

    async def _send(self, jobs: list[dict[str, str]]) -> httpx.Response | None:
        async with self.limiter:
            self.requests_sent += 1
            self.jobs_sent += len(jobs)
            try:
                return await self._http.post(self.url, json=jobs, headers=self._headers())
            except (httpx.TransportError, httpx.DecodingError):
                return None

    @staticmethod
    def _answers(response: httpx.Response, expected: int) -> list[Any]:
        try:
            answers = response.json()
        except ValueError as exc:
            raise OpenFigiError("OpenFIGI answered with something that is not JSON") from exc
        if not isinstance(answers, list) or len(answers) != expected:
            raise OpenFigiError(f"OpenFIGI answered {type(answers).__name__}, not {expected} jobs")
        return answers

    async def aclose(self) -> None:
        await self._http.aclose()


def build_openfigi_client(
    *,
    base_url: str,
    api_key: str | None,
    timeout_seconds: float,
    transport: httpx.AsyncBaseTransport | None = None,
) -> OpenFigiClient:
    """A client over a new `httpx.AsyncClient` (timeout `timeout_seconds`; `transport` for a
    local stand-in); the caller closes it with `await client.aclose()`."""
    http = httpx.AsyncClient(
        timeout=httpx.Timeout(timeout_seconds), trust_env=False, transport=transport
    )
    return OpenFigiClient(http, base_url=base_url, api_key=api_key)
