"""The paper runner in-process (issue 6, DESIGN.md "Trading algorithms"): bars are played through
the manual clock (one per `SNIPER_PAPER_BAR_INTERVAL`, 60 s, from 2012-03-01 on the real MSFT
sample) to `PaperRunner.tick()`, and what a user sees is checked: the algorithm through the API,
its stored orders and closed trades, against the pure `Engine` over the same bars.

The RSI strategy of `support.COMPLETE` (long on RSI(14) crossing below 30, 2 % stop, 4 % target)
trades five times on those bars (bar index: what happens):
28 entry placed, 29 filled, 35 take profit; 55 placed, 56 filled, 64 stop loss and a new entry
signal; 65 filled, 70 take profit; 163/164/169 and 177/178/179 likewise.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from sniper.clock import ManualClock
from sniper.config import Settings
from tests.conftest import Harness, running
from tests.trading.algorithms.paper_support import (
    MSFT,
    Driver,
    expected_orders,
    expected_trades,
    reference,
)
from tests.trading.algorithms.support import BASE, auth, command, complete, create
from tests.trading.support import admin, call

ENTRY_28, ENTRY_55, STOP_64, ENTRY_64 = MSFT[28].at, MSFT[55].at, MSFT[64].at, MSFT[64].at


async def _algorithm(h: Harness, key: str, body: dict[str, Any] | None = None) -> str:
    """Create and start an algorithm; returns its id."""
    algorithm_id: str = (await create(h, key, body))["id"]
    await command(h, key, algorithm_id, "start")
    return algorithm_id


async def _get(h: Harness, key: str, algorithm_id: str) -> dict[str, Any]:
    response = await h.client.get(f"{BASE}/{algorithm_id}", headers=auth(key))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _reference_order(algorithm_id: str, at: datetime, intent: str) -> str:
    """The client order id the uninterrupted run gives the `intent` order of bar `at`."""
    events, _ = await reference(algorithm_id, complete(), len(MSFT))
    [found] = [o[0] for o in expected_orders(events) if o[6] == at and o[4] == intent]
    return found


async def test_a_started_rsi_algorithm_trades_and_its_performance_is_its_ledger(
    harness: Harness,
) -> None:
    h = harness
    key = await h.account()
    algorithm_id = await _algorithm(h, key)
    drive = Driver(h)
    await drive.through(0)
    await drive.through(120)
    await drive.through(len(MSFT) - 1)
    await drive.through(len(MSFT) + 20, expect=0)  # the sample has ended: nothing more

    events, engine = await reference(algorithm_id, complete(), len(MSFT))
    orders, trades = await drive.orders(algorithm_id), await drive.trades(algorithm_id)
    assert orders == expected_orders(events)
    assert len({o[0] for o in orders}) == len(orders) == 10
    assert [(t[3], t[5], t[8]) for t in trades] == [
        (MSFT[29].at, MSFT[35].at, "take_profit"),
        (MSFT[56].at, MSFT[64].at, "stop_loss"),
        (MSFT[65].at, MSFT[70].at, "take_profit"),
        (MSFT[164].at, MSFT[169].at, "take_profit"),
        (MSFT[178].at, MSFT[179].at, "stop_loss"),
    ]
    assert trades == expected_trades(events)
    row = await drive.row(algorithm_id)
    assert (row.status, row.last_error, row.open_positions) == ("active", None, 0)
    assert row.last_bar_at == MSFT[-1].at
    assert row.engine_state is not None
    assert row.engine_state["engine"] == engine.snapshot()

    body = await _get(h, key, algorithm_id)
    assert (body["status"], body["active"]) == ("active", True)
    pnl = [t[7] for t in trades]
    wins, losses = [p for p in pnl if p > 0], [-p for p in pnl if p < 0]
    performance = body["performance"]
    assert performance | {"sharpeRatio": None, "maxDrawdown": None} == {
        "totalTrades": 5,
        "winningTrades": 3,
        "losingTrades": 2,
        "totalProfit": round(sum(wins), 2),
        "totalLoss": round(sum(losses), 2),
        "netProfit": round(sum(pnl), 2),
        "winRate": 60.0,
        "profitFactor": round(sum(wins) / sum(losses), 4),
        "sharpeRatio": None,
        "maxDrawdown": None,
        "averageWin": round(sum(wins) / 3, 2),
        "averageLoss": round(sum(losses) / 2, 2),
    }
    # the realised-equity drawdown: the second trade (a loss) after the first (a win)
    peak = 100_000 + pnl[0]
    assert performance["maxDrawdown"] == round(-pnl[1] / peak * 100, 2)
    assert isinstance(performance["sharpeRatio"], float)


async def test_stop_keeps_the_open_position_whose_stop_loss_closes_it_later(
    harness: Harness,
) -> None:
    h = harness
    key = await h.account()
    algorithm_id = await _algorithm(h, key)
    drive = Driver(h)
    await drive.through(0)
    await drive.through(60)  # long since bar 56's open, 2 % stop loss below it
    row = await drive.row(algorithm_id)
    assert row.open_positions == 1
    assert row.engine_state is not None
    [position] = row.engine_state["engine"]["positions"]
    assert position["stopPrice"] == pytest.approx(position["entryPrice"] * 0.98)
    assert (await _get(h, key, algorithm_id))["performance"]["totalTrades"] == 1

    stopped = await command(h, key, algorithm_id, "stop")
    assert stopped["status"] == "stopped"
    before = await drive.orders(algorithm_id)
    await drive.through(70)  # bar 64: the low crosses the stop; the RSI signals again

    trades = await drive.trades(algorithm_id)
    assert [(t[3], t[5], t[6], t[8]) for t in trades[1:]] == [
        (MSFT[56].at, STOP_64, position["stopPrice"] * (1 - 0.001), "stop_loss")
    ]
    orders = await drive.orders(algorithm_id)
    assert orders[: len(before)] == before
    [exit_order] = orders[len(before) :]
    assert exit_order[4:7] == ("exit", "filled", STOP_64)
    # the uninterrupted run enters on bar 64's signal; the stopped one ignores it
    assert await _reference_order(algorithm_id, ENTRY_64, "entry") not in {o[0] for o in orders}
    body = await _get(h, key, algorithm_id)
    assert (body["status"], body["active"]) == ("stopped", False)
    performance = body["performance"]
    assert (performance["totalTrades"], performance["losingTrades"]) == (2, 1)
    assert performance["totalLoss"] == round(-trades[1][7], 2)
    row = await drive.row(algorithm_id)
    assert row.engine_state is not None
    assert (row.open_positions, row.last_bar_at) == (0, MSFT[70].at)
    assert row.engine_state["engine"]["positions"] == []
    assert row.engine_state["engine"]["state"] == "stopped"

    await drive.through(200, expect=0)  # stopped and flat: no longer run
    assert await drive.orders(algorithm_id) == orders


async def test_stop_cancels_a_resting_entry(harness: Harness) -> None:
    h = harness
    key = await h.account()
    algorithm_id = await _algorithm(h, key)
    drive = Driver(h)
    await drive.through(0)
    await drive.through(55)  # an entry waits for bar 56's open
    [*_, resting] = await drive.orders(algorithm_id)
    assert resting[4:7] == ("entry", "pending", ENTRY_55)
    await command(h, key, algorithm_id, "stop")
    await drive.through(60)

    [*_, cancelled] = await drive.orders(algorithm_id)
    assert cancelled[0] == resting[0]
    assert cancelled[5] == "cancelled"
    assert len(await drive.trades(algorithm_id)) == 1
    row = await drive.row(algorithm_id)
    assert row.open_positions == 0
    assert row.engine_state is not None
    assert row.engine_state["engine"]["restingOrders"] == []
    await drive.through(100, expect=0)  # stopped, flat, nothing resting: no longer run
    assert (await drive.orders(algorithm_id))[-1] == cancelled


async def test_pause_ignores_entries_and_resume_continues_with_warm_indicators(
    harness: Harness,
) -> None:
    h = harness
    key = await h.account()
    algorithm_id = await _algorithm(h, key)
    drive = Driver(h)
    await drive.through(0)
    await drive.through(40)
    assert (await command(h, key, algorithm_id, "pause"))["status"] == "paused"
    await drive.through(60)  # bar 55's signal comes while paused
    orders = await drive.orders(algorithm_id)
    assert [o[6] for o in orders if o[4] == "entry"] == [ENTRY_28]
    row = await drive.row(algorithm_id)
    assert (row.open_positions, row.last_bar_at) == (0, MSFT[60].at)  # bars kept coming

    assert (await command(h, key, algorithm_id, "resume"))["status"] == "active"
    await drive.through(70)
    orders = await drive.orders(algorithm_id)
    entry = await _reference_order(algorithm_id, ENTRY_64, "entry")
    [resumed] = [o for o in orders if o[0] == entry]  # the same RSI cross as uninterrupted
    assert resumed[5:9] == ("filled", ENTRY_64, resumed[7], MSFT[65].at)
    assert resumed[7] == pytest.approx(MSFT[65].open * 1.001)
    assert (await _get(h, key, algorithm_id))["performance"]["totalTrades"] == 2


Control = Callable[[Harness, str, str], Awaitable[Any]]


def _client_command(name: str) -> Control:
    async def act(h: Harness, key: str, _root: str) -> Any:
        return await call(h, key, name)

    return act


def _admin_command(path: str) -> Control:
    async def act(h: Harness, _key: str, root: str) -> Any:
        return await admin(h, root, path, "paper test")

    return act


PAUSES = {
    "client-pause": (_client_command("pause"), _client_command("resume"), "manual_paused"),
    "admin-soft-pause": (
        _admin_command("soft-pause"),
        _admin_command("soft-pause/clear"),
        "soft_paused",
    ),
}
STOPS = {
    "client-stop": (_client_command("stop"), _client_command("start"), "manual_stopped"),
    "admin-system-stop": (
        _admin_command("system-stop"),
        _admin_command("system-stop/clear"),
        "system_stopped",
    ),
    "admin-emergency": (
        _admin_command("emergency"),
        _admin_command("emergency/clear"),
        "emergency",
    ),
}


@pytest.mark.parametrize("control", list(PAUSES))
async def test_a_control_pause_denies_entries_while_exits_fill(
    harness: Harness, control: str
) -> None:
    pause, resume, reason = PAUSES[control]
    h = harness
    key, root = await h.account(), await h.account("root", admin=True)
    algorithm_id = await _algorithm(h, key)
    drive = Driver(h)
    await drive.through(0)
    await drive.through(60)  # long since bar 56
    await pause(h, key, root)
    await drive.through(70)

    trades = await drive.trades(algorithm_id)
    assert [(t[5], t[8]) for t in trades] == [(MSFT[35].at, "take_profit"), (STOP_64, "stop_loss")]
    entry = await _reference_order(algorithm_id, ENTRY_64, "entry")
    [denied] = [o for o in await drive.orders(algorithm_id) if o[0] == entry]
    assert denied[4:] == ("entry", "denied", ENTRY_64, None, None, reason)
    assert (await _get(h, key, algorithm_id))["status"] == "active"  # the algorithm's own state

    await resume(h, key, root)
    await drive.through(170)  # the next signal (bar 163) trades again
    orders = await drive.orders(algorithm_id)
    assert [o[5:7] for o in orders if o[4] == "entry"][-1] == ("filled", MSFT[163].at)
    assert len(await drive.trades(algorithm_id)) == 3


@pytest.mark.parametrize("control", list(STOPS))
async def test_a_control_stop_cancels_resting_entries_and_denies_new_ones(
    harness: Harness, control: str
) -> None:
    stop, clear, reason = STOPS[control]
    h = harness
    key, root = await h.account(), await h.account("root", admin=True)
    algorithm_id = await _algorithm(h, key)
    drive = Driver(h)
    await drive.through(0)
    await drive.through(30)  # long since bar 29, 4 % take profit hit on bar 35
    await stop(h, key, root)
    await drive.through(40)
    [trade] = await drive.trades(algorithm_id)
    assert (trade[5], trade[8]) == (MSFT[35].at, "take_profit")  # the exit passed the gate

    await clear(h, key, root)
    await drive.through(55)  # an entry rests for bar 56's open
    assert (await drive.orders(algorithm_id))[-1][5:7] == ("pending", ENTRY_55)
    await stop(h, key, root)
    await drive.through(56)
    await drive.through(66)
    orders = await drive.orders(algorithm_id)
    cancelled = [o for o in orders if o[6] == ENTRY_55]
    assert [o[4:6] for o in cancelled] == [("entry", "cancelled")]
    entry = await _reference_order(algorithm_id, ENTRY_64, "entry")
    [denied] = [o for o in orders if o[0] == entry]
    assert denied[5:] == ("denied", ENTRY_64, None, None, reason)
    assert len(await drive.trades(algorithm_id)) == 1
    assert (await drive.row(algorithm_id)).open_positions == 0


# XOM's Form 4 of 2025-12-12, accepted 15:05:12Z, is in the recorded crawl.
BEFORE_XOM_FILING = datetime(2025, 12, 12, 15, 0, tzinfo=UTC)
XOM = "NYSE:XOM"


def _filing_body(name: str, forms: list[str]) -> dict[str, Any]:
    return complete(
        name,
        symbols=[XOM],
        positionSizing={"method": "fixed_quantity", "value": 10},
        entryConditions={
            "positionType": "long",
            "logicalOperator": "AND",
            "confirmationCandles": 0,
            "conditions": [{"type": "filing_event", "formTypes": forms}],
        },
    )


def _xom_bars(directory: Path, count: int = 30) -> list[datetime]:
    """`XOM.csv`: `count` flat-ish weekday bars from 2012-03-01 (the paper start)."""
    days = [datetime(2012, 3, 1, tzinfo=UTC).toordinal() + offset for offset in range(count * 2)]
    dates = [datetime.fromordinal(d).replace(tzinfo=UTC) for d in days]
    dates = [d for d in dates if d.weekday() < 5][:count]
    lines = ["Date,Open,High,Low,Close,Volume"]
    lines += [f"{d.date().isoformat()},80.0,80.5,79.5,80.0,1000000" for d in dates]
    (directory / "XOM.csv").write_text("\n".join(lines) + "\n")
    return dates


async def test_a_filing_event_algorithm_enters_on_the_bar_after_a_sniper_hit(
    settings: Settings, tmp_path: Path
) -> None:
    dates = _xom_bars(tmp_path)
    settings = settings.model_copy(update={"market_data_dir": tmp_path})
    async with running(settings, ManualClock(BEFORE_XOM_FILING)) as h:
        key = await h.account()
        form4 = await _algorithm(h, key, _filing_body("XOM on Form 4", ["4"]))
        eight_k = await _algorithm(h, key, _filing_body("XOM on 8-K", ["8-K"]))
        target = await h.client.post(
            "/api/v1/sniper/targets",
            headers={"X-API-Key": key},
            json={"ticker": "XOM", "duration_minutes": 120},
        )
        assert target.status_code == 200, target.text
        drive = Driver(h)
        for index in range(6):  # 15:00 .. 15:05: no hit yet, no order
            await h.watcher.tick()
            await drive.through(index, expect=2)
        assert await drive.orders(form4) == []
        assert await drive.orders(eight_k) == []

        h.clock.set(datetime(2025, 12, 12, 15, 6, tzinfo=UTC))
        await h.watcher.tick()  # the replayed crawl shows XOM's Form 4: the target fires
        listed = await h.client.get("/api/v1/sniper/targets", headers={"X-API-Key": key})
        [fired] = listed.json()["targets"]
        assert (fired["status"], fired["resolution_reason"]) == ("STOPPED", "filing_hit")
        assert fired["last_event"]["form_type"] == "4"
        await drive.through(6, expect=2)
        [entry] = await drive.orders(form4)
        assert entry[1:7] == (XOM, "buy", 10.0, "entry", "pending", dates[6])
        assert await drive.orders(eight_k) == []  # a Form 4 is not an 8-K

        await drive.through(7, expect=2)  # filled at the next bar's open
        [entry] = await drive.orders(form4)
        assert entry[5:9] == ("filled", dates[6], 80.0 * 1.001, dates[7])
        assert (await drive.row(form4)).open_positions == 1
