"""Issue 3 item 3, the SSRF forms not covered by test_ssrf.py / test_sender.py: through the API
(create target, account default) and through the sender against live receivers on 127.0.0.1,
with a stub resolver. Nothing here sends a packet anywhere but loopback: a recording transport
proves which connections were attempted (RELIABILITY.md "Things that bite")."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from ipaddress import IPv4Network

import httpx
import pytest

from sniper.clock import ManualClock
from sniper.config import Settings
from sniper.notify.sender import AttemptResult, send_webhook
from sniper.notify.signing import new_webhook_secret
from tests.conftest import Harness, running
from tests.notify.stubs import StubResolver
from tests.support.http_server import LocalServer, Reply

NAMES = {
    "hooks.example.com": ["93.184.216.34"],
    "internal.test": ["10.0.0.1"],
    "metadata.test": ["169.254.169.254"],
    "receiver.test": ["127.0.0.1"],
}
LOOPBACK = [IPv4Network("127.0.0.1/32")]


class RecordingTransport(httpx.AsyncBaseTransport):
    """A real transport that records the URL of every request it is asked to send."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.sent: list[httpx.URL] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request.url)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.fixture
async def recorded() -> AsyncIterator[tuple[httpx.AsyncClient, RecordingTransport]]:
    transport = RecordingTransport()
    async with httpx.AsyncClient(transport=transport, trust_env=False) as client:
        yield client, transport


@pytest.fixture
def receiver() -> Iterator[LocalServer]:
    with LocalServer(lambda _request: Reply(204)) as server:
        yield server


async def _send(
    http: httpx.AsyncClient, url: str, resolver: StubResolver, allow: list[IPv4Network]
) -> AttemptResult:
    return await send_webhook(
        http,
        url,
        secret=new_webhook_secret(),
        delivery_id="dlv_ssrf",
        body=b"{}",
        timestamp=datetime.now(UTC),
        allow_networks=allow,
        resolver=resolver,
        timeout_seconds=5,
    )


@pytest.fixture
async def strict(settings: Settings, clock: ManualClock) -> AsyncIterator[Harness]:
    """The app with SNIPER_WEBHOOK_ALLOW_NETWORKS empty (production default), stub DNS."""
    async with running(settings.model_copy(update={"webhook_allow_networks": []}), clock) as h:
        h.runtime.resolver = StubResolver(NAMES)
        yield h


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://127.0.0.1/hook", "loopback address 127.0.0.1"),
        ("https://[::1]/hook", "loopback address ::1"),
        ("https://10.0.0.1/hook", "private address 10.0.0.1"),
        ("https://169.254.169.254/latest/meta-data/", "cloud metadata address 169.254.169.254"),
        ("https://internal.test/hook", "private address 10.0.0.1"),
        ("https://metadata.test/", "cloud metadata address 169.254.169.254"),
        ("http://hooks.example.com/hook", "must use https"),
        ("http://127.0.0.1:8080/hook", "loopback address 127.0.0.1"),
    ],
)
async def test_api_refuses_unsafe_webhook_urls(strict: Harness, url: str, reason: str) -> None:
    key = await strict.account()
    headers = {"X-API-Key": key}
    created = await strict.client.post(
        "/api/v1/sniper/targets", json={"ticker": "AAPL", "webhook_url": url}, headers=headers
    )
    assert created.status_code == 400
    error = created.json()["error"]
    assert (error["code"], error["details"]["field"]) == ("INVALID_WEBHOOK_URL", "webhook_url")
    assert reason in error["message"]
    default = await strict.client.put("/api/v1/user/", json={"webhook_url": url}, headers=headers)
    assert default.status_code == 400
    assert default.json()["error"]["code"] == "INVALID_WEBHOOK_URL"
    listed = await strict.client.get("/api/v1/sniper/targets", headers=headers)
    assert listed.json()["meta"]["total"] == 0


async def test_api_accepts_a_public_https_url(strict: Harness) -> None:
    key = await strict.account()
    created = await strict.client.post(
        "/api/v1/sniper/targets",
        json={"ticker": "AAPL", "webhook_url": "https://hooks.example.com/hook"},
        headers={"X-API-Key": key},
    )
    assert created.status_code == 200, created.text


@pytest.mark.parametrize(
    "location",
    [
        "http://10.0.0.1/steal",
        "http://169.254.169.254/latest/meta-data/",
        "http://internal.test/steal",
        "https://[::1]/steal",
    ],
)
async def test_a_redirect_to_a_private_address_is_never_followed(
    recorded: tuple[httpx.AsyncClient, RecordingTransport], receiver: LocalServer, location: str
) -> None:
    http, transport = recorded
    receiver.handler = lambda _request: Reply(302, b"", {"Location": location})
    resolver = StubResolver(NAMES)
    url = f"http://receiver.test:{receiver.port}/hook"
    result = await _send(http, url, resolver, LOOPBACK)
    assert (result.outcome.ok, result.outcome.retryable, result.status_code) == (False, False, 302)
    assert result.error is not None
    assert "redirect" in result.error
    assert len(receiver.requests) == 1
    assert [str(u) for u in transport.sent] == [f"http://127.0.0.1:{receiver.port}/hook"]
    assert resolver.lookups == [("receiver.test", receiver.port)]


async def test_plain_http_is_refused_without_the_allow_list(
    recorded: tuple[httpx.AsyncClient, RecordingTransport], receiver: LocalServer
) -> None:
    http, transport = recorded
    resolver = StubResolver(NAMES)
    for url in [receiver.url + "/hook", f"http://receiver.test:{receiver.port}/hook"]:
        refused = await _send(http, url, resolver, [])
        assert (refused.outcome.ok, refused.outcome.retryable) == (False, False)
        assert refused.error == "webhook_url resolves to a loopback address 127.0.0.1"
    assert transport.sent == []
    assert receiver.requests == []
    allowed = await _send(http, receiver.url + "/hook", resolver, LOOPBACK)
    assert (allowed.outcome.ok, allowed.status_code) == (True, 204)
    assert len(receiver.requests) == 1


async def test_private_names_and_rebinding_are_refused_at_send_time(
    recorded: tuple[httpx.AsyncClient, RecordingTransport],
) -> None:
    http, transport = recorded
    for url in ["https://internal.test/hook", "https://metadata.test/"]:
        result = await _send(http, url, StubResolver(NAMES), LOOPBACK)
        assert (result.outcome.ok, result.outcome.retryable, result.status_code) == (
            False,
            False,
            None,
        )
    rebound = StubResolver({**NAMES, "hooks.example.com": ["10.0.0.1"]})
    result = await _send(http, "https://hooks.example.com/hook", rebound, LOOPBACK)
    assert result.error == "webhook_url resolves to a private address 10.0.0.1"
    assert transport.sent == []
