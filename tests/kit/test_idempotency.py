"""Idempotency-Key on POST /api/v1/sniper/targets (issue 3 item 6, RELIABILITY F10)."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from sniper.db.session import transaction
from sniper.kit.idempotency import request_hash
from sniper.models import IdempotencyKey, Target
from tests.conftest import Harness

TARGETS = "/api/v1/sniper/targets"


async def _post(h: Harness, key: str, body: Any, idem: str | None = "order-1") -> httpx.Response:
    headers = {"X-API-Key": key}
    if idem is not None:
        headers["Idempotency-Key"] = idem
    return await h.client.post(TARGETS, json=body, headers=headers)


async def _count(h: Harness, model: type[Any]) -> int:
    async with transaction(h.runtime.sessions) as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_repeat_returns_the_first_answer_and_creates_nothing(harness: Harness) -> None:
    key = await harness.account()
    first = await _post(harness, key, {"ticker": "AAPL", "duration_minutes": 30})
    harness.clock.advance(60)
    again = await _post(harness, key, {"duration_minutes": 30, "ticker": "AAPL"})
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert await _count(harness, Target) == 1
    listed = await harness.client.get(TARGETS, headers={"X-API-Key": key})
    assert [t["target_id"] for t in listed.json()["targets"]] == [first.json()["target_id"]]


async def test_same_key_with_another_body_is_422(harness: Harness) -> None:
    key = await harness.account()
    assert (await _post(harness, key, {"ticker": "AAPL"})).status_code == 200
    reused = await _post(harness, key, {"ticker": "MSFT"})
    assert reused.status_code == 422
    error = reused.json()["error"]
    assert error["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert error["details"] == {"field": "Idempotency-Key"}
    assert await _count(harness, Target) == 1


async def test_keys_are_per_account(harness: Harness) -> None:
    alice = await harness.account("alice")
    bob = await harness.account("bob")
    a = await _post(harness, alice, {"ticker": "AAPL"})
    b = await _post(harness, bob, {"ticker": "AAPL"})
    assert a.status_code == b.status_code == 200
    assert a.json()["target_id"] != b.json()["target_id"]
    assert "idempotent-replayed" not in b.headers
    assert await _count(harness, Target) == 2


async def test_a_key_expires_after_24_hours(harness: Harness) -> None:
    key = await harness.account()
    first = await _post(harness, key, {"ticker": "AAPL", "duration_minutes": 5})
    harness.clock.advance(timedelta(hours=23, minutes=59))
    assert (await _post(harness, key, {"ticker": "AAPL", "duration_minutes": 5})).json() == (
        first.json()
    )
    harness.clock.advance(timedelta(minutes=2))
    later = await _post(harness, key, {"ticker": "AAPL", "duration_minutes": 5})
    assert later.status_code == 200
    assert later.json()["target_id"] != first.json()["target_id"]
    assert await _count(harness, Target) == 2
    assert await _count(harness, IdempotencyKey) == 1  # the expired row was replaced


async def test_a_failed_request_stores_nothing_so_a_retry_runs_again(harness: Harness) -> None:
    key = await harness.account()
    ids = [(await _post(harness, key, {"ticker": "MSFT"}, idem=None)).json() for _ in range(5)]
    full = await _post(harness, key, {"ticker": "AAPL"})
    assert full.status_code == 402
    assert await _count(harness, IdempotencyKey) == 0
    stop = f"{TARGETS}/{ids[0]['target_id']}/stop"
    await harness.client.post(stop, headers={"X-API-Key": key})
    retried = await _post(harness, key, {"ticker": "AAPL"})
    assert retried.status_code == 200
    assert "idempotent-replayed" not in retried.headers


@pytest.mark.parametrize("bad", [b"", b"has space", "é".encode(), b"x" * 256])
async def test_malformed_keys_are_400(harness: Harness, bad: bytes) -> None:
    key = await harness.account()
    response = await harness.client.post(
        TARGETS,
        json={"ticker": "AAPL"},
        headers={"X-API-Key": key.encode(), "Idempotency-Key": bad},
    )
    assert response.status_code == 400
    assert response.json()["error"]["details"]["field"] == "Idempotency-Key"
    assert await _count(harness, Target) == 0


async def test_f10_32_concurrent_identical_posts_create_exactly_one(harness: Harness) -> None:
    key = await harness.account(tokens=100)
    body = {"ticker": "AAPL", "form_types": ["8-K"]}
    responses = await asyncio.gather(*(_post(harness, key, body, idem="f10") for _ in range(32)))
    assert [r.status_code for r in responses] == [200] * 32
    assert len({json.dumps(r.json(), sort_keys=True) for r in responses}) == 1
    assert sum("idempotent-replayed" in r.headers for r in responses) == 31
    assert await _count(harness, Target) == 1
    assert await _count(harness, IdempotencyKey) == 1


def test_request_hash_ignores_key_order_and_whitespace_only() -> None:
    a = request_hash("POST", "/p", b'{"a": 1, "b": [1, 2]}')
    assert a == request_hash("post", "/p", b'{"b":[1,2],"a":1}')
    assert a != request_hash("POST", "/q", b'{"a": 1, "b": [1, 2]}')
    assert a != request_hash("POST", "/p", b'{"a": 1, "b": [2, 1]}')
    assert request_hash("POST", "/p", b"{not json") != request_hash("POST", "/p", b"{not json ")
