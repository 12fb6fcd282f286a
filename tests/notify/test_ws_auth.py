"""Issue 10 item 6: a key that is not a well-formed string (U+0000, a lone surrogate, which
Python's json accepts, or not a string at all) is an invalid key on both WebSocket endpoints:
an error frame and close 4401, never a crash; a bad channel is 4400; frames carrying
surrogates, binary frames and JSON nested past the parser's limit are answered or refused,
never echoed, never a crash."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import websockets

from sniper.accounts.service import authenticate
from sniper.config import Settings
from sniper.db.session import transaction
from tests.conftest import Harness
from tests.notify.ws_support import Live, live, refusal

MALFORMED_KEYS: list[object] = ["\ud800", "snp_\udfff", "\x00", "snp_\x00", 42, ["snp_"], None]


@pytest.fixture
async def server(settings: Settings) -> AsyncIterator[Live]:
    async with live(settings) as served:
        yield served


async def test_authenticate_treats_malformed_keys_as_unknown(harness: Harness) -> None:
    key = await harness.account()
    secret = harness.runtime.settings.secret_key
    async with transaction(harness.runtime.sessions, read_only=True) as session:
        for value in [*MALFORMED_KEYS, "", "x" * 100_000]:
            assert await authenticate(session, value, secret_key=secret) is None, value
        assert await authenticate(session, key, secret_key=secret) is not None


@pytest.mark.parametrize("api_key", MALFORMED_KEYS)
async def test_main_api_auth_frame_with_a_malformed_key_is_4401(
    server: Live, api_key: object
) -> None:
    async with websockets.connect(f"{server.ws_base}/ws/main-api") as ws:
        await ws.send(json.dumps({"type": "auth", "api_key": api_key}))
        frame, code, _ = await refusal(ws)
    assert (frame, code) == ({"type": "error", "message": "invalid or missing API key"}, 4401)


@pytest.mark.parametrize("query", ["%00", "snp_%00", "%ED%A0%80", "%ud800", "snp_%FF"])
async def test_main_api_query_key_with_nul_or_a_surrogate_is_4401(server: Live, query: str) -> None:
    async with websockets.connect(f"{server.ws_base}/ws/main-api?apiKey={query}") as ws:
        frame, code, _ = await refusal(ws)
    assert (frame["type"], code) == ("error", 4401)


def _subscribe_refusal(api_key: object) -> str:
    """The documented message (docs.55-tech.com/mm-api/errors, "WebSocket errors")."""
    if api_key is None:
        return "apiKey required"
    return "Invalid API key" if isinstance(api_key, str) else "Invalid apiKey format"


@pytest.mark.parametrize("api_key", MALFORMED_KEYS)
@pytest.mark.parametrize("field", ["apiKey", "api_key"])
async def test_subscribe_with_a_malformed_key_is_4401(
    server: Live, api_key: object, field: str
) -> None:
    async with websockets.connect(f"{server.ws_base}/ws/subscribe") as ws:
        await ws.send(json.dumps({"type": "subscribe", field: api_key}))
        frame, code, _ = await refusal(ws)
    message = _subscribe_refusal(api_key)
    assert (frame, code) == ({"type": "error", "message": message}, 4401)


UNKNOWN = "unknown channels: the channels are orders, bets, accounts, scores, emergency, trading"
NOT_STRINGS = "channels must be a list of strings"


@pytest.mark.parametrize(
    ("channels", "message"),
    [
        (["\ud800"], UNKNOWN),
        (["emergency", "tr\udc00ding"], UNKNOWN),
        (["\x00"], UNKNOWN),
        ([1], NOT_STRINGS),
        ("emergency", NOT_STRINGS),
    ],
)
async def test_subscribe_with_a_bad_channel_is_4400(
    server: Live, channels: Any, message: str
) -> None:
    key = await server.h.account()
    async with websockets.connect(f"{server.ws_base}/ws/subscribe") as ws:
        await ws.send(json.dumps({"type": "subscribe", "apiKey": key, "channels": channels}))
        frame, code, reason = await refusal(ws)
    assert (frame, code, reason) == ({"type": "error", "message": message}, 4400, message)


DEEP = "[" * 100_000  # the json parser's recursion limit, not a ValueError


async def test_main_api_answers_odd_frames_without_echoing(server: Live) -> None:
    ws = await server.main_api(await server.h.account())
    async with ws:
        for odd in [json.dumps({"type": "\ud800"}), b"\x00binary", DEEP, "[1]"]:
            await ws.send(odd)  # not a ping: ignored
        await ws.send(json.dumps({"type": "ping", "nonce": "\ud800\x00"}))
        while (frame := json.loads(await ws.recv()))["type"] == "heartbeat":
            pass
        assert frame == {"type": "pong"}


@pytest.mark.parametrize("first", [b"\x00binary", DEEP, "[1]", "{"])
async def test_main_api_first_frame_that_is_no_json_object_is_4401(
    server: Live, first: str | bytes
) -> None:
    async with websockets.connect(f"{server.ws_base}/ws/main-api") as ws:
        await ws.send(first)
        frame, code, _ = await refusal(ws)
    assert (frame, code) == ({"type": "error", "message": "invalid or missing API key"}, 4401)


@pytest.mark.parametrize(
    ("odd", "message"),
    [
        (json.dumps({"type": "subscribe\ud800"}), "expected a subscribe frame"),
        (b"\x00binary", "frames must be JSON objects"),
        (DEEP, "frames must be JSON objects"),
        ("[1]", "frames must be JSON objects"),
    ],
)
async def test_subscribe_refuses_odd_frames_without_echoing(
    server: Live, odd: str | bytes, message: str
) -> None:
    async with websockets.connect(f"{server.ws_base}/ws/subscribe") as ws:
        await ws.send(json.dumps({"type": "ping", "nonce": "\udfff"}))
        assert json.loads(await ws.recv()) == {"type": "pong"}
        await ws.send(odd)
        frame, code, _ = await refusal(ws)
    assert (frame, code) == ({"type": "error", "message": message}, 4400)
