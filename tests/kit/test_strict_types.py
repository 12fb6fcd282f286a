"""Strict JSON types on the create body: no silent coercion (issue 3 item 7)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Harness


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"ticker": 5}, "ticker"),
        ({"ticker": True}, "ticker"),
        ({"ticker": ["AAPL"]}, "ticker"),
        ({"ticker": None}, "ticker"),
        ({"ticker": "AAPL", "duration_minutes": "60"}, "duration_minutes"),
        ({"ticker": "AAPL", "duration_minutes": 60.0}, "duration_minutes"),
        ({"ticker": "AAPL", "duration_minutes": 60.5}, "duration_minutes"),
        ({"ticker": "AAPL", "duration_minutes": True}, "duration_minutes"),
        ({"ticker": "AAPL", "start_time": 1765548000}, "start_time"),
        ({"ticker": "AAPL", "end_time": False}, "end_time"),
        ({"ticker": "AAPL", "form_types": ["8-K", 10]}, "form_types.1"),
        ({"ticker": "AAPL", "form_types": "8-K"}, "form_types"),
        ({"ticker": "AAPL", "form_types": {"0": "8-K"}}, "form_types"),
        ({"ticker": "AAPL", "webhook_url": 7}, "webhook_url"),
    ],
)
async def test_wrong_json_types_are_400_naming_the_field(
    harness: Harness, body: dict[str, Any], field: str
) -> None:
    key = await harness.account()
    response = await harness.client.post(
        "/api/v1/sniper/targets", json=body, headers={"X-API-Key": key}
    )
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert (error["code"], error["details"]["field"]) == ("BAD_REQUEST", field)


@pytest.mark.parametrize("body", [[{"ticker": "AAPL"}], "AAPL", 5, None])
async def test_a_body_that_is_not_an_object_is_400(harness: Harness, body: Any) -> None:
    key = await harness.account()
    response = await harness.client.post(
        "/api/v1/sniper/targets", json=body, headers={"X-API-Key": key}
    )
    assert response.status_code == 400


async def test_correct_types_still_pass(harness: Harness) -> None:
    key = await harness.account()
    response = await harness.client.post(
        "/api/v1/sniper/targets",
        json={"ticker": "aapl", "duration_minutes": 90, "form_types": ["8-k"], "extra": 1},
        headers={"X-API-Key": key},
    )
    assert response.status_code == 200, response.text
    assert response.json()["form_types"] == ["8-K"]
