"""F8: the rate limit holds across processes. Four processes, each running the real app against
one shared database and one Redis, send 200 requests each for the same account limited to
100/minute: exactly 100 pass and every 429 carries Retry-After (RELIABILITY.md F8)."""

from __future__ import annotations

import multiprocessing
import uuid

import pytest
import redis

from sniper.config import Settings
from tests.conftest import Harness
from tests.kit import limit_worker

REDIS_URL = "redis://127.0.0.1:6379/0"
PROCESSES = 4
REQUESTS_EACH = 200


def _redis_or_skip() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {REDIS_URL} (.ci/run starts one)")


async def test_four_processes_share_one_budget_of_100_per_minute(
    harness: Harness, settings: Settings
) -> None:
    _redis_or_skip()
    key = await harness.account("alice", plan="paid")
    prefix = f"sniper-test-{uuid.uuid4().hex}"  # a fresh budget for this run
    limit = {"paid_plan_rate_limit": "100/minute"}
    shared = settings.model_copy(
        update={"redis_url": REDIS_URL, "redis_key_prefix": prefix, **limit}
    )
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(PROCESSES)
    results = context.Queue()
    workers = [
        context.Process(
            target=limit_worker.run, args=(shared, key, REQUESTS_EACH, barrier, results)
        )
        for _ in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    try:
        outcomes = [item for _ in workers for item in results.get(timeout=120)]
    finally:
        for worker in workers:
            worker.join(timeout=30)
    assert [worker.exitcode for worker in workers] == [0] * PROCESSES
    statuses = [status for status, _ in outcomes]
    assert len(statuses) == PROCESSES * REQUESTS_EACH
    assert statuses.count(200) == 100
    assert statuses.count(429) == PROCESSES * REQUESTS_EACH - 100
    refused = [retry_after for status, retry_after in outcomes if status == 429]
    assert all(value is not None and 1 <= int(value) <= 60 for value in refused)
    with redis.Redis.from_url(REDIS_URL) as client:
        keys = client.keys(f"{prefix}*")
        assert keys, "the budget lived in Redis"
        client.delete(*keys)
