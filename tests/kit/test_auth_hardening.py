"""API keys: looked up by HMAC-SHA256 digest, then compared in constant time (issue 3 item 7)."""

from __future__ import annotations

import hmac
from types import SimpleNamespace

import pytest
from sqlalchemy import update

from sniper.accounts import service
from sniper.accounts.keys import key_digest
from sniper.db.session import transaction
from sniper.models import ApiKey
from tests.conftest import Harness


async def test_lookup_by_digest_then_compare_digest(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = await harness.account()
    secret = harness.runtime.settings.secret_key
    calls: list[tuple[str, str]] = []

    def spy(a: str, b: str) -> bool:
        calls.append((a, b))
        return hmac.compare_digest(a, b)

    monkeypatch.setattr(service, "hmac", SimpleNamespace(compare_digest=spy))
    async with transaction(harness.runtime.sessions) as session:
        account = await service.authenticate(session, key, secret_key=secret)
        assert account is not None
        assert calls == [(key_digest(secret, key), key_digest(secret, key))]
        assert await service.authenticate(session, key + "x", secret_key=secret) is None
        assert await service.authenticate(session, key, secret_key="another-secret") is None
    assert len(calls) == 1, "no row, nothing to compare"


async def test_a_stored_digest_that_differs_is_refused(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should the database ever match loosely (a collation, a padded column), the constant-time
    comparison still decides."""
    key = await harness.account()
    monkeypatch.setattr(service, "hmac", SimpleNamespace(compare_digest=lambda _a, _b: False))
    response = await harness.client.get("/api/v1/sniper/targets", headers={"X-API-Key": key})
    assert response.status_code == 401


async def test_revoked_key_is_401(harness: Harness) -> None:
    key = await harness.account()
    async with transaction(harness.runtime.sessions) as session:
        await session.execute(update(ApiKey).values(revoked_at=harness.clock.now()))
    response = await harness.client.get("/api/v1/sniper/targets", headers={"X-API-Key": key})
    assert response.status_code == 401
