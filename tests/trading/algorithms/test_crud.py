"""Create, read, list, PATCH and DELETE of algorithms: camelCase bodies, strict validation with
the field named, x3algo error bodies, auth forms, 404 across accounts, pagination, filters,
sorting, nested PATCH merges, soft delete keeping the ledger and `performance` from it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from sniper.db.session import transaction
from sniper.models import AlgorithmTrade, TradingAlgorithm
from sniper.trading.algorithms import store
from sniper.trading.engine.performance import ClosedTrade
from tests.conftest import Harness
from tests.trading.algorithms.support import BASE, auth, command, complete, create, error_of

OBJECT_FIELDS = {
    "id",
    "name",
    "description",
    "status",
    "active",
    "version",
    "strategyType",
    "timeframe",
    "symbols",
    "positionSizing",
    "entryConditions",
    "exitConditions",
    "riskParameters",
    "executionSettings",
    "performance",
    "createdAt",
    "updatedAt",
}


async def test_create_answers_the_x3algo_object(harness: Harness) -> None:
    h = harness
    key = await h.account()
    body = complete(description="Buy oversold MSFT")
    created = await create(h, key, body)
    assert set(created) == OBJECT_FIELDS
    assert created["id"].startswith("alg_")
    assert len(created["id"]) == 16
    assert (created["status"], created["active"], created["version"]) == ("draft", False, 1)
    assert created["description"] == "Buy oversold MSFT"
    assert created["symbols"] == ["NASDAQ:MSFT"]
    assert created["exitConditions"]["stopLoss"] == {
        "type": "percentage",
        "value": 2.0,
        "price": None,
        "period": None,
    }
    assert created["createdAt"] == created["updatedAt"] == "2025-12-12T14:00:00Z"
    assert created["performance"]["totalTrades"] == 0
    assert created["performance"]["totalProfit"] == 0.0
    shown = await h.client.get(f"{BASE}/{created['id']}", headers=auth(key))
    assert shown.json() == created


INVALID_BODIES: list[tuple[dict[str, Any], str]] = [
    ({"name": ""}, "name"),
    ({"name": 7}, "name"),
    ({"name": "x", "riskParameters": {"maxDailyLoss": "60"}}, "riskParameters.maxDailyLoss"),
    ({"name": "x", "timeframe": "2h"}, "timeframe"),
    ({"name": "x", "symbols": ["msft"]}, "symbols.0"),
    ({"name": "x", "colour": "red"}, "colour"),
    (
        {
            "name": "x",
            "entryConditions": {
                "conditions": [
                    {
                        "type": "indicator_value",
                        "indicator": "RSI",
                        "period": "14",
                        "operator": "below",
                        "value": 30,
                    }
                ]
            },
        },
        "entryConditions.conditions.0.period",
    ),
]


async def test_invalid_bodies_are_400_naming_the_field(harness: Harness) -> None:
    key = await harness.account()
    for body, field in INVALID_BODIES:
        response = await harness.client.post(BASE, json=body, headers=auth(key))
        error = error_of(response, 400, "VALIDATION_ERROR")
        assert error["details"]["field"] == field, body
        assert field in error["details"]["fields"], body
        assert error["message"].startswith(f"{field}: "), body
    assert (await harness.client.get(BASE, headers=auth(key))).json()["data"] == []


async def test_unreadable_json_is_a_400_in_the_x3algo_shape(harness: Harness) -> None:
    key = await harness.account()
    headers = auth(key) | {"Content-Type": "application/json", "X-Request-ID": "req-1"}
    response = await harness.client.post(BASE, content=b"{not json", headers=headers)
    error = error_of(response, 400, "VALIDATION_ERROR")
    assert error["requestId"] == "req-1"
    assert error["message"] == (
        "body: not valid JSON: Expecting property name enclosed in double quotes"
        " at line 1, column 2"
    )
    assert error["details"]["field"] == "body"


async def test_every_auth_form_and_401(harness: Harness) -> None:
    h = harness
    key = await h.account()
    for kwargs in (
        {"headers": {"Authorization": f"Bearer {key}"}},
        {"headers": {"X-API-Key": key}},
        {"params": {"apiKey": key}},
    ):
        assert (await h.client.get(BASE, **kwargs)).status_code == 200  # type: ignore[arg-type]
    missing = await h.client.post(f"{BASE}/alg_x/stop")
    error_of(missing, 401, "UNAUTHORIZED")
    assert missing.headers["www-authenticate"] == "Bearer"
    error_of(await h.client.get(BASE, headers=auth("snp_wrong")), 401, "UNAUTHORIZED")


async def test_another_accounts_algorithm_is_404_everywhere(harness: Harness) -> None:
    h = harness
    alice = await h.account("alice")
    bob = await h.account("bob")
    algorithm = await create(h, alice)
    url = f"{BASE}/{algorithm['id']}"
    calls = [
        h.client.get(url, headers=auth(bob)),
        h.client.patch(url, json={"name": "mine"}, headers=auth(bob)),
        h.client.delete(url, headers=auth(bob)),
        *(h.client.post(f"{url}/{name}", headers=auth(bob)) for name in ("start", "stop")),
        *(h.client.post(f"{url}/{name}", headers=auth(bob)) for name in ("pause", "resume")),
    ]
    for pending in calls:
        error = error_of(await pending, 404, "NOT_FOUND")
        assert error["message"] == "Algorithm not found"
    listed = await h.client.get(BASE, headers=auth(bob))
    assert listed.json() == {
        "data": [],
        "pagination": {"page": 1, "limit": 20, "total": 0, "totalPages": 0},
    }
    assert (await h.client.get(url, headers=auth(alice))).json()["name"] == algorithm["name"]


async def test_patch_merges_nested_objects_and_bumps_version(harness: Harness) -> None:
    h = harness
    key = await h.account()
    algorithm = await create(h, key)
    h.clock.advance(timedelta(minutes=5))
    patch = {
        "exitConditions": {"takeProfit": {"type": "risk_reward", "ratio": 2}},
        "riskParameters": {"maxDailyLoss": None, "maxPositionSize": 20},
        "symbols": ["NYSE:IBM"],
    }
    response = await h.client.patch(f"{BASE}/{algorithm['id']}", json=patch, headers=auth(key))
    assert response.status_code == 200, response.text
    patched = response.json()
    assert patched["exitConditions"]["stopLoss"] == algorithm["exitConditions"]["stopLoss"]
    # merged into the stored take profit: `value` stays unless the patch removes it (null)
    assert patched["exitConditions"]["takeProfit"] == {
        "type": "risk_reward",
        "value": 4.0,
        "ratio": 2.0,
    }
    assert patched["riskParameters"]["maxDailyLoss"] is None
    assert patched["riskParameters"]["maxOpenPositions"] == 1
    assert patched["riskParameters"]["maxPositionSize"] == 20.0
    assert patched["symbols"] == ["NYSE:IBM"]
    assert patched["entryConditions"] == algorithm["entryConditions"]
    assert (patched["version"], patched["status"]) == (2, "stopped")
    assert patched["updatedAt"] == "2025-12-12T14:05:00Z"
    assert patched["createdAt"] == algorithm["createdAt"]
    assert (await h.client.get(f"{BASE}/{algorithm['id']}", headers=auth(key))).json() == patched


INVALID_PATCHES: list[tuple[dict[str, Any], str]] = [
    ({"riskParameters": {"maxDailyLoss": "60"}}, "riskParameters.maxDailyLoss"),
    ({"name": None}, "name"),
    ({"exitConditions": {"stopLoss": {"type": "bogus"}}}, "exitConditions.stopLoss.type"),
    ({"id": "alg_other"}, "id"),
]


async def test_invalid_patch_is_400_and_changes_nothing(harness: Harness) -> None:
    h = harness
    key = await h.account()
    algorithm = await create(h, key)
    url = f"{BASE}/{algorithm['id']}"
    for patch, field in INVALID_PATCHES:
        response = await h.client.patch(url, json=patch, headers=auth(key))
        assert error_of(response, 400, "VALIDATION_ERROR")["details"]["field"] == field, patch
    error_of(await h.client.patch(url, json=["name"], headers=auth(key)), 400, "VALIDATION_ERROR")
    assert (await h.client.get(url, headers=auth(key))).json() == algorithm


async def _page(h: Harness, key: str, **params: Any) -> dict[str, Any]:
    response = await h.client.get(BASE, params=params, headers=auth(key))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_list_pages_filters_and_sorts(harness: Harness) -> None:
    h = harness
    key = await h.account()
    names = ["delta", "alpha", "charlie", "bravo", "echo"]
    ids = []
    for index, name in enumerate(names):
        strategy = "swing" if index % 2 else "momentum"
        ids.append((await create(h, key, complete(name, strategyType=strategy)))["id"])
        h.clock.advance(timedelta(seconds=10))
    await command(h, key, ids[0], "start")
    first = await _page(h, key, limit=2)
    assert [a["name"] for a in first["data"]] == ["echo", "bravo"]
    assert first["pagination"] == {"page": 1, "limit": 2, "total": 5, "totalPages": 3}
    last = await _page(h, key, limit=2, page=3)
    assert [a["name"] for a in last["data"]] == ["delta"]
    beyond = await _page(h, key, limit=2, page=9)
    assert (beyond["data"], beyond["pagination"]["total"]) == ([], 5)
    by_name = await _page(h, key, sort="name", order="asc")
    assert [a["name"] for a in by_name["data"]] == sorted(names)
    oldest = await _page(h, key, sort="createdAt", order="asc", limit=1)
    assert oldest["data"][0]["name"] == "delta"
    updated = await _page(h, key, sort="updatedAt", limit=1)
    assert updated["data"][0]["name"] == "delta"  # started last
    swing = await _page(h, key, strategyType="swing")
    assert sorted(a["name"] for a in swing["data"]) == ["alpha", "bravo"]
    active = await _page(h, key, status="active")
    assert [a["id"] for a in active["data"]] == [ids[0]]
    drafts = await _page(h, key, status="draft", strategyType="momentum")
    assert sorted(a["name"] for a in drafts["data"]) == ["charlie", "echo"]


BAD_PARAMETERS: list[tuple[dict[str, Any], str]] = [
    ({"limit": 101}, "limit"),
    ({"limit": 0}, "limit"),
    ({"page": 0}, "page"),
    ({"page": "two"}, "page"),
    ({"sort": "price"}, "sort"),
    ({"order": "up"}, "order"),
    ({"status": "archived"}, "status"),
    ({"strategyType": "yolo"}, "strategyType"),
]


async def test_bad_list_parameters_are_400(harness: Harness) -> None:
    key = await harness.account()
    for params, field in BAD_PARAMETERS:
        response = await harness.client.get(BASE, params=params, headers=auth(key))
        assert error_of(response, 400, "VALIDATION_ERROR")["details"]["field"] == field, params


def _closed(h: Harness, pnl: float, n: int) -> ClosedTrade:
    at = h.clock.now() - timedelta(days=10 - n)
    return ClosedTrade(
        symbol="NASDAQ:MSFT",
        side="long",
        quantity=10,
        entry_at=at - timedelta(days=1),
        entry_price=100.0,
        exit_at=at,
        exit_price=100.0 + pnl / 10,
        pnl=pnl,
        exit_reason="take_profit" if pnl > 0 else "stop_loss",
        client_order_ids=(f"in-{n}", f"out-{n}"),
    )


async def test_performance_comes_from_the_paper_ledger_and_delete_keeps_it(
    harness: Harness,
) -> None:
    h = harness
    key = await h.account()
    algorithm = await create(h, key)
    trades = [_closed(h, 300.0, 1), _closed(h, -100.0, 2), _closed(h, 200.0, 3)]
    async with transaction(h.runtime.sessions) as session:
        assert await store.append_trades(session, algorithm["id"], trades, now=h.clock.now()) == 3
        assert await store.append_trades(session, algorithm["id"], trades, now=h.clock.now()) == 0
    shown = (await h.client.get(f"{BASE}/{algorithm['id']}", headers=auth(key))).json()
    performance = shown["performance"]
    assert performance["totalTrades"] == 3
    assert (performance["winningTrades"], performance["losingTrades"]) == (2, 1)
    assert (performance["totalProfit"], performance["totalLoss"]) == (500.0, 100.0)
    assert performance["winRate"] == 66.67
    assert performance["profitFactor"] == 5.0
    assert (performance["averageWin"], performance["averageLoss"]) == (250.0, 100.0)
    assert performance["maxDrawdown"] == pytest.approx(0.1, abs=0.01)
    response = await h.client.delete(f"{BASE}/{algorithm['id']}", headers=auth(key))
    assert (response.status_code, response.content) == (204, b"")
    error_of(await h.client.get(f"{BASE}/{algorithm['id']}", headers=auth(key)), 404, "NOT_FOUND")
    assert (await _page(h, key))["pagination"]["total"] == 0
    async with transaction(h.runtime.sessions) as session:
        row = await session.get(TradingAlgorithm, algorithm["id"])
        assert row is not None
        assert row.status == "archived"
        assert row.deleted_at is not None
        count = select(func.count()).where(AlgorithmTrade.algorithm_id == algorithm["id"])
        assert (await session.execute(count)).scalar_one() == 3
