"""Issue 13: Finradar's Socket.IO streams. A python-socketio client connects to `/sec` (and
`/13f`) on `/socket.io` of the real app under uvicorn with `auth: {api_key}`, receives its
account's hits as `new_filing` and its target lifecycle events, never another account's; a
bad key, the connection cap and a revoked key are refused like on `/ws/main-api`."""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import redis
import socketio

from sniper.accounts.keys import display_prefix
from sniper.accounts.service import require_account, revoke_api_key
from sniper.app import ServeOptions, create_app
from sniper.clock import ManualClock
from sniper.config import Settings
from sniper.db.session import transaction
from tests.conftest import Harness
from tests.notify.sio_support import StreamClient, hit_13f_frame, stream
from tests.notify.ws_support import live, wait_for
from tests.support.live_server import serve
from tests.support.paths import ATOM_DIR

XOM_FORM_4 = "0000034088-25-000124"  # accepted 2025-12-12 15:05:12Z, XOM as issuer
JLL_FORM_4_AT = datetime(2025, 12, 12, 15, 44, tzinfo=UTC)  # after JLL's Form 4 (15:43:11Z)
AFTER_XOM = datetime(2025, 12, 12, 15, 6, tzinfo=UTC)
REDIS_URL = "redis://127.0.0.1:6379/0"


@contextlib.asynccontextmanager
async def _replaying(settings: Settings) -> AsyncIterator[tuple[Harness, str]]:
    """The app replaying the recorded day under uvicorn: (harness, base URL)."""
    clock = ManualClock(datetime(2025, 12, 12, 14, 0, tzinfo=UTC))
    options = ServeOptions(mode="replay", replay_dir=ATOM_DIR, clock=clock, run_workers=False)
    app = create_app(settings, options)
    async with serve(app) as base, httpx.AsyncClient(base_url=base) as client:
        yield Harness(app, app.state.runtime, app.state.watcher, client, clock), base


async def _target(h: Harness, key: str, ticker: str) -> str:
    created = await h.client.post(
        "/api/v1/sniper/targets",
        headers={"X-API-Key": key},
        json={"ticker": ticker, "duration_minutes": 180},
    )
    assert created.status_code == 200, created.text
    return str(created.json()["target_id"])


async def test_sec_client_gets_its_hit_as_new_filing_and_never_another_accounts(
    settings: Settings,
) -> None:
    async with _replaying(settings) as (h, base):
        alice_key, bob_key = await h.account("alice"), await h.account("bob")
        async with (
            stream(base, auth={"api_key": alice_key}) as alice,
            stream(base, auth={"api_key": bob_key}) as bob,
        ):
            xom = await _target(h, alice_key, "XOM")
            activated = await alice.next("sniper.target_activated")
            assert (activated["target_id"], activated["status"]) == (xom, "ACTIVE")
            h.clock.set(AFTER_XOM)
            assert await h.watcher.tick() == 1
            hit = await alice.next("new_filing")
            jll = await _target(h, bob_key, "JLL")
            h.clock.set(JLL_FORM_4_AT)
            assert await h.watcher.tick() == 1
            # Bob's first event is his own: Alice's activation and hit came before it.
            assert (await bob.first_of("sniper.target_activated", "new_filing"))[1][
                "target_id"
            ] == jll
            assert (await bob.next("new_filing"))["target_id"] == jll
    assert hit["event"] == "new_filing"
    assert hit["accession_number"] == XOM_FORM_4
    assert (hit["ticker"], hit["form_type"], hit["target_id"]) == ("XOM", "4", xom)
    assert hit["cik"] == "0000034088"
    assert (hit["filed_date"], hit["accepted_at"]) == ("2025-12-12", "2025-12-12T15:05:12Z")
    assert hit["filing_url"].startswith("https://www.sec.gov/Archives/edgar/data/34088/")


@pytest.mark.parametrize(
    "how",
    ["header", "bearer", "query", "query_camel", "auth_token", "auth_camel"],
)
async def test_every_documented_way_to_pass_the_key_connects(settings: Settings, how: str) -> None:
    async with live(settings) as server:
        key = await server.h.account("alice")
        base = server.h.client.base_url.join("/")
        url = str(base).rstrip("/")
        options = {
            "header": {"headers": {"X-API-Key": key}},
            "bearer": {"headers": {"Authorization": f"Bearer {key}"}},
            "query": {"url": f"{url}?api_key={key}"},
            "query_camel": {"url": f"{url}?apiKey={key}"},
            "auth_token": {"auth": {"token": key}},
            "auth_camel": {"auth": {"apiKey": key}},
        }[how]
        async with stream(str(options.pop("url", url)), **options) as client:
            assert client.sio.connected
            assert server.h.runtime.hub.connections.open_count() == 1
        await wait_for(lambda: server.h.runtime.hub.connections.open_count() == 0)


