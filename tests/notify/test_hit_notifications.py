"""A hit reaches a real local webhook receiver (signature verifies) and a WebSocket client."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import websockets
from pydantic import TypeAdapter
from standardwebhooks.webhooks import Webhook

from sniper.accounts.service import require_account
from sniper.api import PushFrame
from sniper.app import ServeOptions, create_app
from sniper.clock import ManualClock
from sniper.config import Settings
from sniper.db.session import transaction
from sniper.notify.events import FilingHit
from sniper.notify.tasks import DELIVER
from sniper.worker.jobs import JobRunner
from tests.conftest import Harness
from tests.support.http_server import LocalServer, Reply
from tests.support.live_server import serve
from tests.support.paths import ATOM_DIR

XOM_FORM_4 = "0000034088-25-000124"  # accepted 2025-12-12 15:05:12Z, XOM as issuer
AFTER_XOM = datetime(2025, 12, 12, 15, 6, tzinfo=UTC)


async def _secret(h: Harness, name: str) -> str:
    async with transaction(h.runtime.sessions) as session:
        return (await require_account(session, name)).webhook_secret


async def test_webhook_is_signed_and_received(harness: Harness) -> None:
    h = harness
    with LocalServer(lambda request: Reply(204)) as receiver:
        key = await h.account("alice", webhook_url=f"{receiver.url}/hook")
        created = await h.client.post(
            "/api/v1/sniper/targets",
            headers={"X-API-Key": key},
            json={"ticker": "XOM", "duration_minutes": 120},
        )
        target_id = created.json()["target_id"]
        h.clock.set(AFTER_XOM)
        assert await h.watcher.tick() == 1
        assert await JobRunner(h.runtime, DELIVER).run_due() == 1
        assert len(receiver.requests) == 1
        request = receiver.requests[0]
    body = Webhook(await _secret(h, "alice")).verify(request.body, request.headers)
    assert request.path == "/hook"
    assert body["event_type"] == "sniper.filing_hit"
    assert FilingHit.model_validate(body).model_dump(mode="json") == body
    assert body["delivery_id"] == request.headers["webhook-id"]
    assert body["target_id"] == target_id
    assert body["occurred_at"] == "2025-12-12T15:05:12Z"
    detected_at = datetime.fromisoformat(body["payload"].pop("detected_at"))
    # the first read after the clock's jump pages back through the feed at <= 10 requests/s
    assert AFTER_XOM <= detected_at < AFTER_XOM + timedelta(seconds=5)
    assert body["payload"] == {
        "ticker": "XOM",
        "issuer_cik": "0000034088",
        "company_name": "EXXON MOBIL CORP",
        "accession_number": XOM_FORM_4,
        "form_type": "4",
        "filed_at": "2025-12-12T15:05:12Z",
        "filing_url": "https://www.sec.gov/Archives/edgar/data/34088/000003408825000124/"
        "0000034088-25-000124.txt",
        "filing_index_url": "https://www.sec.gov/Archives/edgar/data/34088/"
        "000003408825000124/0000034088-25-000124-index.htm",
        "detection_source": "atom",
    }
    assert await JobRunner(h.runtime, DELIVER).run_due() == 0, "delivered once, not again"


async def test_failed_attempt_is_retried_with_the_same_webhook_id(harness: Harness) -> None:
    h = harness
    statuses = iter([503, 200])
    with LocalServer(lambda request: Reply(next(statuses))) as receiver:
        key = await h.account("alice", webhook_url=receiver.url)
        await h.client.post(
            "/api/v1/sniper/targets",
            headers={"X-API-Key": key},
            json={"ticker": "XOM", "duration_minutes": 120},
        )
        h.clock.set(AFTER_XOM)
        await h.watcher.tick()
        worker = JobRunner(h.runtime, DELIVER)
        assert await worker.run_due() == 1
        assert await worker.run_due() == 1  # retry delays are 0 s in the test settings
        assert await worker.run_due() == 0
    ids = [r.headers["webhook-id"] for r in receiver.requests]
    assert len(ids) == 2
    assert ids[0] == ids[1]
    secret = await _secret(h, "alice")
    for request in receiver.requests:
        Webhook(secret).verify(request.body, request.headers)


def _as_catalogued(frame: dict[str, Any]) -> Any:
    """`frame` read as its model of the event catalogue and written back."""
    return TypeAdapter(PushFrame).validate_python(frame).model_dump(mode="json")


async def _next_event(ws: Any, event: str) -> dict[str, Any]:
    while True:
        frame = json.loads(await ws.recv())
        if frame.get("type") == "event" and frame["event"] == event:
            return frame


async def test_websocket_client_receives_the_hit(settings: Settings) -> None:
    clock = ManualClock(datetime(2025, 12, 12, 14, 0, tzinfo=UTC))
    app = create_app(
        settings, ServeOptions(mode="replay", replay_dir=ATOM_DIR, clock=clock, run_workers=False)
    )
    async with serve(app) as base:
        runtime = app.state.runtime
        h = Harness(app, runtime, app.state.watcher, httpx.AsyncClient(base_url=base), clock)
        key = await h.account("alice")
        ws_url = base.replace("http", "ws") + "/ws/main-api"
        async with (
            websockets.connect(f"{ws_url}?apiKey={key}") as by_query,
            websockets.connect(ws_url) as by_frame,
        ):
            await by_frame.send(json.dumps({"type": "auth", "api_key": key}))
            for ws in (by_query, by_frame):
                assert json.loads(await ws.recv())["type"] == "authenticated"
            async with h.client:
                created = await h.client.post(
                    "/api/v1/sniper/targets",
                    headers={"X-API-Key": key},
                    json={"ticker": "XOM", "duration_minutes": 120},
                )
            activated = await _next_event(by_query, "sniper.target_activated")
            assert activated["data"]["target_id"] == created.json()["target_id"]
            assert _as_catalogued(activated) == activated
            clock.set(AFTER_XOM)
            await h.watcher.tick()
            for ws in (by_query, by_frame):
                hit = await _next_event(ws, "sniper.filing_hit")
                assert hit["data"]["payload"]["accession_number"] == XOM_FORM_4
                assert hit["data"]["target_id"] == created.json()["target_id"]
                assert _as_catalogued(hit) == hit
            await by_query.send(json.dumps({"type": "ping"}))
            kinds: set[str] = set()
            for _ in range(20):  # heartbeats come every 0.2 s in the test settings
                kinds.add(json.loads(await by_query.recv())["type"])
                if {"pong", "heartbeat"} <= kinds:
                    break
            assert {"pong", "heartbeat"} <= kinds


async def test_websocket_with_a_bad_key_is_closed(settings: Settings) -> None:
    clock = ManualClock(datetime(2025, 12, 12, 14, 0, tzinfo=UTC))
    app = create_app(settings, ServeOptions(mode="off", clock=clock, run_workers=False))
    async with serve(app) as base:
        ws_url = base.replace("http", "ws") + "/ws/main-api?apiKey=snp_wrong"
        async with websockets.connect(ws_url) as ws:
            assert json.loads(await ws.recv())["type"] == "error"
            await ws.wait_closed()
            assert ws.close_code == 4401
