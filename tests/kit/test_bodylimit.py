"""Request bodies over the limit get 413 in the sniper error shape (issue 3 item 7)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest

from sniper.clock import ManualClock
from sniper.config import Settings
from tests.conftest import Harness, running

TARGETS = "/api/v1/sniper/targets"
LIMIT = 2048


@pytest.fixture
async def small(settings: Settings, clock: ManualClock) -> AsyncIterator[Harness]:
    async with running(settings.model_copy(update={"max_body_bytes": LIMIT}), clock) as h:
        yield h


def _padded(size: int) -> bytes:
    """A valid create body of exactly `size` bytes (an ignored field carries the padding)."""
    empty = json.dumps({"ticker": "AAPL", "pad": ""}).encode()
    return json.dumps({"ticker": "AAPL", "pad": "x" * (size - len(empty))}).encode()


def _assert_413(response: httpx.Response) -> None:
    assert response.status_code == 413
    body = response.json()
    assert body["status"] == "error"
    assert body["error"]["code"] == "PAYLOAD_TOO_LARGE"
    assert body["error"]["details"] == {"max_bytes": LIMIT}
    assert body["request_id"] == response.headers["x-request-id"]
    assert body["timestamp"].endswith("Z")


async def test_a_body_at_the_limit_passes_one_byte_more_is_413(small: Harness) -> None:
    key = await small.account()
    headers = {"X-API-Key": key, "Content-Type": "application/json"}
    ok = await small.client.post(TARGETS, content=_padded(LIMIT), headers=headers)
    assert ok.status_code == 200, ok.text
    _assert_413(await small.client.post(TARGETS, content=_padded(LIMIT + 1), headers=headers))


async def test_chunked_bodies_without_length_are_capped_too(small: Harness) -> None:
    key = await small.account()

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(10):
            yield b"x" * 1000

    response = await small.client.post(
        TARGETS, content=chunks(), headers={"X-API-Key": key, "Content-Type": "application/json"}
    )
    assert "content-length" not in response.request.headers
    _assert_413(response)


async def test_refused_before_auth_and_with_the_callers_request_id(small: Harness) -> None:
    response = await small.client.put(
        "/api/v1/user/", content=b"{" * (LIMIT + 10), headers={"X-Request-ID": "trace-42"}
    )
    _assert_413(response)
    assert response.headers["x-request-id"] == "trace-42"


def test_default_limit_is_64_kib() -> None:
    assert Settings().max_body_bytes == 65536