@pytest.mark.parametrize("api_key", ["snp_wrong", "\x00", "\ud800", 42, None])
@pytest.mark.parametrize("namespace", ["/sec", "/13f"])
async def test_a_bad_key_is_refused_with_connect_error(
    settings: Settings, api_key: object, namespace: str
) -> None:
    async with live(settings) as server:
        client = StreamClient(namespace)
        with pytest.raises(socketio.exceptions.ConnectionError):
            await client.connect(str(server.h.client.base_url), auth={"api_key": api_key})
        assert client.refusal == {"message": "invalid or missing API key", "data": {"code": 4401}}
        assert server.h.runtime.hub.connections.open_count() == 0


async def test_connections_over_the_cap_are_refused(settings: Settings) -> None:
    async with live(settings, ws_max_connections_per_account=1) as server:
        key = await server.h.account("alice")
        base = str(server.h.client.base_url)
        async with stream(base, auth={"api_key": key}) as first:
            client = StreamClient("/13f")
            with pytest.raises(socketio.exceptions.ConnectionError):
                await client.connect(base, auth={"api_key": key})
            message = "too many connections: 1 open for this account"
            assert client.refusal == {"message": message, "data": {"code": 4429}}
            await first.sio.disconnect()
        await wait_for(lambda: server.h.runtime.hub.connections.open_count() == 0)
        async with stream(base, "/13f", auth={"api_key": key}) as again:
            assert again.sio.connected  # the slot came back on disconnect


async def test_a_revoked_key_is_disconnected(settings: Settings) -> None:
    async with live(settings, ws_auth_recheck=timedelta(seconds=0.05)) as server:
        key = await server.h.account("alice")
        client = StreamClient()
        await client.connect(str(server.h.client.base_url), auth={"api_key": key})
        async with transaction(server.h.runtime.sessions) as session:
            await revoke_api_key(session, display_prefix(key), now=server.h.clock.now())
        assert await client.next("error") == {"message": "API key revoked", "code": 4401}
        await client.disconnected.wait()
        await wait_for(lambda: server.h.runtime.hub.connections.open_count() == 0)
        await client.sio.disconnect()


async def test_13f_gets_13f_hits_only(settings: Settings) -> None:
    async with _replaying(settings) as (h, base):
        key = await h.account("alice")
        async with stream(base, "/13f", auth={"api_key": key}) as client:
            xom = await _target(h, key, "XOM")
            h.clock.set(AFTER_XOM)
            assert await h.watcher.tick() == 1  # a Form 4: not for /13f
            async with transaction(h.runtime.sessions, read_only=True) as session:
                alice = (await require_account(session, "alice")).id
            assert h.runtime.publisher is not None
            h.runtime.publisher.publish("main", alice, hit_13f_frame(xom))
            event, body = await client.first_of("new_13f_filing", "new_filing")
    assert event == "new_13f_filing"
    assert (body["form_type"], body["accession_no"]) == ("13F-HR", "0001067983-25-000001")
    assert body["filer_name"] == "BERKSHIRE HATHAWAY INC"
    assert body["accession_number"] == body["accession_no"]


async def test_13f_sends_its_documented_heartbeat(settings: Settings) -> None:
    async with live(settings) as server:
        key = await server.h.account("alice")
        base = str(server.h.client.base_url)
        async with stream(base, "/13f", auth={"api_key": key}) as client:
            beat = await client.next("13f_heartbeat")  # every 0.2 s in the test settings
    assert beat["event"] == "13f_heartbeat"
    assert beat["timestamp"].endswith("Z")


async def test_a_hit_committed_in_one_process_reaches_sec_clients_of_another(
    settings: Settings,
) -> None:
    """Two apps on one database and one Redis (`SNIPER_REDIS_URL`): the hit A's watcher
    commits reaches a `/sec` client connected to B through the one `Publisher`."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    shared = settings.model_copy(
        update={"redis_url": REDIS_URL, "redis_key_prefix": f"sio-{os.getpid()}"}
    )
    async with _replaying(shared) as (a, _), live(shared) as b:
        key = await a.account("alice")
        base_b = str(b.h.client.base_url)
        async with stream(base_b, auth={"api_key": key}) as on_b:
            xom = await _target(a, key, "XOM")
            a.clock.set(AFTER_XOM)
            assert await a.watcher.tick() == 1
            hit = await on_b.next("new_filing")
    assert (hit["target_id"], hit["accession_number"]) == (xom, XOM_FORM_4)


async def test_polling_clients_connect_and_plain_http_is_a_4xx(settings: Settings) -> None:
    """The JavaScript client's default start (HTTP long-polling, then the upgrade to
    WebSocket) works too; a plain HTTP request to the Socket.IO path is a 400, never a 500."""
    async with live(settings) as server:
        key = await server.h.account("alice")
        base = str(server.h.client.base_url)
        client = StreamClient("/13f")
        await client.sio.connect(
            base, namespaces=["/13f"], transports=["polling", "websocket"], auth={"api_key": key}
        )
        try:
            assert (await client.next("13f_heartbeat"))["event"] == "13f_heartbeat"
        finally:
            await client.sio.disconnect()
        plain = await server.h.client.get("/socket.io/")
    assert plain.status_code == 400
