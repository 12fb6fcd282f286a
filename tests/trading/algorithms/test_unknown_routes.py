"""Unknown routes and missing methods under x3algo paths answer in x3algo's error body
(`{"error": {message, code, status, details, requestId}}`, error-codes page), the other
surfaces keep theirs."""

from __future__ import annotations

import pytest

from tests.conftest import Harness
from tests.trading.algorithms.support import auth, error_of


@pytest.mark.parametrize(
    "path",
    [
        "/api/trading/algorithms/alg_x/unknown-command",
        "/api/trading/nothing-here",
        "/api/backtests/bt_1/extra/segments",
    ],
)
async def test_unknown_x3algo_path_is_an_x3algo_404(harness: Harness, path: str) -> None:
    key = await harness.account()
    response = await harness.client.get(path, headers=auth(key))
    error_of(response, 404, "NOT_FOUND")


async def test_missing_method_is_an_x3algo_405_with_allow(harness: Harness) -> None:
    key = await harness.account()
    response = await harness.client.put("/api/trading/algorithms", headers=auth(key))
    error = error_of(response, 405, "ERROR")
    assert error["message"] == "Method Not Allowed"
    assert "POST" in response.headers["allow"]


async def test_sniper_paths_keep_the_sniper_envelope(harness: Harness) -> None:
    response = await harness.client.get("/api/v1/sniper/nothing-here")
    assert response.status_code == 404
    assert response.json()["status"] == "error"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/api/v1/trading/nothing-here", 404),
        ("GET", "/api/v1/admin/trading/nothing-here", 404),
        ("PUT", "/api/v1/trading/status", 405),
    ],
)
async def test_unknown_55tech_path_is_a_detail_error(
    harness: Harness, method: str, path: str, status: int
) -> None:
    key = await harness.account()
    response = await harness.client.request(method, path, headers=auth(key))
    assert response.status_code == status
    assert set(response.json()) == {"detail"}
