"""The webhook sender against real HTTP receivers on 127.0.0.1 (tests/support/http_server.py)."""

from __future__ import annotations

import json
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from ipaddress import IPv4Network
from pathlib import Path

import httpx
import pytest
from standardwebhooks.webhooks import Webhook

from sniper.notify.sender import AttemptResult, send_webhook
from sniper.notify.signing import new_webhook_secret, verify
from sniper.notify.ssrf import Resolver
from tests.notify.stubs import StubResolver
from tests.support.http_server import LocalServer, Reply, Request

LOOPBACK = [IPv4Network("127.0.0.1/32")]
BODY = json.dumps({"event_type": "sniper.filing_hit", "delivery_id": "dlv_abc"}).encode()
SECRET = new_webhook_secret()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(trust_env=False) as client:
        yield client


async def _send(
    http: httpx.AsyncClient,
    url: str,
    *,
    timeout: float = 5.0,
    resolver: Resolver | None = None,
    when: datetime | None = None,
) -> AttemptResult:
    return await send_webhook(
        http,
        url,
        secret=SECRET,
        delivery_id="dlv_abc",
        body=BODY,
        timestamp=when or datetime.now(UTC),
        allow_networks=LOOPBACK,
        resolver=resolver,
        timeout_seconds=timeout,
    )


@pytest.fixture(scope="module")
def _servers() -> Iterator[tuple[LocalServer, LocalServer]]:
    with LocalServer(lambda _r: Reply()) as first, LocalServer(lambda _r: Reply()) as second:
        yield first, second


@pytest.fixture
def servers(_servers: tuple[LocalServer, LocalServer]) -> tuple[LocalServer, LocalServer]:
    """Two receivers on 127.0.0.1, shared by the module (a shutdown costs 0.5 s), reset here."""
    for server in _servers:
        server.handler = lambda _r: Reply()
        server.requests.clear()
    return _servers


@pytest.fixture
def server(servers: tuple[LocalServer, LocalServer]) -> LocalServer:
    return servers[0]


def _reply(
    server: LocalServer, status: int, body: bytes = b"", headers: dict[str, str] | None = None
) -> LocalServer:
    server.handler = lambda _request: Reply(status, body, dict(headers or {}))
    return server


async def test_200_is_ok_and_the_received_signature_verifies(
    http: httpx.AsyncClient, server: LocalServer
) -> None:
    _reply(server, 200, b"thanks")
    result = await _send(http, server.url + "/hooks/sniper?x=1")
    assert result.outcome.ok
    assert (result.status_code, result.error, result.outcome.retryable) == (200, None, False)
    assert result.response_excerpt == "thanks"
    assert result.latency_ms > 0
    [received] = server.requests
    assert (received.method, received.path, received.body) == ("POST", "/hooks/sniper?x=1", BODY)
    assert received.headers["webhook-id"] == "dlv_abc"
    assert received.headers["content-type"] == "application/json"
    assert "cookie" not in received.headers
    verify(SECRET, received.headers, received.body)
    assert Webhook(SECRET).verify(received.body, received.headers) == json.loads(BODY)


async def test_retries_share_the_webhook_id_with_a_fresh_timestamp(
    http: httpx.AsyncClient, server: LocalServer
) -> None:
    first = datetime.now(UTC) - timedelta(seconds=30)
    await _send(http, server.url, when=first)
    await _send(http, server.url, when=first + timedelta(seconds=30))
    ids = {r.headers["webhook-id"] for r in server.requests}
    stamps = [int(r.headers["webhook-timestamp"]) for r in server.requests]
    assert ids == {"dlv_abc"}
    assert stamps[1] - stamps[0] == 30
    for received in server.requests:
        verify(SECRET, received.headers, received.body)


@pytest.mark.parametrize("status", [500, 502, 503, 504, 408])
async def test_server_errors_and_408_are_retryable(
    http: httpx.AsyncClient, status: int, server: LocalServer
) -> None:
    result = await _send(http, _reply(server, status, b"oops").url)
    assert (result.outcome.ok, result.outcome.retryable, result.status_code) == (
        False,
        True,
        status,
    )
    assert result.error == f"HTTP {status}"
    assert result.response_excerpt == "oops"
    assert result.outcome.hint is None


async def test_429_with_retry_after_seconds(http: httpx.AsyncClient, server: LocalServer) -> None:
    result = await _send(http, _reply(server, 429, headers={"Retry-After": "7"}).url)
    assert (result.outcome.retryable, result.status_code, result.outcome.hint) == (True, 429, 7.0)


async def test_503_with_retry_after_http_date(http: httpx.AsyncClient, server: LocalServer) -> None:
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=120), usegmt=True)
    result = await _send(http, _reply(server, 503, headers={"Retry-After": later}).url)
    assert result.outcome.retryable
    assert result.outcome.hint is not None
    assert 115 <= result.outcome.hint <= 121


@pytest.mark.parametrize("status", [400, 401, 404, 410, 413, 422])
async def test_other_4xx_are_permanent(
    http: httpx.AsyncClient, status: int, server: LocalServer
) -> None:
    result = await _send(http, _reply(server, status, b"gone", {"Retry-After": "5"}).url)
    assert (result.outcome.ok, result.outcome.retryable, result.status_code) == (
        False,
        False,
        status,
    )
    assert result.outcome.hint is None
    assert len(server.requests) == 1


