"""Bad-input classes of issue 10 (items 2-5), on every API surface, on SQLite and PostgreSQL:
U+0000 and lone surrogates in query, path and JSON strings, timestamps at `datetime`'s limits,
non-finite numbers. Each is a 4xx in the surface's own shape naming the field, never a 500, and
nothing is written. Bodies are sent as raw JSON text (`"\\ud800"`, `1e999` are valid JSON that
`json.dumps` will not produce)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import Harness
from tests.trading.algorithms.support import COMPLETE

SNIPER, X3, CONTROL = "sniper", "x3algo", "control"
JSON = {"Content-Type": "application/json"}
ALGORITHM = '{"name":"n","strategyType":"momentum","positionSizing":{"method":"percentage",'
CONTROL_POSTS = [
    "/api/v1/trading/pause",
    "/api/v1/trading/stop",
    "/api/v1/admin/trading/emergency",
    "/api/v1/admin/trading/soft-pause",
    "/api/v1/admin/trading/system-stop",
    "/api/v1/admin/trading/emergency/clear",
]

# (surface, method, path, raw body or None, the field the answer must name)
CASES: list[tuple[str, str, str, str | None, str]] = [
    (SNIPER, "GET", "/api/v1/sniper/targets?ticker=%00", None, "ticker"),
    (SNIPER, "GET", "/api/v1/sniper/targets?status=ACTIVE%00", None, "status"),
    (SNIPER, "POST", "/api/v1/sniper/targets", '{"ticker":"XOM\\u0000"}', "ticker"),
    (SNIPER, "POST", "/api/v1/sniper/targets", '{"ticker":"XOM\\ud800"}', "ticker"),
    (
        SNIPER,
        "POST",
        "/api/v1/sniper/targets",
        '{"ticker":"XOM","form_types":["10-K\\u0000"]}',
        "form_types.0",
    ),
    (
        SNIPER,
        "POST",
        "/api/v1/sniper/targets",
        '{"ticker":"XOM","start_time":"9999-12-31T23:30:00Z"}',
        "start_time",
    ),
    (
        SNIPER,
        "POST",
        "/api/v1/sniper/targets",
        '{"ticker":"XOM","end_time":"0001-01-01T00:00:00+01:00"}',
        "end_time",
    ),
    (SNIPER, "POST", "/api/v1/sniper/targets/%00/stop", None, "target_id"),
    (SNIPER, "GET", "/api/v1/cusip/ticker/%00", None, "ticker"),
    (SNIPER, "GET", "/api/v1/cusip/lookup/%00", None, "cusip"),
    (SNIPER, "GET", "/api/v1/sec/filings/%00", None, "accession_number"),
    (SNIPER, "POST", "/api/v1/webhooks/deliveries/%00/redeliver", None, "delivery_id"),
    (SNIPER, "PUT", "/api/v1/user/", '{"webhook_url":"https://a.example/\\ud800"}', "webhook_url"),
    (SNIPER, "PUT", "/api/v1/user/", '{"\\u0000":1}', "\\x00"),
    (X3, "GET", "/api/trading/algorithms/%00", None, "algorithm_id"),
    (X3, "GET", "/api/trading/algorithms?status=%00", None, "status"),
    (X3, "POST", "/api/backtests", '{"algorithmId":"\\u0000"}', "algorithmId"),
    (
        X3,
        "POST",
        "/api/backtests",
        '{"algorithmId":"a","startDate":"2020-01-01","endDate":"2021-01-01",'
        '"initialBalance":1e999}',
        "initialBalance",
    ),
    (X3, "POST", "/api/trading/algorithms", ALGORITHM + '"value":1e999}}', "positionSizing.value"),
    (X3, "POST", "/api/trading/algorithms", ALGORITHM + '"value":-1e999}}', "positionSizing.value"),
    (X3, "POST", "/api/trading/algorithms", ALGORITHM + '"value":NaN}}', "positionSizing.value"),
    (X3, "POST", "/api/trading/algorithms", '{"name":"RSI\\ud800"}', "name"),
    (X3, "PATCH", "/api/trading/algorithms/x", '{"description":"\\u0000"}', "description"),
    (CONTROL, "POST", "/api/v1/trading/pause?reason=%00", None, "reason"),
    (
        CONTROL,
        "POST",
        "/api/v1/admin/trading/soft-pause",
        '{"reason":"r","until":"9999-12-31T23:59:59-01:00"}',
        "until",
    ),
    (
        CONTROL,
        "POST",
        "/api/v1/admin/trading/soft-pause",
        '{"reason":"r","until":"0001-01-01T00:00:00+01:00"}',
        "until",
    ),
    *[(CONTROL, "POST", path, '{"reason":"\\ud800"}', "reason") for path in CONTROL_POSTS],
    *[(CONTROL, "POST", path, '{"x":1e999}', "x") for path in CONTROL_POSTS],
]


def _field(surface: str, response: httpx.Response) -> str:
    """The field an error body names, read the way each surface's clients read it."""
    body = response.json()
    if surface == CONTROL:
        assert response.status_code == 422, response.text
        return ".".join(str(part) for part in body["detail"][0]["loc"][1:])
    assert response.status_code == 400, response.text
    if surface == X3:
        assert body["error"]["code"] == "VALIDATION_ERROR"
        return str(body["error"]["details"]["field"])
    assert body["status"] == "error"
    return str(body["error"]["details"]["field"])


async def _written(h: Harness, key: str) -> dict[str, Any]:
    """What the account can see of its own state."""
    auth = {"X-API-Key": key}
    targets = await h.client.get("/api/v1/sniper/targets", headers=auth)
    algorithms = await h.client.get("/api/trading/algorithms", headers=auth)
    status = await h.client.get("/api/v1/trading/status", headers=auth)
    user = await h.client.get("/api/v1/user/", headers=auth)
    return {
        "targets": targets.json()["meta"]["total"],
        "algorithms": algorithms.json()["pagination"]["total"],
        "status": status.json()["status"],
        "webhook_url": user.json()["user"]["webhook_url"],
    }


@pytest.mark.parametrize(("surface", "method", "path", "body", "field"), CASES)
async def test_unstorable_input_is_a_4xx_naming_the_field_and_writes_nothing(
    harness: Harness, surface: str, method: str, path: str, body: str | None, field: str
) -> None:
    key = await harness.account("alice", admin=True)
    before = await _written(harness, key)
    response = await harness.client.request(
        method,
        path,
        content=None if body is None else body.encode(),
        headers={"X-API-Key": key} | (JSON if body is not None else {}),
    )
    assert _field(surface, response) == field
    assert await _written(harness, key) == before


async def test_a_backtest_range_at_the_calendar_limits_is_a_400(harness: Harness) -> None:
    key = await harness.account("alice")
    auth = {"X-API-Key": key}
    created = await harness.client.post(
        "/api/trading/algorithms", headers=auth, json={"name": "n", **COMPLETE}
    )
    algorithm_id = created.json()["id"]
    for start, end, field in (
        ("2020-01-01", "9999-12-31", "endDate"),
        ("0001-01-01", "2020-01-01", "startDate"),
    ):
        body = {"algorithmId": algorithm_id, "startDate": start, "endDate": end}
        response = await harness.client.post(
            "/api/backtests", headers=auth, json=body | {"initialBalance": 1000}
        )
        assert response.status_code == 400, response.text
        assert response.json()["error"]["details"]["field"] == field
