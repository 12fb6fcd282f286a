"""Helpers of the algorithms API tests: a complete configuration, checked calls, error bodies."""

from __future__ import annotations

import copy
from typing import Any

import httpx

from tests.conftest import Harness

BASE = "/api/trading/algorithms"
# Every section x3algo names, complete enough to start (RSI momentum on MSFT, daily bars).
COMPLETE: dict[str, Any] = {
    "strategyType": "momentum",
    "timeframe": "1d",
    "symbols": ["NASDAQ:MSFT"],
    "positionSizing": {"method": "percentage", "value": 10},
    "entryConditions": {
        "positionType": "long",
        "logicalOperator": "AND",
        "confirmationCandles": 0,
        "conditions": [
            {
                "type": "indicator_value",
                "indicator": "RSI",
                "period": 14,
                "operator": "crosses_below",
                "value": 30,
            }
        ],
    },
    "exitConditions": {
        "stopLoss": {"type": "percentage", "value": 2},
        "takeProfit": {"type": "percentage", "value": 4},
    },
    "riskParameters": {"maxDailyLoss": 5, "maxOpenPositions": 1},
    "executionSettings": {"mode": "paper", "orderType": "market", "slippage": 0.001},
}

# A filing-event rule set: long on each 10-K, out after 5 bars or at -50 % / +50 %.
FILING_RULES: dict[str, Any] = {
    "entryConditions": {
        "positionType": "long",
        "conditions": [{"type": "filing_event", "formTypes": ["10-K"]}],
    },
    "exitConditions": {
        "stopLoss": {"type": "percentage", "value": 50},
        "takeProfit": {"type": "percentage", "value": 50},
        "timeBasedExit": {"maxBars": 5},
    },
}


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def complete(name: str = "RSI Momentum Strategy", **changes: Any) -> dict[str, Any]:
    """A complete create body named `name`, top-level keys replaced by `changes`."""
    return {"name": name, **copy.deepcopy(COMPLETE), **changes}


async def create(h: Harness, key: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    """`POST /api/trading/algorithms` (a complete body by default); asserts 201."""
    response = await h.client.post(BASE, json=body or complete(), headers=auth(key))
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def command(
    h: Harness, key: str, algorithm_id: str, name: str, *, status: int = 200
) -> dict[str, Any]:
    """`POST .../{id}/{name}`; asserts the HTTP status, returns the JSON body."""
    response = await h.client.post(f"{BASE}/{algorithm_id}/{name}", headers=auth(key))
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def error_of(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """Assert the x3algo error body (and `X-Request-ID` = `requestId`); return `error`."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}, body
    error: dict[str, Any] = body["error"]
    assert set(error) == {"message", "code", "status", "details", "requestId"}, error
    assert (error["status"], error["code"]) == (status, code), error
    assert error["requestId"] == response.headers["x-request-id"]
    return error
