"""Helpers of the trading-control tests: auth headers, checked calls, the seed 004 field set."""

from __future__ import annotations

from typing import Any

from tests.conftest import Harness

# Seed 004: every field of the stop response (status = these without `result`).
SEED_FIELDS = {
    "client",
    "clientName",
    "oddsFormat",
    "status",
    "tradingActive",
    "manualPaused",
    "manualPausedAt",
    "manualPauseReason",
    "manualStopped",
    "manualStoppedAt",
    "manualStopReason",
    "systemTradingBlocked",
    "emergencyActive",
    "systemStopped",
    "softPaused",
    "systemReason",
    "systemDurationSeconds",
}

# (paused, stopped) before → command → (result, (paused, stopped) after), no system flag.
P, S, PS, NONE = (True, False), (False, True), (True, True), (False, False)
TABLE: dict[tuple[tuple[bool, bool], str], tuple[str, tuple[bool, bool]]] = {
    (NONE, "pause"): ("pause_applied", P),
    (NONE, "stop"): ("stop_applied", S),
    (NONE, "resume"): ("already_live", NONE),
    (NONE, "start"): ("already_live", NONE),
    (P, "pause"): ("already_paused", P),
    (P, "stop"): ("stop_applied", PS),
    (P, "resume"): ("resume_applied", NONE),
    (P, "start"): ("start_applied", NONE),
    (S, "pause"): ("pause_applied", PS),
    (S, "stop"): ("already_stopped", S),
    (S, "resume"): ("start_required", S),
    (S, "start"): ("start_applied", NONE),
    (PS, "pause"): ("already_paused", PS),
    (PS, "stop"): ("already_stopped", PS),
    (PS, "resume"): ("start_required", PS),
    (PS, "start"): ("start_applied", NONE),
}


def auth(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


async def call(
    h: Harness, key: str, command: str, *, status: int = 200, **kwargs: Any
) -> dict[str, Any]:
    """`POST /api/v1/trading/{command}`; asserts the HTTP status, returns the JSON body."""
    response = await h.client.post(f"/api/v1/trading/{command}", headers=auth(key), **kwargs)
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


async def client_status(h: Harness, key: str) -> dict[str, Any]:
    response = await h.client.get("/api/v1/trading/status", headers=auth(key))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == SEED_FIELDS
    return body


async def admin(
    h: Harness, key: str, path: str, reason: str = "ops", *, status: int = 200, **body: Any
) -> dict[str, Any]:
    """`POST /api/v1/admin/trading/{path}` with `{"reason": reason, **body}`."""
    response = await h.client.post(
        f"/api/v1/admin/trading/{path}", headers=auth(key), json={"reason": reason, **body}
    )
    assert response.status_code == status, response.text
    result: dict[str, Any] = response.json()
    return result
