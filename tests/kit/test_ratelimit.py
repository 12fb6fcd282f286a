"""Per-account rate limits per plan (issue 3 item 5): headers on every limited response, 429 in
the sniper error shape with Retry-After, one budget per account, fail-open on storage errors."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest
from limits.aio.storage import MemoryStorage

from sniper.clock import ManualClock
from sniper.config import Settings
from sniper.kit.ratelimit import RateLimiter
from tests.conftest import Harness, running

TARGETS = "/api/v1/sniper/targets"


@pytest.fixture
async def limited(settings: Settings, clock: ManualClock) -> AsyncIterator[Harness]:
    tight = settings.model_copy(
        update={"paid_plan_rate_limit": "5/minute", "free_plan_rate_limit": "2/minute"}
    )
    async with running(tight, clock) as h:
        yield h


async def _get(h: Harness, key: str) -> tuple[int, dict[str, str], dict[str, object]]:
    response = await h.client.get(TARGETS, headers={"X-API-Key": key})
    return response.status_code, dict(response.headers), response.json()


async def test_headers_on_every_response_then_429_with_retry_after(limited: Harness) -> None:
    key = await limited.account("alice", plan="paid")
    before = time.time()
    remaining = []
    for _ in range(5):
        status, headers, _ = await _get(limited, key)
        assert status == 200
        assert headers["x-ratelimit-limit"] == "5"
        assert before + 59 <= int(headers["x-ratelimit-reset"]) <= time.time() + 61
        assert "retry-after" not in headers
        remaining.append(int(headers["x-ratelimit-remaining"]))
    assert remaining == [4, 3, 2, 1, 0]
    status, headers, body = await _get(limited, key)
    assert status == 429
    assert 1 <= int(headers["retry-after"]) <= 60
    assert (headers["x-ratelimit-limit"], headers["x-ratelimit-remaining"]) == ("5", "0")
    assert headers["x-request-id"] == body["request_id"]
    assert body["status"] == "error"
    assert body["timestamp"]
    error = body["error"]
    assert isinstance(error, dict)
    assert error["code"] == "RATE_LIMITED"
    assert error["details"] == {
        "limit": 5,
        "window_seconds": 60,
        "retry_after": int(headers["retry-after"]),
        "plan": "paid",
    }


async def test_every_authenticated_route_counts_and_refuses(limited: Harness) -> None:
    key = await limited.account("alice", plan="free")
    auth = {"Authorization": f"Bearer {key}"}
    first = await limited.client.post(TARGETS, json={"ticker": "AAPL"}, headers=auth)
    assert first.status_code == 402  # free plan: no slots, but the request counted
    assert first.headers["x-ratelimit-remaining"] == "1"
    second = await limited.client.post(f"{TARGETS}/tgt_000000000000/stop", headers=auth)
    assert (second.status_code, second.headers["x-ratelimit-remaining"]) == (404, "0")
    for method, path in [("GET", TARGETS), ("POST", TARGETS), ("GET", "/api/v1/account/balance")]:
        refused = await limited.client.request(method, path, headers=auth, json={})
        assert refused.status_code == 429, path
        assert refused.headers["retry-after"]


async def test_budgets_are_per_account_and_per_plan(limited: Harness) -> None:
    alice = await limited.account("alice", plan="paid")
    bob = await limited.account("bob", plan="paid")
    carol = await limited.account("carol", plan="free")
    codes = [(await _get(limited, alice))[0] for _ in range(6)]
    assert codes == [200] * 5 + [429]
    assert (await _get(limited, bob))[0] == 200
    carol_codes = [(await _get(limited, carol))[0] for _ in range(3)]
    assert carol_codes == [200, 200, 429]


async def test_public_and_unauthenticated_requests_are_not_counted(limited: Harness) -> None:
    key = await limited.account("alice", plan="free")
    for _ in range(3):
        status = await limited.client.get("/api/v1/status")
        assert status.status_code == 200
        assert "x-ratelimit-limit" not in status.headers
        wrong = await limited.client.get(TARGETS, headers={"X-API-Key": "snp_wrong"})
        assert wrong.status_code == 401
        assert "x-ratelimit-limit" not in wrong.headers
    assert (await _get(limited, key))[1]["x-ratelimit-remaining"] == "1"


class _BrokenStorage(MemoryStorage):
    async def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        raise ConnectionError("storage down")


async def test_storage_failure_fails_open(
    limited: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    key = await limited.account("alice", plan="free")
    limited.runtime.limiter = RateLimiter(_BrokenStorage(), {"free": "1/minute"})
    for _ in range(3):
        status, headers, _ = await _get(limited, key)
        assert status == 200
        assert "x-ratelimit-limit" not in headers
    assert "rate limit storage failed" in caplog.text


async def test_limiter_moving_window_counts_only_the_last_window() -> None:
    limiter = RateLimiter(MemoryStorage(), {"free": "3/second"})
    try:
        verdicts = [await limiter.hit("account:1", "free") for _ in range(4)]
        assert [v.allowed for v in verdicts if v] == [True, True, True, False]
        refused = verdicts[-1]
        assert refused is not None
        assert refused.retry_after == 1
        assert refused.headers()["Retry-After"] == "1"
        time.sleep(1.05)
        again = await limiter.hit("account:1", "free")
        assert again is not None
        assert again.allowed
        unknown_plan = await limiter.hit("account:2", "platinum")
        assert unknown_plan is not None
        assert unknown_plan.limit == 3  # unknown plans get the free limit
    finally:
        await limiter.aclose()


def test_settings_refuse_an_unreadable_limit() -> None:
    with pytest.raises(ValueError, match="rate limit"):
        Settings(paid_plan_rate_limit="lots")
    assert Settings().plan_rate_limit("paid") == "600/minute"
    assert Settings().plan_rate_limit("free") == "60/minute"
