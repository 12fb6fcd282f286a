"""Contract test of Finradar's Socket.IO streams: every documented client example in
`finradar_stream/streams.json` (copied from the page named beside it) is replayed with a
python-socketio client against the app under uvicorn, the page's key placeholder swapped for
a real key; a documented event is then checked for its fields, types and values."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import socketio

from sniper.accounts.service import require_account
from sniper.app import ServeOptions, create_app
from sniper.clock import ManualClock
from sniper.config import Settings
from sniper.db.session import transaction
from tests.conftest import Harness
from tests.notify.sio_support import StreamClient, hit_13f_frame
from tests.support.live_server import serve
from tests.support.paths import ATOM_DIR

DATA = json.loads((Path(__file__).parent / "finradar_stream" / "streams.json").read_text())
AFTER_XOM = datetime(2025, 12, 12, 15, 6, tzinfo=UTC)  # XOM's Form 4 was accepted 15:05:12Z


def _swap(value: Any, key: str) -> Any:
    """`value` with the page's placeholder key replaced by `key`."""
    text = json.dumps(value)
    for placeholder in DATA["placeholders"]:
        text = text.replace(placeholder, key)
    return json.loads(text)


@contextlib.asynccontextmanager
async def _app(settings: Settings) -> AsyncIterator[tuple[Harness, str]]:
    clock = ManualClock(datetime(2025, 12, 12, 14, 0, tzinfo=UTC))
    options = ServeOptions(mode="replay", replay_dir=ATOM_DIR, clock=clock, run_workers=False)
    app = create_app(settings, options)
    async with serve(app) as base, httpx.AsyncClient(base_url=base) as client:
        yield Harness(app, app.state.runtime, app.state.watcher, client, clock), base


async def _connect(base: str, request: dict[str, Any]) -> StreamClient:
    client = StreamClient(request["namespace"])
    options: dict[str, Any] = {"socketio_path": request["path"]}
    if "auth" in request:
        options["auth"] = request["auth"]
    if "headers" in request:
        options["headers"] = request["headers"]
    await client.connect(base + request.get("query", ""), **options)
    return client


async def _fire(h: Harness, key: str, namespace: str) -> None:
    """Make the account's target fire: XOM's real Form 4 (and, for /13f, a 13F-HR hit)."""
    created = await h.client.post(
        "/api/v1/sniper/targets",
        headers={"X-API-Key": key},
        json={"ticker": "XOM", "duration_minutes": 180},
    )
    assert created.status_code == 200, created.text
    h.clock.set(AFTER_XOM)
    assert await h.watcher.tick() == 1
    if namespace == "/13f":
        async with transaction(h.runtime.sessions, read_only=True) as session:
            account_id = (await require_account(session, "alice")).id
        assert h.runtime.publisher is not None
        frame = hit_13f_frame(created.json()["target_id"])
        h.runtime.publisher.publish("main", account_id, frame)


def _check_type(name: str, value: Any, expected: str) -> None:
    kinds = expected.split("|")
    if value is None:
        assert "null" in kinds, name
        return
    assert isinstance(value, str), name
    if "date" in kinds:
        date.fromisoformat(value)
    if "date-time" in kinds:
        assert value.endswith("Z"), name
        datetime.fromisoformat(value)


def _check(body: dict[str, Any], expect: dict[str, Any]) -> None:
    for name, expected in expect["fields"].items():
        assert name in body, name
        _check_type(name, body[name], expected)
    for name, value in expect.get("values", {}).items():
        assert body[name] == value, name
    for name, pattern in expect.get("patterns", {}).items():
        assert re.fullmatch(pattern, body[name]), name


@pytest.mark.parametrize("example", DATA["examples"], ids=[e["name"] for e in DATA["examples"]])
async def test_documented_client_example(settings: Settings, example: dict[str, Any]) -> None:
    expect = example["expect"]
    async with _app(settings) as (h, base):
        key = await h.account("alice")
        request = _swap(example["request"], key)
        if not expect["connect"]:
            client = StreamClient(request["namespace"])
            with pytest.raises(socketio.exceptions.ConnectionError):
                await client.connect(base, auth=request["auth"], socketio_path=request["path"])
            assert client.refusal["message"] == expect["connect_error"]["message"]
            return
        client = await _connect(base, request)
        try:
            assert client.sio.connected
            if "event" in expect:
                await _fire(h, key, request["namespace"])
                _check(await client.next(expect["event"]), expect)
        finally:
            await client.sio.disconnect()
