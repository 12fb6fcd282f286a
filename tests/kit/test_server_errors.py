"""Issue 10 item 7: a 500 answers in the shape of the surface it happened on, with the request id
and no stack trace, and the stack goes to the log. The failure is a service that raises (the
renderer is what is tested, not the service)."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest

from sniper.targets import service as targets
from sniper.trading.algorithms import repository as algorithms
from sniper.trading.control import service as control
from tests.conftest import Harness


def _boom(*_args: Any, **_kwargs: Any) -> Any:
    raise RuntimeError("database on fire")


def _x3(body: dict[str, Any], rid: str) -> None:
    assert body == {
        "error": {
            "message": "Unexpected server-side failure",
            "code": "INTERNAL_ERROR",
            "status": 500,
            "details": {},
            "requestId": rid,
        }
    }


def _control(body: dict[str, Any], rid: str) -> None:
    assert body == {"detail": "Unexpected server-side failure"}


def _sniper(body: dict[str, Any], rid: str) -> None:
    assert body["status"] == "error"
    assert body["request_id"] == rid
    assert body["error"]["code"] == "INTERNAL_ERROR"


SURFACES = [
    (algorithms, "list_page", "/api/trading/algorithms", _x3),
    (control, "client_status", "/api/v1/trading/status", _control),
    (targets, "list_targets", "/api/v1/sniper/targets", _sniper),
]


@pytest.mark.parametrize(("owner", "name", "path", "check"), SURFACES)
async def test_a_500_keeps_the_surface_shape_and_logs_the_stack(
    harness: Harness,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    owner: object,
    name: str,
    path: str,
    check: Any,
) -> None:
    key = await harness.account("alice")
    monkeypatch.setattr(owner, name, _boom)
    # As a server answers: the app-wide handler re-raises after its 500 for uvicorn to log.
    transport = httpx.ASGITransport(app=harness.app, raise_app_exceptions=False)  # type: ignore[arg-type]
    with caplog.at_level(logging.ERROR):
        async with httpx.AsyncClient(transport=transport, base_url="http://sniper.test") as client:
            response = await client.get(path, headers={"X-API-Key": key})
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/json"
    check(response.json(), response.headers["x-request-id"])
    assert "database on fire" not in response.text
    assert any("database on fire" in (r.exc_text or "") for r in caplog.records)
