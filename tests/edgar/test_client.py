"""SecClient against a real local HTTP server: headers, retries, backoff, errors, rate limit."""

from __future__ import annotations

import asyncio
import gzip
import socket
import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from sniper.clock import ManualClock
from sniper.edgar.client import (
    EdgarError,
    EdgarHTTPError,
    EdgarUnavailable,
    RateLimited,
    SecClient,
    build_sec_client,
)
from tests.edgar._recorded import USER_AGENT
from tests.support.http_server import LocalServer, Reply, Request
from tests.support.paths import SHARED_EDGAR

ACCESS_DENIED = (
    SHARED_EDGAR / "errors" / "archives_nonexistent_full-index_2099_QTR1_form.gz.403.0.xml"
).read_bytes()
RATE_PAGE = (SHARED_EDGAR / "errors" / "sec_rate_threshold_exceeded.html").read_bytes()
Site = Callable[..., LocalServer]


class SleepRecorder:
    """Injected `sleep`: records requested delays, never waits."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def scripted(*replies: Reply) -> Callable[[Request], Reply]:
    """A handler answering with `replies` in turn, then repeating the last one."""
    queue = list(replies)

    def handler(_: Request) -> Reply:
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return handler


@pytest.fixture(scope="module")
def shared_server() -> Iterator[LocalServer]:
    with LocalServer(scripted(Reply(404))) as server:
        yield server


@pytest.fixture
def site(shared_server: LocalServer) -> Site:
    """The module's server, reset: `site(*replies)` scripts its answers and returns it."""
    shared_server.requests.clear()

    def script(*replies: Reply) -> LocalServer:
        shared_server.handler = scripted(*replies)
        return shared_server

    return script


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=5.0) as client:
        yield client


def make_client(
    http: httpx.AsyncClient,
    sleep: SleepRecorder,
    *,
    max_attempts: int = 4,
    backoff_cap: float = 30.0,
) -> SecClient:
    return SecClient(
        http,
        user_agent=USER_AGENT,
        max_rps=1000,
        max_attempts=max_attempts,
        backoff_cap=backoff_cap,
        sleep=sleep,
    )


async def test_declared_user_agent_and_gzip_are_sent(http: httpx.AsyncClient, site: Site) -> None:
    server = site(Reply(200, b"ok"))
    response = await make_client(http, SleepRecorder()).get(f"{server.url}/x", q="1")
    assert response.text == "ok"
    request = server.requests[0]
    assert request.headers["user-agent"] == USER_AGENT
    assert request.headers["accept-encoding"] == "gzip, deflate"
    assert request.path == "/x?q=1"


async def test_gzip_body_is_decoded(http: httpx.AsyncClient, site: Site) -> None:
    body = b"<feed/>" * 100
    server = site(Reply(200, gzip.compress(body), {"Content-Encoding": "gzip"}))
    response = await make_client(http, SleepRecorder()).get(server.url)
    assert response.content == body


async def test_retries_503_then_succeeds(http: httpx.AsyncClient, site: Site) -> None:
    sleep = SleepRecorder()
    client = make_client(http, sleep)
    server = site(Reply(503, b"busy"), Reply(200, b"ok"))
    response = await client.get(server.url)
    assert response.status_code == 200
    assert len(server.requests) == 2
    assert len(sleep.delays) == 1
    assert 0.25 <= sleep.delays[0] <= 0.5  # first backoff: [base/2, base]
    assert client.retries == 1


async def test_retry_after_seconds_is_honoured(http: httpx.AsyncClient, site: Site) -> None:
    sleep = SleepRecorder()
    server = site(Reply(429, b"", {"Retry-After": "7"}), Reply(200, b"ok"))
    await make_client(http, sleep).get(server.url)
    assert sleep.delays == [7.0]


async def test_retry_after_is_capped_by_backoff_cap(http: httpx.AsyncClient, site: Site) -> None:
    sleep = SleepRecorder()
    server = site(Reply(429, b"", {"Retry-After": "120"}), Reply(200, b"ok"))
    await make_client(http, sleep, backoff_cap=30.0).get(server.url)
    assert sleep.delays == [30.0]


async def test_a_plain_403_is_retried_then_unavailable(http: httpx.AsyncClient, site: Site) -> None:
    sleep = SleepRecorder()
    server = site(Reply(403, ACCESS_DENIED, {"Content-Type": "application/xml"}))
    with pytest.raises(EdgarUnavailable) as caught:
        await make_client(http, sleep).get(f"{server.url}/feed")
    assert caught.value.status == 403
    assert caught.value.url == f"{server.url}/feed"
    assert isinstance(caught.value, EdgarError)
    assert len(server.requests) == 4  # max_attempts
    # capped exponential backoff with jitter: each delay in [c/2, c], c = 0.5, 1, 2
    for delay, ceiling in zip(sleep.delays, [0.5, 1.0, 2.0], strict=True):
        assert ceiling / 2 <= delay <= ceiling


