"""Backtests through the API: create (queued, validated), list (paged, filtered), read with the
results the job stores through `store` (claim, progress, complete, fail)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from sniper.db.session import transaction
from sniper.kit.timefmt import iso_z
from sniper.kit.wake import RUN_BACKTEST
from sniper.trading.algorithms import store
from tests.conftest import Harness
from tests.trading.algorithms.support import auth, complete, create, error_of

URL = "/api/backtests"


def _body(algorithm_id: str, **changes: Any) -> dict[str, Any]:
    return {
        "algorithmId": algorithm_id,
        "startDate": "2010-01-04",
        "endDate": "2012-12-31",
        "initialBalance": 10_000,
    } | changes


async def _create(h: Harness, key: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await h.client.post(URL, json=body, headers=auth(key))
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def test_create_queues_and_wakes_the_job(harness: Harness) -> None:
    h = harness
    key = await h.account()
    algorithm = await create(h, key, complete(executionSettings={"mode": "live"}))
    wake = asyncio.Event()
    unregister = h.runtime.wakeups.register(RUN_BACKTEST, wake)
    try:
        created = await _create(h, key, _body(algorithm["id"]))
    finally:
        unregister()
    assert wake.is_set()
    assert created["id"].startswith("bt_")
    assert created == {
        "id": created["id"],
        "algorithmId": algorithm["id"],
        "algorithmName": algorithm["name"],
        "userId": created["userId"],
        "status": "queued",
        "progress": 0,
        "startDate": "2010-01-04T00:00:00Z",  # x3algo shows the range as ISO datetimes
        "endDate": "2012-12-31T23:59:59Z",
        "initialBalance": 10_000.0,
        "finalBalance": None,
        "symbols": ["NASDAQ:MSFT"],
        "results": None,
        "equityCurve": [],
        "trades": [],
        "error": None,
        "createdAt": "2025-12-12T14:00:00Z",
        "startedAt": None,
        "completedAt": None,
        "failedAt": None,
    }
    shown = await h.client.get(f"{URL}/{created['id']}", headers=auth(key))
    assert shown.json() == created


INVALID: list[tuple[dict[str, Any], str]] = [
    ({"endDate": "2009-12-31"}, "endDate"),
    ({"startDate": "2010-1-4"}, "startDate"),
    ({"startDate": "2010-02-30"}, "startDate"),
    ({"initialBalance": 0}, "initialBalance"),
    ({"initialBalance": "1000"}, "initialBalance"),
    ({"algorithmId": 5}, "algorithmId"),
    ({"extra": True}, "extra"),
]


async def test_invalid_requests_are_400(harness: Harness) -> None:
    key = await harness.account()
    algorithm = await create(harness, key)
    for changes, field in INVALID:
        body = _body(algorithm["id"], **changes)
        response = await harness.client.post(URL, json=body, headers=auth(key))
        assert error_of(response, 400, "VALIDATION_ERROR")["details"]["field"] == field, changes
    assert (await harness.client.get(URL, headers=auth(key))).json()["data"] == []


async def test_incomplete_algorithm_and_other_accounts_are_refused(harness: Harness) -> None:
    h = harness
    alice = await h.account("alice")
    bob = await h.account("bob")
    draft = await create(h, alice, {"name": "draft", "symbols": ["NASDAQ:MSFT"]})
    response = await h.client.post(URL, json=_body(draft["id"]), headers=auth(alice))
    missing = error_of(response, 400, "VALIDATION_ERROR")["details"]["missingFields"]
    assert "entryConditions.conditions" in missing
    assert "executionSettings.mode" not in missing  # a backtest is its own mode
    ready = await create(h, alice)
    response = await h.client.post(URL, json=_body(ready["id"]), headers=auth(bob))
    assert error_of(response, 404, "NOT_FOUND")["message"] == "Algorithm not found"
    mine = await _create(h, alice, _body(ready["id"]))
    response = await h.client.get(f"{URL}/{mine['id']}", headers=auth(bob))
    assert error_of(response, 404, "NOT_FOUND")["message"] == "Backtest not found"


async def test_list_pages_and_filters(harness: Harness) -> None:
    h = harness
    key = await h.account()
    first, second = await create(h, key), await create(h, key)
    ids = []
    for algorithm in (first, second, first):
        ids.append((await _create(h, key, _body(algorithm["id"])))["id"])
        h.clock.advance(timedelta(seconds=1))
    page = (await h.client.get(URL, params={"limit": 2}, headers=auth(key))).json()
    assert [b["id"] for b in page["data"]] == [ids[2], ids[1]]
    assert page["pagination"] == {"page": 1, "limit": 2, "total": 3, "totalPages": 2}
    assert "equityCurve" not in page["data"][0]
    mine = await h.client.get(URL, params={"algorithmId": first["id"]}, headers=auth(key))
    assert [b["id"] for b in mine.json()["data"]] == [ids[2], ids[0]]
    async with transaction(h.runtime.sessions) as session:
        [claimed] = await store.claim_backtests(session, now=h.clock.now())
        assert claimed.id == ids[0]
    running = await h.client.get(URL, params={"status": "running"}, headers=auth(key))
    assert [b["id"] for b in running.json()["data"]] == [ids[0]]
    bad = await h.client.get(URL, params={"status": "done"}, headers=auth(key))
    assert error_of(bad, 400, "VALIDATION_ERROR")["details"]["field"] == "status"


async def test_list_sorts_and_names_the_algorithm(harness: Harness) -> None:
    """x3algo list: `sort` createdAt | completedAt, `order` asc | desc, `algorithmName`."""
    h = harness
    key = await h.account()
    algorithm = await create(h, key)
    ids = []
    for _ in range(3):
        ids.append((await _create(h, key, _body(algorithm["id"])))["id"])
        h.clock.advance(timedelta(seconds=1))
    for backtest_id in (ids[2], ids[0]):  # completed in that order; ids[1] never
        async with transaction(h.runtime.sessions) as session:
            await store.claim_backtests(session, now=h.clock.now(), only=backtest_id)
            await store.complete_backtest(
                session, backtest_id, results={}, equity_curve=[], trades=[], now=h.clock.now()
            )
        h.clock.advance(timedelta(seconds=1))

    async def listed(**params: str) -> list[str]:
        page = (await h.client.get(URL, params=params, headers=auth(key))).json()
        assert {b["algorithmName"] for b in page["data"]} == {algorithm["name"]}
        return [b["id"] for b in page["data"]]

    assert await listed(order="asc") == ids
    assert await listed(sort="completedAt") == [ids[0], ids[2], ids[1]]
    assert await listed(sort="completedAt", order="asc") == [ids[2], ids[0], ids[1]]
    bad = await h.client.get(URL, params={"sort": "name"}, headers=auth(key))
    assert error_of(bad, 400, "VALIDATION_ERROR")["details"]["field"] == "sort"


async def test_the_range_may_be_given_as_iso_datetimes(harness: Harness) -> None:
    """x3algo's own example sends `2024-01-01T00:00:00Z`; its UTC date is the day taken."""
    h = harness
    key = await h.account()
    algorithm = await create(h, key)
    body = _body(algorithm["id"]) | {
        "startDate": "2010-01-04T00:00:00Z",
        "endDate": "2012-12-31T23:59:59+00:00",
    }
    created = await _create(h, key, body)
    assert (created["startDate"], created["endDate"]) == (
        "2010-01-04T00:00:00Z",
        "2012-12-31T23:59:59Z",
    )
    body["startDate"] = "2010-01-04T25:00:00Z"
    response = await h.client.post(URL, json=body, headers=auth(key))
    assert error_of(response, 400, "VALIDATION_ERROR")["details"]["field"] == "startDate"


