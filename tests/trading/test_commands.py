"""The command table through the API: every (client flags x system flags x command) → stored
flags, derived `status`, `tradingActive`, `result`, HTTP status; a repeat keeps the first reason
and timestamp (issue 5 "Done when"; DESIGN.md "Trading control plane")."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from sniper.db.session import transaction
from sniper.models import TradingClientControl, TradingControlAudit
from tests.conftest import Harness
from tests.trading.support import NONE, SEED_FIELDS, TABLE, admin, auth, call, client_status

# System flags set for a case: path → the client status they produce.
SYSTEMS: dict[tuple[str, ...], str | None] = {
    (): None,
    ("soft-pause",): "soft_paused",
    ("system-stop",): "system_stopped",
    ("emergency",): "emergency",
    ("soft-pause", "emergency"): "emergency",
    ("soft-pause", "system-stop"): "system_stopped",
}


def _own_status(paused: bool, stopped: bool) -> str:
    return "manual_stopped" if stopped else "manual_paused" if paused else "live"


async def _stored(h: Harness, client: str) -> tuple[bool, bool]:
    async with transaction(h.runtime.sessions) as session:
        row = await session.get(TradingClientControl, int(client))
        return (row.manual_paused, row.manual_stopped) if row else NONE


async def _prepare(h: Harness, key: str, flags: tuple[bool, bool]) -> None:
    if flags[0]:
        await call(h, key, "pause", json={"reason": "first pause"})
    if flags[1]:
        await call(h, key, "stop", params={"reason": "first stop"})


async def _case(h: Harness, index: int, system: tuple[str, ...], before: Any, command: str) -> None:
    case = f"{system} {before} {command}"
    key = await h.account(f"client{index}")
    await _prepare(h, key, before)
    h.clock.advance(60)
    blocked_by = SYSTEMS[system]
    refused = blocked_by is not None and command in ("resume", "start")
    result, after = ("system_blocked", before) if refused else TABLE[(before, command)]
    response = await h.client.post(f"/api/v1/trading/{command}", headers=auth(key))
    assert response.status_code == (409 if refused else 200), case
    body = response.json()
    status = await client_status(h, key)
    assert await _stored(h, status["client"]) == after, case
    expected_status = blocked_by or _own_status(*after)
    assert status["status"] == expected_status, case
    assert status["tradingActive"] is (expected_status == "live"), case
    assert (status["manualPaused"], status["manualStopped"]) == after, case
    assert status["systemTradingBlocked"] is (blocked_by is not None), case
    if refused:
        assert isinstance(body["detail"], str), case
        return
    assert set(body) == SEED_FIELDS | {"result"}, case
    assert body["result"] == result, case
    assert {k: v for k, v in body.items() if k != "result"} == status, case


async def test_every_client_and_system_state_and_command(harness: Harness) -> None:
    h = harness
    root = await h.account("root", admin=True)
    for index, (system, (before, command)) in enumerate(itertools.product(SYSTEMS, TABLE)):
        for path in system:
            await admin(h, root, path, "table")
        await _case(h, index, system, before, command)
        for path in system:
            await admin(h, root, f"{path}/clear", "table done")
    async with transaction(h.runtime.sessions) as session:
        rows = (await session.execute(select(TradingControlAudit))).scalars().all()
    refusals = [row for row in rows if row.result == "system_blocked"]
    assert len(refusals) == 5 * 8  # 5 blocking system states x 4 client states x resume/start
    assert {row.http_status for row in refusals} == {409}


async def test_a_repeat_keeps_the_first_reason_and_timestamp(harness: Harness) -> None:
    h = harness
    key = await h.account()
    first = await call(h, key, "pause", json={"reason": "lunch"})
    h.clock.advance(timedelta(minutes=3))
    again = await call(h, key, "pause", json={"reason": "second thoughts"})
    assert again["result"] == "already_paused"
    assert again["manualPausedAt"] == first["manualPausedAt"] == "2025-12-12T14:00:00Z"
    assert again["manualPauseReason"] == "lunch"
    stop = await call(h, key, "stop", params={"reason": "end of day"})
    h.clock.advance(timedelta(minutes=3))
    stop_again = await call(h, key, "stop", json={"reason": "really"})
    assert stop_again["result"] == "already_stopped"
    assert stop_again["manualStoppedAt"] == stop["manualStoppedAt"] == "2025-12-12T14:03:00Z"
    assert stop_again["manualStopReason"] == "end of day"
    started = await call(h, key, "start")
    assert started["result"] == "start_applied"
    assert started["manualPausedAt"] is None
    assert started["manualStopReason"] is None
    assert started["status"] == "live"
    assert started["tradingActive"] is True


async def test_reason_from_body_or_query_and_its_limits(harness: Harness) -> None:
    h = harness
    key = await h.account()
    by_query = await call(h, key, "pause", params={"reason": "  from the query  "})
    assert by_query["manualPauseReason"] == "from the query"
    by_body = await call(h, key, "stop", json={"reason": "from the body"})
    assert by_body["manualStopReason"] == "from the body"
    await call(h, key, "start")
    blank = await call(h, key, "pause", json={"reason": "   "})
    assert blank["manualPauseReason"] is None
    for kwargs in ({"json": {"reason": "x" * 501}}, {"params": {"reason": "x" * 501}}):
        refused = await call(h, key, "stop", status=422, **kwargs)
        assert refused["detail"][0]["type"] == "string_too_long"
    unknown = await call(h, key, "stop", status=422, json={"reason": "ok", "why": "typo"})
    assert unknown["detail"][0]["loc"] == ["body", "why"]
    assert (await client_status(h, key))["manualStopped"] is False
