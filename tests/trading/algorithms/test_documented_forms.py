"""x3algo's documented alternative field names (create example, configuration-schema and
comparison-operators pages) are accepted, answered in the engine's form and start; a field in
the wrong place is a 400 naming its section; `name` is generated when omitted."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Harness
from tests.trading.algorithms.support import BASE, auth, command, complete, create, error_of


async def test_name_is_generated_when_omitted(harness: Harness) -> None:
    key = await harness.account()
    first = await create(harness, key, {"strategyType": "momentum"})
    second = await create(harness, key, {"timeframe": "1d"})
    assert (first["name"], second["name"]) == ("Algorithm #1", "Algorithm #2")
    assert first["status"] == "draft"


async def test_patch_cannot_remove_the_name(harness: Harness) -> None:
    key = await harness.account()
    created = await create(harness, key)
    response = await harness.client.patch(
        f"{BASE}/{created['id']}", json={"name": None}, headers=auth(key)
    )
    assert error_of(response, 400, "VALIDATION_ERROR")["details"]["field"] == "name"


DOCUMENTED = {
    "symbols": ["NSE:RELIANCE", "NSE:TCS"],
    "positionSizing": {
        "method": "volatility_adjusted",
        "riskPercentage": 1,
        "atrPeriod": 14,
        "atrMultiplier": 2,
        "pyramiding": {"enabled": False},
    },
    "entryConditions": {
        "positionType": "long",
        "logicalOperator": "OR",
        "conditions": [
            {
                "type": "indicator_value",
                "indicator": "RSI",
                "period": 14,
                "comparison": "below",
                "value": 30,
            },
            {
                "type": "indicator_indicator",
                "indicator1": "EMA",
                "period1": 9,
                "indicator2": "EMA",
                "period2": 21,
                "operator": "above",
            },
            {
                "type": "price_indicator",
                "priceType": "high",
                "indicator": "SMA",
                "period": 20,
                "operator": "above",
            },
        ],
    },
    "exitConditions": {
        "stopLoss": {"type": "atr", "atrPeriod": 10, "atrMultiplier": 1.5},
        "takeProfit": {"type": "percentage", "percentage": 4},
        "breakEvenStop": {"activationPercentage": 1, "offsetPercentage": 0.1},
        "partialExits": [{"percentage": 50, "targetPercentage": 2}],
    },
    "executionSettings": {"mode": "paper", "exchange": "NSE", "orderType": "market"},
}


async def test_documented_forms_are_accepted_and_start(harness: Harness) -> None:
    key = await harness.account()
    created = await create(harness, key, complete(**DOCUMENTED))
    conditions = created["entryConditions"]["conditions"]
    assert conditions[0]["operator"] == "below"
    assert (conditions[1]["indicator"], conditions[1]["period"]) == ("EMA", 9)
    assert (conditions[1]["compareIndicator"], conditions[1]["comparePeriod"]) == ("EMA", 21)
    assert conditions[2]["priceType"] == "high"
    sizing = created["positionSizing"]
    assert (sizing["value"], sizing["atrPeriod"], sizing["atrMultiplier"]) == (1.0, 14, 2.0)
    stop = created["exitConditions"]["stopLoss"]
    assert (stop["value"], stop["period"]) == (1.5, 10)
    assert created["exitConditions"]["takeProfit"]["value"] == 4.0
    assert created["executionSettings"]["exchange"] == "NSE"
    assert created["status"] == "draft"
    started = await command(harness, key, created["id"], "start")
    assert started["status"] == "active"


async def test_fixed_stop_at_a_price_level(harness: Harness) -> None:
    key = await harness.account()
    exits = {"stopLoss": {"type": "fixed", "price": 490}, "takeProfit": DOCUMENTED_TP}
    created = await create(harness, key, complete(exitConditions=exits))
    assert created["exitConditions"]["stopLoss"]["price"] == 490.0


DOCUMENTED_TP = {"type": "percentage", "value": 4}
REFUSED: list[tuple[dict[str, Any], str]] = [
    ({"positionSizing": {"method": "percentage", "fixedQuantity": 5}}, "positionSizing"),
    ({"positionSizing": {"method": "percentage", "atrPeriod": 5}}, "positionSizing"),
    (
        {"positionSizing": {"method": "percentage", "value": 2, "pyramiding": {"enabled": True}}},
        "positionSizing.pyramiding.enabled",
    ),
    ({"exitConditions": {"stopLoss": {"type": "percentage", "price": 5}}}, "exitConditions"),
    ({"exitConditions": {"stopLoss": {"type": "fixed"}}}, "exitConditions.stopLoss"),
    (
        {"symbols": ["NASDAQ:MSFT"], "executionSettings": {"mode": "paper", "exchange": "NSE"}},
        "body",
    ),
    ({"executionSettings": {"exchange": "nse"}}, "executionSettings.exchange"),
    (
        {
            "exitConditions": {
                "partialExits": [
                    {"percentage": 60, "targetPercentage": 2},
                    {"percentage": 50, "targetPercentage": 3},
                ]
            }
        },
        "exitConditions",
    ),
]


@pytest.mark.parametrize(("changes", "field"), REFUSED)
async def test_misplaced_documented_fields_are_refused(
    harness: Harness, changes: dict[str, Any], field: str
) -> None:
    key = await harness.account()
    body = {"name": "x", **changes}
    response = await harness.client.post(BASE, json=body, headers=auth(key))
    error = error_of(response, 400, "VALIDATION_ERROR")
    assert error["details"]["field"].startswith(field), error