async def test_job_lifecycle_is_visible_through_get(harness: Harness) -> None:
    h = harness
    key = await h.account()
    algorithm = await create(h, key)
    backtest = await _create(h, key, _body(algorithm["id"]))
    async with transaction(h.runtime.sessions) as session:
        [claimed] = await store.claim_backtests(session, now=h.clock.now())
        assert claimed.id == backtest["id"]
        assert await store.claim_backtests(session, now=h.clock.now()) == []
        await store.backtest_progress(session, backtest["id"], 40, now=h.clock.now())
    shown = (await h.client.get(f"{URL}/{backtest['id']}", headers=auth(key))).json()
    assert (shown["status"], shown["progress"]) == ("running", 40)
    assert shown["startedAt"] == "2025-12-12T14:00:00Z"
    curve = [
        {"date": "2010-01-04", "balance": 10_000.0},
        {"date": "2010-01-05", "balance": 10_050.0},
    ]
    trades = [
        {
            "symbol": "NASDAQ:MSFT",
            "side": "long",
            "quantity": 10,
            "entryAt": "2010-01-04T00:00:00Z",
            "entryPrice": 25.0,
            "exitAt": "2010-01-05T00:00:00Z",
            "exitPrice": 30.0,
            "pnl": 50.0,
            "exitReason": "take_profit",
            "clientOrderIds": ["ord_a", "ord_b"],
        }
    ]
    h.clock.advance(timedelta(minutes=1))
    async with transaction(h.runtime.sessions) as session:
        await store.complete_backtest(
            session,
            backtest["id"],
            results={"totalTrades": 1, "finalBalance": 10_050.0},
            equity_curve=curve,
            trades=trades,
            now=h.clock.now(),
        )
    done = (await h.client.get(f"{URL}/{backtest['id']}", headers=auth(key))).json()
    assert (done["status"], done["progress"]) == ("completed", 100)
    assert done["results"] == {"totalTrades": 1, "finalBalance": 10_050.0}
    assert done["equityCurve"] == curve
    assert done["trades"] == [  # x3algo's get-results shape
        {
            "symbol": "NASDAQ:MSFT",
            "side": "long",
            "quantity": 10,
            "entryTime": "2010-01-04T00:00:00Z",
            "entryPrice": 25.0,
            "exitTime": "2010-01-05T00:00:00Z",
            "exitPrice": 30.0,
            "profit": 50.0,
            "profitPercent": 20.0,  # 50 on 10 x 25
            "exitReason": "take_profit",
            "clientOrderIds": ["ord_a", "ord_b"],
        }
    ]
    assert (done["finalBalance"], done["completedAt"]) == (10_050.0, "2025-12-12T14:01:00Z")