async def test_the_rate_threshold_page_blocks_every_request_for_ten_minutes(
    http: httpx.AsyncClient, site: Site
) -> None:
    clock = ManualClock(datetime(2025, 12, 12, 21, 0, tzinfo=UTC))
    server = site(Reply(403, RATE_PAGE, {"Content-Type": "text/html"}), Reply(200, b"ok"))
    client = SecClient(http, user_agent=USER_AGENT, clock=clock, sleep=SleepRecorder())
    with pytest.raises(RateLimited) as caught:
        await client.get(f"{server.url}/feed", source="atom")
    assert caught.value.until == clock.now() + timedelta(minutes=10)
    clock.advance(timedelta(minutes=9, seconds=59))
    with pytest.raises(RateLimited):  # nothing is sent while the block lasts, probes neither
        await client.probe(f"{server.url}/Archives/x", source="archives")
    assert len(server.requests) == 1
    clock.advance(1)
    assert (await client.get(f"{server.url}/feed")).text == "ok"
    assert len(server.requests) == 2
    assert client.threshold_hits == 1


async def test_backoff_never_exceeds_the_cap(http: httpx.AsyncClient, site: Site) -> None:
    sleep = SleepRecorder()
    server = site(Reply(500))
    with pytest.raises(EdgarUnavailable):
        await make_client(http, sleep, max_attempts=8, backoff_cap=3.0).get(server.url)
    assert len(sleep.delays) == 7
    assert max(sleep.delays) <= 3.0
    assert sleep.delays[-1] >= 1.5


async def test_404_raises_http_error_without_retrying(http: httpx.AsyncClient, site: Site) -> None:
    sleep = SleepRecorder()
    server = site(Reply(404, b"no such file"))
    with pytest.raises(EdgarHTTPError) as caught:
        await make_client(http, sleep).get(f"{server.url}/missing")
    assert caught.value.status == 404
    assert caught.value.url.endswith("/missing")
    assert len(server.requests) == 1
    assert sleep.delays == []


async def test_network_error_is_retried_then_unavailable(http: httpx.AsyncClient) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sleep = SleepRecorder()
    with pytest.raises(EdgarUnavailable) as caught:
        await make_client(http, sleep, max_attempts=3).get(f"http://127.0.0.1:{port}/")
    assert caught.value.status is None
    assert len(sleep.delays) == 2


async def test_timeout_is_retried(site: Site) -> None:
    calls: list[int] = []

    def slow_then_fast(_: Request) -> Reply:
        calls.append(1)
        if len(calls) == 1:
            time.sleep(0.6)
        return Reply(200, b"ok")

    server = site(Reply(200))
    server.handler = slow_then_fast
    sleep = SleepRecorder()
    async with httpx.AsyncClient(timeout=0.2) as http:
        response = await make_client(http, sleep).get(server.url)
    assert response.text == "ok"
    assert len(calls) == 2
    assert len(sleep.delays) == 1


async def test_rate_limit_spaces_requests_across_concurrent_callers(
    http: httpx.AsyncClient, site: Site
) -> None:
    server = site(Reply(200, b"ok"))
    client = SecClient(http, user_agent=USER_AGENT, max_rps=5)
    await asyncio.gather(*(client.get(f"{server.url}/{i}") for i in range(10)))
    arrivals = sorted(request.received_at for request in server.requests)
    assert len(arrivals) == 10
    assert arrivals[-1] - arrivals[0] >= 1.0


@pytest.mark.parametrize("agent", ["", "python-httpx/0.28", "Sniper"])
async def test_undeclared_user_agent_is_rejected(http: httpx.AsyncClient, agent: str) -> None:
    with pytest.raises(ValueError, match="User-Agent"):
        SecClient(http, user_agent=agent)


async def test_build_sec_client_creates_and_closes_its_http_client(site: Site) -> None:
    server = site(Reply(200, b"ok"))
    client = build_sec_client(user_agent=USER_AGENT, max_rps=10, timeout_seconds=5)
    response = await client.get(server.url)
    await client.aclose()
    assert response.text == "ok"
    assert server.requests[0].headers["user-agent"] == USER_AGENT
    with pytest.raises(RuntimeError):
        await client.get(server.url)


def test_build_sec_client_rejects_bad_settings_before_opening() -> None:
    with pytest.raises(ValueError, match="User-Agent"):
        build_sec_client(user_agent="", max_rps=10, timeout_seconds=5)
    with pytest.raises(ValueError, match="max_rps"):
        build_sec_client(user_agent=USER_AGENT, max_rps=0, timeout_seconds=5)
