"""The x3algo configuration schema: camelCase, strict types, what a draft lacks, what cannot
run, PATCH merging."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from sniper.trading.algorithms.config import (
    AlgorithmConfig,
    merge_patch,
    missing_fields,
    unsupported,
)
from tests.trading.engine.factories import BASE, config


def _errors(data: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as caught:
        AlgorithmConfig.model_validate(data)
    return [(".".join(map(str, e["loc"])), e["type"]) for e in caught.value.errors()]


def test_complete_config_round_trips_in_camel_case() -> None:
    cfg = config()
    assert missing_fields(cfg) == []
    assert unsupported(cfg) is None
    assert AlgorithmConfig.model_validate(cfg.to_wire()) == cfg
    assert cfg.to_wire()["entryConditions"]["conditions"][0]["indicator"] == "SMA"


def test_a_draft_lists_its_missing_fields_in_camel_case() -> None:
    draft = AlgorithmConfig.model_validate(
        {"symbols": ["NASDAQ:MSFT"], "positionSizing": {"method": "percentage"}}
    )
    assert missing_fields(draft) == [
        "strategyType",
        "timeframe",
        "positionSizing.value",
        "entryConditions.conditions",
        "exitConditions.stopLoss",
        "exitConditions.takeProfit",
        "executionSettings.mode",
    ]


def test_risk_parameters_fill_missing_stop_and_target() -> None:
    cfg = config({"exitConditions": None, "riskParameters": {"stopLoss": 2, "takeProfit": 4}})
    assert missing_fields(cfg) == []


@pytest.mark.parametrize(
    ("patch", "location"),
    [
        ({"positionSizing": {"value": "10"}}, "positionSizing.value"),
        ({"entryConditions": {"confirmationCandles": True}}, "entryConditions.confirmationCandles"),
        ({"executionSettings": {"slippage": "0.001"}}, "executionSettings.slippage"),
    ],
)
def test_strings_and_booleans_are_not_numbers(patch: dict[str, Any], location: str) -> None:
    errors = _errors(merge_patch(BASE, patch))
    assert [loc for loc, _ in errors] == [location]


def test_unknown_keys_bad_symbols_and_bad_fields_are_refused() -> None:
    assert _errors({"symbol": ["NASDAQ:MSFT"]}) == [("symbol", "extra_forbidden")]
    assert _errors({"symbols": ["MSFT"]})[0][0] == "symbols.0"
    assert _errors({"symbols": ["NASDAQ:MSFT", "NASDAQ:MSFT"]})[0][1] == "value_error"
    condition = {
        "type": "indicator_value",
        "indicator": "RSI",
        "period": 14,
        "field": "upper",
        "operator": "below",
        "value": 30,
    }
    errors = _errors({"entryConditions": {"conditions": [condition]}})
    assert errors == [("entryConditions.conditions.0.indicator_value", "value_error")]


def test_filing_event_condition_needs_form_types() -> None:
    ok = {"entryConditions": {"conditions": [{"type": "filing_event", "formTypes": ["8-K"]}]}}
    assert AlgorithmConfig.model_validate(ok).entry_conditions is not None
    empty = {"entryConditions": {"conditions": [{"type": "filing_event", "formTypes": []}]}}
    assert _errors(empty)[0][0] == "entryConditions.conditions.0.filing_event.formTypes"


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ({"executionSettings": {"mode": "live"}}, "live trading needs a broker adapter"),
        ({"positionSizing": {"method": "kelly_criterion"}}, "kelly_criterion is not supported"),
        ({"exitConditions": {"stopLoss": {"type": "indicator"}}}, "indicator stop loss"),
        ({"executionSettings": {"orderType": "limit"}}, "orderType limit"),
    ],
)
def test_complete_but_unsupported_configs_say_why(patch: dict[str, Any], message: str) -> None:
    reason = unsupported(config(patch))
    assert reason is not None
    assert message in reason


def test_merge_patch_merges_objects_replaces_lists_and_clears_with_none() -> None:
    base = {"a": {"b": 1, "c": [1, 2]}, "d": 1, "e": {"f": 1}}
    patch = {"a": {"c": [3], "g": 2}, "d": None, "e": 5}
    assert merge_patch(base, patch) == {"a": {"b": 1, "c": [3], "g": 2}, "e": 5}
    assert base == {"a": {"b": 1, "c": [1, 2]}, "d": 1, "e": {"f": 1}}
