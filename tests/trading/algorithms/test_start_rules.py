"""What start and resume check: completeness (`missingFields`), runnable configuration, the
trading control plane (409) and the daily loss limit (403); stop is never blocked."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sniper.db.session import transaction
from sniper.trading.algorithms import store
from sniper.trading.engine.performance import ClosedTrade
from tests.conftest import Harness
from tests.trading.algorithms.support import BASE, auth, command, complete, create, error_of
from tests.trading.support import admin, call


async def test_incomplete_draft_cannot_start_until_patched_complete(harness: Harness) -> None:
    h = harness
    key = await h.account()
    draft = await create(h, key, {"name": "Half done", "symbols": ["NASDAQ:MSFT"]})
    assert (draft["status"], draft["active"], draft["version"]) == ("draft", False, 1)
    assert draft["entryConditions"] is None
    response = await h.client.post(f"{BASE}/{draft['id']}/start", headers=auth(key))
    error = error_of(response, 400, "VALIDATION_ERROR")
    assert error["details"]["missingFields"] == [
        "strategyType",
        "timeframe",
        "positionSizing",
        "entryConditions.conditions",
        "exitConditions.stopLoss",
        "exitConditions.takeProfit",
        "executionSettings.mode",
    ]
    full = complete()
    partial = {k: v for k, v in full.items() if k not in ("name", "executionSettings")}
    patched = await h.client.patch(f"{BASE}/{draft['id']}", json=partial, headers=auth(key))
    assert (patched.json()["status"], patched.json()["version"]) == ("draft", 2)
    response = await h.client.post(f"{BASE}/{draft['id']}/start", headers=auth(key))
    error = error_of(response, 400, "VALIDATION_ERROR")
    assert error["details"]["missingFields"] == ["executionSettings.mode"]
    patched = await h.client.patch(
        f"{BASE}/{draft['id']}", json={"executionSettings": {"mode": "paper"}}, headers=auth(key)
    )
    assert (patched.json()["status"], patched.json()["version"]) == ("stopped", 3)
    assert (await command(h, key, draft["id"], "start"))["status"] == "active"


async def test_live_mode_is_refused_with_a_clear_message(harness: Harness) -> None:
    h = harness
    key = await h.account()
    live = await create(h, key, complete(executionSettings={"mode": "live"}))
    response = await h.client.post(f"{BASE}/{live['id']}/start", headers=auth(key))
    error = error_of(response, 400, "VALIDATION_ERROR")
    assert "live trading needs a broker adapter" in error["message"]
    assert error["details"]["unsupported"].startswith("live trading")
    shown = await h.client.get(f"{BASE}/{live['id']}", headers=auth(key))
    assert shown.json()["status"] == "draft"


@pytest.mark.parametrize(
    ("flag", "status"),
    [("pause", "manual_paused"), ("stop", "manual_stopped")],
)
async def test_a_client_pause_or_stop_blocks_start_and_resume(
    harness: Harness, flag: str, status: str
) -> None:
    h = harness
    key = await h.account()
    waiting = await create(h, key)
    running = await create(h, key)
    await command(h, key, running["id"], "start")
    await command(h, key, running["id"], "pause")
    await call(h, key, flag)
    for algorithm_id, name in ((waiting["id"], "start"), (running["id"], "resume")):
        response = await h.client.post(f"{BASE}/{algorithm_id}/{name}", headers=auth(key))
        error = error_of(response, 409, "CONFLICT")
        assert error["details"] == {"tradingStatus": status}
    stopped = await command(h, key, running["id"], "stop")
    assert stopped["status"] == "stopped"
    await call(h, key, "start")
    assert (await command(h, key, waiting["id"], "start"))["status"] == "active"


async def test_system_flags_block_every_account_until_cleared(harness: Harness) -> None:
    h = harness
    root = await h.account("root", admin=True)
    key = await h.account("alice")
    algorithm = await create(h, key)
    for path, status in (("soft-pause", "soft_paused"), ("emergency", "emergency")):
        await admin(h, root, path, "drill")
        response = await h.client.post(f"{BASE}/{algorithm['id']}/start", headers=auth(key))
        assert error_of(response, 409, "CONFLICT")["details"] == {"tradingStatus": status}
        await admin(h, root, f"{path}/clear", "drill over")
    assert (await command(h, key, algorithm["id"], "start"))["status"] == "active"


def _trade(h: Harness, pnl: float, *, days_ago: int, n: int) -> ClosedTrade:
    exit_at = h.clock.now() - timedelta(days=days_ago, hours=1)
    return ClosedTrade(
        symbol="NASDAQ:MSFT",
        side="long",
        quantity=100,
        entry_at=exit_at - timedelta(days=1),
        entry_price=30.0,
        exit_at=exit_at,
        exit_price=30.0 + pnl / 100,
        pnl=pnl,
        exit_reason="stop_loss",
        client_order_ids=(f"e{n}", f"x{n}"),
    )


async def test_daily_loss_limit_reached_forbids_start_and_resume(harness: Harness) -> None:
    """`maxDailyLoss` 5 % of the day's starting equity (100,000 + 1,000 realised before today
    = 101,000 → 5,050): a 5,100 loss today refuses, a loss from yesterday does not count."""
    h = harness
    key = await h.account()
    algorithm = await create(h, key)
    await command(h, key, algorithm["id"], "start")
    await command(h, key, algorithm["id"], "pause")
    trades = [_trade(h, 1_000.0, days_ago=1, n=1), _trade(h, -5_000.0, days_ago=0, n=2)]
    async with transaction(h.runtime.sessions) as session:
        await store.append_trades(session, algorithm["id"], trades, now=h.clock.now())
    assert (await command(h, key, algorithm["id"], "resume"))["status"] == "active"
    await command(h, key, algorithm["id"], "pause")
    async with transaction(h.runtime.sessions) as session:
        await store.append_trades(
            session, algorithm["id"], [_trade(h, -100.0, days_ago=0, n=3)], now=h.clock.now()
        )
    for name in ("resume", "stop", "start"):
        response = await h.client.post(f"{BASE}/{algorithm['id']}/{name}", headers=auth(key))
        if name == "stop":  # stopping is never refused
            assert response.status_code == 200, response.text
            continue
        error = error_of(response, 403, "FORBIDDEN")
        assert error["message"] == "Daily loss limit reached"
        assert error["details"] == {"dailyLoss": 5100.0, "maxDailyLoss": 5050.0}
    h.clock.advance(timedelta(days=1))
    assert (await command(h, key, algorithm["id"], "start"))["status"] == "active"