async def test_a_dead_jobs_lease_passes_and_failures_are_shown(harness: Harness) -> None:
    h = harness
    key = await h.account()
    algorithm = await create(h, key)
    backtest = await _create(h, key, _body(algorithm["id"]))
    async with transaction(h.runtime.sessions) as session:
        assert len(await store.claim_backtests(session, now=h.clock.now())) == 1
    h.clock.advance(store.BACKTEST_LEASE - timedelta(seconds=1))
    async with transaction(h.runtime.sessions) as session:
        assert await store.claim_backtests(session, now=h.clock.now()) == [], "lease holds"
    h.clock.advance(timedelta(seconds=2))
    async with transaction(h.runtime.sessions) as session:
        [again] = await store.claim_backtests(session, now=h.clock.now())
        assert again.id == backtest["id"]
        assert again.started_at == h.clock.now() - store.BACKTEST_LEASE - timedelta(seconds=1)
        await store.fail_backtest(
            session, backtest["id"], "no bars for NASDAQ:MSFT", now=h.clock.now()
        )
    failed = (await h.client.get(f"{URL}/{backtest['id']}", headers=auth(key))).json()
    assert (failed["status"], failed["error"]) == ("failed", "no bars for NASDAQ:MSFT")
    assert (failed["failedAt"], failed["completedAt"]) == (iso_z(h.clock.now()), None)
