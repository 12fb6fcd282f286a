"""Contract test of the x3algo surface: the request examples of x3algo's algorithm and backtest
pages (copied verbatim into `tests/contracts/x3algo/`, the page URL beside each) replayed in
order against the app, checking the documented status, response field types and values.

The pages' example ids (`507f1f77bcf86cd799439011` the algorithm, `...013` the backtest) stand
for the ids this replay created; `Authorization` carries a real key."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Harness

EXAMPLES = sorted((Path(__file__).parent / "x3algo").glob("*.json"))
ALGORITHM_ID, BACKTEST_ID = "507f1f77bcf86cd799439011", "507f1f77bcf86cd799439013"
TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "number": (int, float),
    "boolean": (bool,),
    "object": (dict,),
    "array": (list,),
}


def _at(body: Any, dotted: str) -> Any:
    """The value at a dotted path (`entryConditions.conditions.0.comparison`)."""
    for part in dotted.split("."):
        body = body[int(part)] if isinstance(body, list) else body[part]
    return body


def _check(name: str, response_body: Any, expect: dict[str, Any]) -> None:
    for dotted, kind in expect.get("fields", {}).items():
        value = _at(response_body, dotted)
        wrong = f"{name}: {dotted} is {value!r}, documented as {kind}"
        assert isinstance(value, TYPES[kind]), wrong
        assert kind == "boolean" or not isinstance(value, bool), wrong
    for dotted, wanted in expect.get("values", {}).items():
        assert _at(response_body, dotted) == wanted, f"{name}: {dotted}"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_names_its_page(path: Path) -> None:
    example = json.loads(path.read_text())
    assert example["page"].startswith(("https://x3algo.com/", "https://www.x3algo.com/"))
    assert {"method", "path", "headers"} <= set(example["request"])
    assert "status" in example["expect"]


async def test_documented_examples_replay_in_order(harness: Harness) -> None:
    key = await harness.account()
    ids = {ALGORITHM_ID: ALGORITHM_ID, BACKTEST_ID: BACKTEST_ID}
    for path in EXAMPLES:
        example = json.loads(path.read_text())
        request, expect = example["request"], example["expect"]
        url = request["path"]
        body = json.dumps(request["body"]) if "body" in request else None
        for documented, ours in ids.items():
            url = url.replace(documented, ours)
            body = body.replace(documented, ours) if body else body
        headers = {**request["headers"], "Authorization": f"Bearer {key}"}
        response = await harness.client.request(
            request["method"], url, content=body, headers=headers
        )
        assert response.status_code == expect["status"], f"{path.stem}: {response.text}"
        answer = response.json()
        _check(path.stem, answer, expect)
        if path.stem.endswith("create_algorithm"):
            ids[ALGORITHM_ID] = answer["id"]
        if path.stem.endswith("create_backtest"):
            ids[BACKTEST_ID] = answer["id"]