@pytest.mark.parametrize("status", [301, 302, 307, 308])
async def test_redirects_are_failures_and_never_followed(
    http: httpx.AsyncClient, status: int, servers: tuple[LocalServer, LocalServer]
) -> None:
    server, target = servers
    result = await _send(http, _reply(server, status, headers={"Location": target.url + "/x"}).url)
    assert (result.outcome.ok, result.outcome.retryable, result.status_code) == (
        False,
        False,
        status,
    )
    assert result.error is not None
    assert "redirect" in result.error
    assert len(server.requests) == 1
    assert target.requests == []


async def test_slow_receiver_times_out_and_is_retryable(
    http: httpx.AsyncClient, server: LocalServer
) -> None:
    release = threading.Event()

    def slow(_request: Request) -> Reply:
        release.wait(2.0)
        return Reply(200)

    server.handler = slow
    started = time.monotonic()
    result = await _send(http, server.url, timeout=0.5)
    elapsed = time.monotonic() - started
    release.set()
    assert (result.outcome.ok, result.outcome.retryable, result.status_code) == (False, True, None)
    assert result.error is not None
    assert result.error.startswith("timeout after 0.5 s")
    assert elapsed < 1.5


async def test_response_excerpt_is_truncated_at_2048_bytes(
    http: httpx.AsyncClient, server: LocalServer
) -> None:
    result = await _send(http, _reply(server, 500, b"e" * 5000 + b"TAIL").url)
    assert result.response_excerpt == "e" * 2048
    result = await _send(http, _reply(server, 200, "é".encode() * 3000).url)
    assert result.response_excerpt == "é" * 1024


async def test_connection_refused_is_retryable(http: httpx.AsyncClient) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = await _send(http, f"http://127.0.0.1:{port}/")
    assert (result.outcome.ok, result.outcome.retryable, result.status_code) == (False, True, None)
    assert result.error is not None
    assert result.error.startswith("ConnectError")


async def test_connects_to_the_vetted_address_with_the_original_host(
    http: httpx.AsyncClient, server: LocalServer
) -> None:
    _reply(server, 204)
    resolver = StubResolver({"receiver.test": ["127.0.0.1"]})
    result = await _send(http, f"http://receiver.test:{server.port}/in", resolver=resolver)
    assert result.outcome.ok
    assert resolver.lookups == [("receiver.test", server.port)]
    [received] = server.requests
    assert received.headers["host"] == f"receiver.test:{server.port}"


async def test_falls_back_to_the_next_vetted_address(
    http: httpx.AsyncClient, server: LocalServer
) -> None:
    resolver = StubResolver({"receiver.test": ["127.0.0.2", "127.0.0.1"]})
    result = await send_webhook(
        http,
        f"http://receiver.test:{server.port}/",
        secret=SECRET,
        delivery_id="dlv_abc",
        body=BODY,
        timestamp=datetime.now(UTC),
        allow_networks=[IPv4Network("127.0.0.0/8")],
        resolver=resolver,
    )
    assert result.outcome.ok
    assert len(server.requests) == 1
    assert len(resolver.lookups) == 1


async def test_unsafe_unresolvable_and_unsignable_send_nothing(
    http: httpx.AsyncClient, server: LocalServer
) -> None:
    unsafe = await send_webhook(
        http,
        server.url,
        secret=SECRET,
        delivery_id="d",
        body=BODY,
        timestamp=datetime.now(UTC),
        allow_networks=[],
    )
    unresolvable = await _send(http, "https://nx.test/", resolver=StubResolver())
    unsignable = await send_webhook(
        http,
        server.url,
        secret="whsec_***",
        delivery_id="d",
        body=BODY,
        timestamp=datetime.now(UTC),
        allow_networks=LOOPBACK,
    )
    assert (unsafe.outcome.ok, unsafe.outcome.retryable, unsafe.error) == (
        False,
        False,
        "webhook_url resolves to a loopback address 127.0.0.1",
    )
    assert (unresolvable.outcome.retryable, unresolvable.error) == (
        True,
        "webhook_url host nx.test does not resolve",
    )
    assert unsignable.outcome.retryable is False
    assert unsignable.error is not None
    assert unsignable.error.startswith("cannot sign webhook")
    assert server.requests == []


# --- https: the pinned address still verifies the certificate for the URL's host name ---------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=receiver.test",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-addext",
            "subjectAltName=DNS:receiver.test",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def _tls_server(certificate: tuple[Path, Path]) -> LocalServer:
    server = LocalServer(lambda _request: Reply(200, b"secure"))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    inner = server._server
    inner.socket = context.wrap_socket(inner.socket, server_side=True)
    return server


async def test_https_to_the_vetted_address_uses_sni_and_checks_the_name(
    certificate: tuple[Path, Path],
) -> None:
    trust = ssl.create_default_context(cafile=str(certificate[0]))
    async with httpx.AsyncClient(verify=trust, trust_env=False) as client:
        with _tls_server(certificate) as server:
            good = await _send(
                client,
                f"https://receiver.test:{server.port}/tls",
                resolver=StubResolver({"receiver.test": ["127.0.0.1"]}),
            )
            wrong = await _send(
                client,
                f"https://other.test:{server.port}/tls",
                resolver=StubResolver({"other.test": ["127.0.0.1"]}),
            )
    assert (good.outcome.ok, good.response_excerpt) == (True, "secure")
    assert (wrong.outcome.ok, wrong.outcome.retryable) == (False, True)
    [received] = server.requests
    assert received.headers["host"] == f"receiver.test:{server.port}"
    verify(SECRET, received.headers, received.body)
