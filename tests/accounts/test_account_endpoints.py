"""Finradar account endpoints and the token ledger: hits debit, refusals don't, and balance,
usage and transactions agree with the ledger."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from sniper.accounts.service import credit, require_account
from sniper.db.session import transaction
from sniper.edgar.atom import DetectedFiling, FilingEntity
from sniper.models import AuditEvent, LedgerEntry
from sniper.targets import lifecycle
from tests.conftest import Harness

XOM_AFTER_FILING = datetime(2025, 12, 12, 15, 6, tzinfo=UTC)


def _auth(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


async def _get(h: Harness, key: str, path: str, **params: Any) -> Any:
    response = await h.client.get(path, headers=_auth(key), params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "success"
    assert body["request_id"] == response.headers["x-request-id"]
    return body["data"]


async def test_balance_usage_and_transactions_follow_a_hit(harness: Harness) -> None:
    h = harness
    key = await h.account("alice", tokens=5)
    await h.client.post(
        "/api/v1/sniper/targets",
        headers=_auth(key),
        json={"ticker": "XOM", "duration_minutes": 120},
    )
    h.clock.set(XOM_AFTER_FILING)
    await h.watcher.tick()
    assert await _get(h, key, "/api/v1/account/balance") == {
        "current_balance": 4,
        "plan": "paid",
        "monthly_quota": 200_000,
        "sniper_slots": 5,
        "suspended": False,
        "next_refill_at": None,
        "billing_cycle_end": None,
    }
    usage = await _get(h, key, "/api/v1/account/usage", days=1)
    assert usage == {
        "window_days": 1,
        "total_tokens_used": 1,
        "daily": [{"day": "2025-12-12", "tokens_used": 1, "events": 1}],
        "top_endpoints": [{"endpoint": "sniper.filing_hit", "tokens_used": 1, "events": 1}],
    }
    rows = (await _get(h, key, "/api/v1/account/transactions"))["transactions"]
    assert [(r["type"], r["delta"], r["balance_after"], r["endpoint"]) for r in rows] == [
        ("debit", -1, 4, "sniper.filing_hit"),
        ("grant", 5, 5, "cli.accounts.create"),
    ]
    assert rows[0]["metadata"]["accession_number"] == "0000034088-25-000124"
    # the first read after the clock's jump pages back through the feed at <= 10 requests/s
    assert "2025-12-12T15:06:00Z" <= rows[0]["created_at"] < "2025-12-12T15:06:05Z"


async def test_a_refused_create_debits_nothing_and_shows_the_402_body(harness: Harness) -> None:
    h = harness
    key = await h.account("alice", tokens=0)
    response = await h.client.post(
        "/api/v1/sniper/targets", headers=_auth(key), json={"ticker": "XOM"}
    )
    assert response.status_code == 402
    body = response.json()
    for field, value in {
        "current_balance": 0,
        "required_cost": 1,
        "plan": "paid",
        "next_refill_at": None,
        "upgrade_url": "/pricing",
    }.items():
        assert body[field] == value
        assert body["error"]["details"][field] == value
    assert (await _get(h, key, "/api/v1/account/transactions"))["transactions"] == []


async def test_usage_days_and_transactions_limit_clamp_and_fall_back(harness: Harness) -> None:
    """The account pages: `days` 1-90 (default 30) and `limit` 1-200 (default 50) are clamped at
    the bounds and fall back to the default when not a number; never a 400."""
    h = harness
    key = await h.account("alice")
    for days, window in [(0, 1), (-4, 1), (91, 90), (180, 90), ("abc", 30), ("1e999", 30)]:
        usage = await _get(h, key, "/api/v1/account/usage", days=days)
        assert usage["window_days"] == window, days
        assert usage["daily"] == []
    assert (await _get(h, key, "/api/v1/account/usage"))["window_days"] == 30
    async with transaction(h.runtime.sessions) as session:
        account = await require_account(session, "alice")
        for _ in range(205):
            await credit(session, account, 1, type_="grant", cause="test", now=h.clock.now())
    for limit, rows in [(0, 1), (201, 200), ("x", 50), ("2.5", 50), (None, 50), (3, 3)]:
        params = {} if limit is None else {"limit": limit}
        listed = await _get(h, key, "/api/v1/account/transactions", **params)
        assert len(listed["transactions"]) == rows, limit
    assert listed["transactions"][0]["metadata"] == {"request_id": None}


async def test_user_webhook_url_set_clear_and_validate(harness: Harness) -> None:
    h = harness
    key = await h.account("alice")
    user = (await h.client.get("/api/v1/user/", headers=_auth(key))).json()["user"]
    assert user == {
        "name": "alice",
        "usertype": "user",
        "plan": "paid",
        "is_admin": False,
        "webhook_url": None,
        "notify_email": True,
        "notify_browser": True,
        "odds_format": "decimal",
        "created_at": "2025-12-12T14:00:00Z",
    }
    put = await h.client.put(
        "/api/v1/user/", headers=_auth(key), json={"webhook_url": "http://127.0.0.1:8123/hook"}
    )
    assert put.json()["message"] == "Profile updated successfully"
    assert put.json()["user"]["webhook_url"] == "http://127.0.0.1:8123/hook"
    created = await h.client.post(
        "/api/v1/sniper/targets", headers=_auth(key), json={"ticker": "AAPL"}
    )
    assert created.json()["webhook_url"] == "http://127.0.0.1:8123/hook"
    for bad, code in [
        ("http://10.0.0.1/x", "INVALID_WEBHOOK_URL"),
        ("https://" + "a" * 520, "BAD_REQUEST"),
        (5, "BAD_REQUEST"),
    ]:
        refused = await h.client.put("/api/v1/user/", headers=_auth(key), json={"webhook_url": bad})
        assert refused.status_code == 400
        assert refused.json()["error"]["code"] == code
        assert refused.json()["error"]["details"]["field"] == "webhook_url"
    cleared = await h.client.put("/api/v1/user/", headers=_auth(key), json={"webhook_url": ""})
    assert cleared.json()["user"]["webhook_url"] is None


async def test_thirty_two_concurrent_debits_of_one_event_debit_once(harness: Harness) -> None:
    h = harness
    key = await h.account("alice", tokens=10)
    created = await h.client.post(
        "/api/v1/sniper/targets", headers=_auth(key), json={"ticker": "AAPL"}
    )
    target_id = created.json()["target_id"]
    filing = DetectedFiling(
        accession_number="0000320193-25-000999",
        form_type="8-K",
        accepted_at=h.clock.now(),
        index_url="https://www.sec.gov/x-index.htm",
        entities=(FilingEntity(320193, "Apple Inc.", "Filer"),),
    )

    async def hit() -> bool:
        async with transaction(h.runtime.sessions) as session:
            return await lifecycle.record_hit(session, h.runtime, target_id, filing) is not None

    assert sum(await asyncio.gather(*(hit() for _ in range(32)))) == 1
    await _assert_ledger_agrees(h, "alice", expected_balance=9)


async def _assert_ledger_agrees(h: Harness, name: str, expected_balance: int) -> None:
    async with transaction(h.runtime.sessions) as session:
        account = await require_account(session, name)
        total = await session.scalar(
            select(func.coalesce(func.sum(LedgerEntry.delta), 0)).where(
                LedgerEntry.account_id == account.id
            )
        )
        negative = await session.scalar(
            select(func.count()).where(
                LedgerEntry.account_id == account.id, LedgerEntry.balance_after < 0
            )
        )
    assert account.token_balance == total == expected_balance
    assert negative == 0


async def test_manual_stop_is_audited_with_its_request_id(harness: Harness) -> None:
    h = harness
    key = await h.account("alice")
    target_id = (
        await h.client.post("/api/v1/sniper/targets", headers=_auth(key), json={"ticker": "AAPL"})
    ).json()["target_id"]
    stop = await h.client.post(
        f"/api/v1/sniper/targets/{target_id}/stop",
        headers={**_auth(key), "X-Request-ID": "req-stop-1"},
    )
    assert stop.headers["x-request-id"] == "req-stop-1"
    await h.client.post(f"/api/v1/sniper/targets/{target_id}/stop", headers=_auth(key))
    async with transaction(h.runtime.sessions) as session:
        rows = (await session.execute(select(AuditEvent).order_by(AuditEvent.id))).scalars().all()
    assert [(r.action, r.subject, r.request_id) for r in rows] == [
        ("api_key.created", key[:12], None),
        ("target.manual_stop", target_id, "req-stop-1"),
    ]
