"""One webhook delivery attempt: vet, sign, POST, classify (DESIGN.md "Notifications").

Follows Standard Webhooks v1 and Svix practice (RELIABILITY.md): the URL is re-checked by the SSRF
guard at send time and the request goes to the exact address that was vetted (the URL host is
replaced by the IP; ``Host`` and TLS SNI / certificate checks keep the original name), redirects
are never followed (3xx is a failure), 2xx is success, timeouts, network errors, 408, 429 and 5xx
are retryable (``Retry-After`` parsed), every other status is permanent. Only the first 2 KB of a
response is read. HTTP and network problems never raise: they come back as an `AttemptResult`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import httpx

from sniper.kit.retry import NETWORK_ERROR, PERMANENT, Outcome, classify
from sniper.notify.signing import sign_headers
from sniper.notify.ssrf import (
    AllowNetwork,
    ResolvedTarget,
    Resolver,
    UnresolvableWebhookUrl,
    UnsafeWebhookUrl,
    check_webhook_url,
    is_ip_host,
)

EXCERPT_BYTES = 2048
RETRY_STATUSES = frozenset({408, 429})
"""Retried besides every 5xx."""
_ERROR_CHARS = 500


@dataclass(frozen=True)
class AttemptResult:
    """Outcome of one attempt. `status_code` is None when no response arrived; `latency_ms` is
    wall time of the whole attempt (resolve + request + reading the excerpt) in milliseconds;
    `response_excerpt` is at most the first 2048 bytes of the body, decoded as UTF-8 with
    replacement; `error` is None exactly when the outcome is ok; a retryable outcome's `hint`
    is the seconds the receiver asked for (``Retry-After``, not clamped)."""

    outcome: Outcome
    status_code: int | None
    latency_ms: float
    response_excerpt: str
    error: str | None


async def send_webhook(
    http: httpx.AsyncClient,
    url: str,
    *,
    secret: str | Sequence[str],
    delivery_id: str,
    body: bytes,
    timestamp: datetime,
    allow_networks: Sequence[AllowNetwork],
    resolver: Resolver | None = None,
    timeout_seconds: float = 15.0,
) -> AttemptResult:
    """POST `body` (UTF-8 JSON bytes) to `url`, signed per Standard Webhooks v1 with `secret`
    (``whsec_...``, or several during a rotation: one ``v1,`` signature each), ``webhook-id`` =
    `delivery_id`, ``webhook-timestamp`` = `timestamp`.

    The whole attempt is bounded by `timeout_seconds`. An unsafe URL (see `check_webhook_url`)
    is a permanent failure and sends nothing; a host that does not resolve is retryable; a bad
    secret or delivery id is a permanent failure. Give it a client without a proxy (the pinned
    TLS name is not passed through proxies) and do not rely on its cookies: none are sent.
    """
    started = time.perf_counter()

    def failed(error: str, *, retryable: bool) -> AttemptResult:
        elapsed = (time.perf_counter() - started) * 1000
        outcome = NETWORK_ERROR if retryable else PERMANENT
        return AttemptResult(outcome, None, elapsed, "", error[:_ERROR_CHARS])

    try:
        headers = sign_headers(secret, msg_id=delivery_id, timestamp=timestamp, body=body)
    except ValueError as exc:
        return failed(f"cannot sign webhook: {exc}", retryable=False)
    try:
        async with asyncio.timeout(timeout_seconds):
            target = await check_webhook_url(url, allow_networks=allow_networks, resolver=resolver)
            response, excerpt = await _exchange(http, target, headers, body, timeout_seconds)
    except UnresolvableWebhookUrl as exc:
        return failed(str(exc), retryable=True)
    except UnsafeWebhookUrl as exc:
        return failed(str(exc), retryable=False)
    except (TimeoutError, httpx.TimeoutException) as exc:
        return failed(f"timeout after {timeout_seconds:g} s ({type(exc).__name__})", retryable=True)
    except (httpx.HTTPError, httpx.InvalidURL, OSError) as exc:
        return failed(f"{type(exc).__name__}: {exc}", retryable=True)
    return _classify(response, excerpt, (time.perf_counter() - started) * 1000)


async def _exchange(
    http: httpx.AsyncClient,
    target: ResolvedTarget,
    headers: dict[str, str],
    body: bytes,
    timeout_seconds: float,
) -> tuple[httpx.Response, str]:
    """POST to each vetted address in turn until one connects; return (response, excerpt).

    Only a connection failure (nothing sent) moves on to the next address.
    """
    last_error: httpx.ConnectError | None = None
    for address in target.addresses:
        request = _pinned_request(http, target, address, headers, body, timeout_seconds)
        try:
            response = await http.send(request, stream=True, follow_redirects=False)
        except httpx.ConnectError as exc:
            last_error = exc
            continue
        try:
            excerpt = await _read_excerpt(response)
        finally:
            await response.aclose()
        return response, excerpt
    assert last_error is not None  # check_webhook_url never returns an empty address list
    raise last_error


def _pinned_request(
    http: httpx.AsyncClient,
    target: ResolvedTarget,
    address: str,
    headers: dict[str, str],
    body: bytes,
    timeout_seconds: float,
) -> httpx.Request:
    """Build the POST to `address` with the original ``Host`` and, for https, SNI name."""
    original = httpx.URL(target.url)
    extensions: dict[str, str] = {}
    all_headers = {**headers, "host": original.netloc.decode("ascii")}
    if original.scheme == "https" and not is_ip_host(target.host):
        extensions["sni_hostname"] = target.host
        # A pooled connection is keyed by IP, so it must not carry another host name's request.
        all_headers["connection"] = "close"
    request = http.build_request(
        "POST",
        original.copy_with(host=address),
        content=body,
        headers=all_headers,
        timeout=httpx.Timeout(timeout_seconds),
        extensions=extensions,
    )
    request.headers.pop("cookie", None)
    return request


async def _read_excerpt(response: httpx.Response) -> str:
    """Read at most `EXCERPT_BYTES` of the (decoded) body; an unreadable body gives ""."""
    data = bytearray()
    try:
        async for chunk in response.aiter_bytes():
            data += chunk
            if len(data) >= EXCERPT_BYTES:
                break
    except httpx.HTTPError:
        pass
    return bytes(data[:EXCERPT_BYTES]).decode("utf-8", errors="replace")


def _classify(response: httpx.Response, excerpt: str, latency_ms: float) -> AttemptResult:
    """2xx ok; 408, 429 and 5xx retryable; anything else (3xx included) permanent: Standard
    Webhooks and Svix."""
    outcome = classify(response, ok_below=300, retry=RETRY_STATUSES)
    status = response.status_code
    error = None if outcome.ok else f"HTTP {status}"
    if 300 <= status < 400:
        error = f"HTTP {status}: redirects are not followed"
    return AttemptResult(outcome, status, latency_ms, excerpt, error)
