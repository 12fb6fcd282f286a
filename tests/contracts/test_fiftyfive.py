"""Contract test of the 55-tech surface: replays the request examples of docs.55-tech.com
(copied verbatim into `fiftyfive/*.json`, the page URL beside each) against the real app and
checks the documented status codes, fields, types and frames.

REST examples run in process; WebSocket examples against the app under uvicorn. The pages'
key placeholders (`<api-key>`, `YOUR_API_KEY`, `your-uuid-api-key`, ...) are replaced by a
fresh key of a new account unless an example keeps them; hosts are dropped, paths kept.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import websockets
from websockets.asyncio.client import ClientConnection

from sniper.config import Settings
from tests.conftest import Harness
from tests.notify.ws_support import frames_until_closed, live
from tests.trading.support import admin

DATA = Path(__file__).parent / "fiftyfive"
REST = json.loads((DATA / "rest.json").read_text())
WS = json.loads((DATA / "websocket.json").read_text())
TYPES: dict[str, type | tuple[type, ...]] = {
    "string": str,
    "boolean": bool,
    "object": dict,
    "array": list,
}


def _fill(value: Any, placeholders: list[str], key: str) -> Any:
    """`value` (JSON) with every placeholder string replaced by `key`."""
    text = json.dumps(value)
    for placeholder in placeholders:
        text = text.replace(placeholder, key)
    return json.loads(text)


def _has_type(value: object, kind: str) -> bool:
    """Whether `value` is of the documented `kind` (`string|null`, `date-time`, ...)."""
    kinds = kind.split("|")
    if value is None:
        return "null" in kinds
    for one in kinds:
        if one == "integer" and isinstance(value, int) and not isinstance(value, bool):
            return True
        if one == "date-time" and isinstance(value, str):
            return datetime.fromisoformat(value).tzinfo is not None
        if one in TYPES and isinstance(value, TYPES[one]):
            return True
    return False


def _check_body(body: dict[str, Any], expect: dict[str, Any]) -> None:
    for field, kind in expect.get("fields", {}).items():
        assert field in body, f"missing {field}: {body}"
        assert _has_type(body[field], kind), (field, kind, body[field])
    for field, allowed in expect.get("enums", {}).items():
        assert body[field] in allowed, (field, body[field])
    for field, value in expect.get("values", {}).items():
        assert body[field] == value, (field, body[field])
    for field in expect.get("absent", []):
        assert field not in body, field


def _check_frame(frame: dict[str, Any], pattern: dict[str, Any]) -> None:
    """A string in `pattern` names a type (see `TYPES`, `integer`), anything else matches."""
    assert set(frame) >= set(pattern), (frame, pattern)
    for field, want in pattern.items():
        if isinstance(want, str) and (want in TYPES or want == "integer"):
            assert _has_type(frame[field], want), (field, want, frame[field])
        else:
            assert frame[field] == want, (field, frame[field], want)


@pytest.mark.parametrize("example", REST["examples"], ids=lambda e: e["name"])
async def test_rest_example(harness: Harness, example: dict[str, Any]) -> None:
    key = await harness.account("contract-client")
    request = _fill(example["request"], REST["placeholders"], key)
    path = urlsplit(request["url"]).path
    response = await harness.client.request(request["method"], path, headers=request["headers"])
    expect = example["expect"]
    assert response.status_code == expect["status"], (example["page"], response.text)
    _check_body(response.json(), expect)


async def _frames(ws: ClientConnection, count: int, close_expected: bool) -> list[Any]:
    if close_expected:
        return await frames_until_closed(ws)
    return [json.loads(await ws.recv()) for _ in range(count)]


@pytest.mark.parametrize("example", WS["examples"], ids=lambda e: e["name"])
async def test_websocket_example(settings: Settings, example: dict[str, Any]) -> None:
    async with live(settings) as server:
        key = await server.h.account("contract-client")
        root = await server.h.account("contract-admin", admin=True)
        request, expect = example["request"], example["expect"]
        if not request.get("keep_placeholders"):
            request = _fill(request, WS["placeholders"], key)
        opened = [await server.subscribe(key) for _ in range(request.get("open_before", 0))]
        async with websockets.connect(f"{server.ws_base}/ws/subscribe") as ws:
            for frame in request["frames"]:
                await ws.send(json.dumps(frame))
            if request.get("then"):  # the one trigger the examples use: emergency mode
                assert json.loads(await ws.recv())["type"] == "subscribed"
                await admin(server.h, root, "emergency", "contract drill")
                expect = {**expect, "frames": expect["frames"][1:]}
            frames = await _frames(ws, len(expect["frames"]), "close_code" in expect)
            assert len(frames) == len(expect["frames"]), (example["page"], frames)
            for frame, pattern in zip(frames, expect["frames"], strict=True):
                _check_frame(frame, pattern)
            if "close_code" in expect:
                assert ws.close_code == expect["close_code"], example["page"]
        for extra in opened:
            await extra.close()
