"""The API-key owner cache of the hot read route (`sniper.accounts.keycache`): a cached key that
is revoked in this process is refused by the very next request; one revoked behind the cache's
back (another process) is refused once the TTL has passed, and at once with the cache off."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from sniper.accounts.keycache import KeyCache, KeyOwner
from sniper.accounts.service import revoke_api_key
from sniper.clock import ManualClock
from sniper.config import Settings
from sniper.db.session import transaction
from sniper.models import ApiKey
from tests.conftest import Harness, running

TARGETS = "/api/v1/sniper/targets"


async def test_a_cached_key_revoked_in_this_process_is_refused_at_once(harness: Harness) -> None:
    key = await harness.account()
    for _ in range(3):  # the first call looks the key up, the next ones are answered from cache
        ok = await harness.client.get(TARGETS, headers={"X-API-Key": key})
        assert ok.status_code == 200, ok.text
    async with transaction(harness.runtime.sessions) as session:
        await revoke_api_key(session, key[:12], now=harness.clock.now())
    refused = await harness.client.get(TARGETS, headers={"X-API-Key": key})
    assert refused.status_code == 401
    assert refused.json()["error"]["message"] == "Invalid or revoked API key"


async def test_with_the_cache_off_a_key_revoked_elsewhere_is_refused_at_once(
    settings: Settings, clock: ManualClock
) -> None:
    off = settings.model_copy(update={"api_key_cache_ttl": timedelta(0)})
    async with running(off, clock) as h:
        key = await h.account()
        assert (await h.client.get(TARGETS, headers={"X-API-Key": key})).status_code == 200
        async with transaction(h.runtime.sessions) as session:  # as `sniper keys revoke` would
            await session.execute(update(ApiKey).values(revoked_at=clock.now()))
        assert (await h.client.get(TARGETS, headers={"X-API-Key": key})).status_code == 401


async def test_cached_answers_match_uncached_ones(harness: Harness) -> None:
    key = await harness.account()
    headers = {"X-API-Key": key}
    created = await harness.client.post(TARGETS, json={"ticker": "AAPL"}, headers=headers)
    assert created.status_code == 200, created.text
    first = await harness.client.get(TARGETS, headers=headers)
    second = await harness.client.get(TARGETS, headers=headers)
    assert first.json() == second.json()
    assert first.json()["meta"]["total"] == 1
    assert first.json()["targets"][0]["target_id"] == created.json()["target_id"]


def test_entries_expire_after_their_ttl_and_a_zero_ttl_keeps_nothing() -> None:
    now = [100.0]
    cache = KeyCache(now=lambda: now[0])
    owner = KeyOwner(id=7, plan="paid")
    cache.put("db", "digest", owner, ttl=5.0)
    cache.put("db", "other", owner, ttl=0.0)
    assert cache.get("db", "digest") == owner
    assert cache.get("db", "other") is None
    assert cache.get("another-db", "digest") is None
    now[0] = 104.9
    assert cache.get("db", "digest") == owner
    now[0] = 105.0
    assert cache.get("db", "digest") is None
