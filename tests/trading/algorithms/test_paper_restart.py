"""A paper run survives restarts (issue 6 "Done when": a process restart in the middle of a paper
run: no duplicate orders, positions and SL/TP intact). The reference is the pure `Engine` over
the same MSFT bars with a live gate, uninterrupted: the stored order book (client order ids,
statuses, fills), the closed-trade ledger and the engine snapshot (positions with their stop
loss and take profit, resting orders, cash) must equal it, bar for bar.

In-process, a new `PaperRunner` over the same database is a restart; then a real `sniper worker`
is SIGKILLed in the middle of a run (compressed: a bar every 0.03 s of clock time) and started
again on the same database.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from sniper.clock import ManualClock
from sniper.config import Settings
from sniper.db.engine import create_engine
from sniper.db.session import transaction
from sniper.models import TradingAlgorithm
from sniper.trading.algorithms import store
from tests.conftest import Harness, running
from tests.support.cli import SNIPER, cli_environment
from tests.support.paths import ATOM_DIR
from tests.trading.algorithms.paper_support import (
    HOLDING,
    MSFT,
    Driver,
    algorithm_row,
    expected_orders,
    expected_trades,
    reference,
    stored_orders,
    stored_trades,
)
from tests.trading.algorithms.support import command, complete, create

INDEX = {bar.at: number for number, bar in enumerate(MSFT)}


async def _started(h: Harness, key: str, body: dict[str, Any]) -> str:
    algorithm_id: str = (await create(h, key, body))["id"]
    await command(h, key, algorithm_id, "start")
    return algorithm_id


async def _assert_like_reference(
    session: AsyncSession, algorithm_id: str, body: dict[str, Any], count: int
) -> dict[str, Any]:
    """Orders, trades and snapshot after `count` bars equal the uninterrupted pure engine's;
    returns the stored engine snapshot."""
    events, engine = await reference(algorithm_id, body, count)
    orders = await stored_orders(session, algorithm_id)
    assert orders == expected_orders(events)
    assert len({order[0] for order in orders}) == len(orders)
    assert await stored_trades(session, algorithm_id) == expected_trades(events)
    row = await algorithm_row(session, algorithm_id)
    assert (row.status, row.last_error) == ("active", None)
    assert row.last_bar_at == MSFT[count - 1].at
    assert row.engine_state is not None
    snapshot: dict[str, Any] = row.engine_state["engine"]
    assert snapshot == engine.snapshot()
    assert row.open_positions == len(snapshot["positions"])
    return snapshot


async def test_a_new_runner_continues_exactly_where_the_last_one_stopped(
    harness: Harness,
) -> None:
    h = harness
    key = await h.account()
    algorithm_id = await _started(h, key, complete())
    drive = Driver(h)
    await drive.through(0)
    await drive.through(28)  # an entry rests for bar 29's open
    async with h.runtime.sessions() as session:
        snapshot = await _assert_like_reference(session, algorithm_id, complete(), 29)
    assert (len(snapshot["restingOrders"]), snapshot["positions"]) == (1, [])

    drive.restart()
    await drive.through(60)  # long since bar 56: its stop loss triggers on bar 64
    async with h.runtime.sessions() as session:
        snapshot = await _assert_like_reference(session, algorithm_id, complete(), 61)
    [position] = snapshot["positions"]
    assert position["stopPrice"] is not None
    assert position["takePrice"] is not None

    drive.restart()
    await drive.through(len(MSFT) - 1)
    async with h.runtime.sessions() as session:
        await _assert_like_reference(session, algorithm_id, complete(), len(MSFT))
        assert len(await stored_trades(session, algorithm_id)) == 5


async def test_bars_replayed_from_an_older_snapshot_store_nothing_twice(
    harness: Harness,
) -> None:
    """A runner that resumes from an older snapshot (a tick whose commit it never saw) plays
    those bars again: same client order ids, nothing stored twice, nothing changed."""
    h = harness
    key = await h.account()
    algorithm_id = await _started(h, key, complete())
    drive = Driver(h)
    await drive.through(0)
    await drive.through(55)
    old = await drive.row(algorithm_id)
    await drive.through(70)  # fill on 56, stop loss on 64, new entry 64/65, take profit on 70
    orders, trades = await drive.orders(algorithm_id), await drive.trades(algorithm_id)
    assert len(trades) == 3

    async with transaction(h.runtime.sessions) as session:
        assert old.engine_state is not None
        await store.save_engine_state(
            session,
            algorithm_id,
            state=old.engine_state,
            last_bar_at=old.last_bar_at,
            open_positions=old.open_positions,
        )
    drive.restart()
    drive.done = 56
    await drive.through(70)  # bars 56..70 again
    assert await drive.orders(algorithm_id) == orders
    assert await drive.trades(algorithm_id) == trades
    await drive.through(len(MSFT) - 1)
    async with h.runtime.sessions() as session:
        await _assert_like_reference(session, algorithm_id, complete(), len(MSFT))


# A real process: `sniper worker --replay` (no EDGAR access) on a replay clock at 1x.
START = datetime(2025, 12, 12, 14, 0, tzinfo=UTC)
# 70 bars (5.6 s) lie between the 60th bar and the end of the open long: room for a starved
# machine whose worker catches up many due bars in one tick.
BAR_SECONDS = "0.08"


@contextmanager
def _worker(env: dict[str, str], log: Path, start: datetime) -> Iterator[subprocess.Popen[bytes]]:
    replay = ["--replay", str(ATOM_DIR), "--speed", "1", "--start", start.isoformat()]
    with log.open("a") as out:
        process = subprocess.Popen(
            [*SNIPER, "worker", *replay], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


@asynccontextmanager
async def _database(url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(url)
    try:
        yield async_sessionmaker(engine, expire_on_commit=False)
    finally:
        await engine.dispose()


async def _wait_for(
    sessions: async_sessionmaker[AsyncSession],
    algorithm_id: str,
    condition: Callable[[TradingAlgorithm], bool],
    what: str,
    log: Path,
    seconds: float = 30,
) -> TradingAlgorithm:
    deadline = time.monotonic() + seconds
    while True:
        async with sessions() as session:
            row = await algorithm_row(session, algorithm_id)
        if condition(row):
            return row
        assert time.monotonic() < deadline, f"timed out waiting for {what}\n{log.read_text()}"
        await asyncio.sleep(0.02)


def _bars_done(row: TradingAlgorithm) -> int:
    return 0 if row.last_bar_at is None else INDEX[row.last_bar_at] + 1


async def test_sigkill_in_the_middle_of_a_paper_run_then_restart(
    settings: Settings, tmp_path: Path
) -> None:
    async with running(settings, ManualClock(START)) as h:
        algorithm_id = await _started(h, await h.account(), HOLDING)
    env = cli_environment(tmp_path) | {
        "SNIPER_DATABASE_URL": settings.database_url,
        "SNIPER_PAPER_BAR_INTERVAL": BAR_SECONDS,
        "SNIPER_PAPER_TICK": "0.05",
    }
    log = tmp_path / "worker.log"
    async with _database(settings.database_url) as sessions:
        with _worker(env, log, START) as process:
            seen = await _wait_for(
                sessions, algorithm_id, lambda r: _bars_done(r) > 60, "60 bars", log
            )
            process.kill()  # SIGKILL: no shutdown code runs
            process.wait(timeout=10)
        # bar 59's long is held until bar 142: the kill lands while it is open
        assert _bars_done(seen) < 130, "the worker ran past the window before it was killed"
        async with sessions() as session:
            row = await algorithm_row(session, algorithm_id)
            done = _bars_done(row)
            assert 60 < done < len(MSFT), log.read_text()
            snapshot = await _assert_like_reference(session, algorithm_id, HOLDING, done)
        [position] = snapshot["positions"]
        assert (position["entryAt"], position["stopPrice"], position["takePrice"]) == (
            MSFT[59].at.isoformat(),
            position["entryPrice"] * 0.95,
            position["entryPrice"] * 1.08,
        )

        assert row.engine_state is not None
        resume = datetime.fromisoformat(row.engine_state["nextDueAt"])
        with _worker(env, log, resume) as process:
            await _wait_for(
                sessions,
                algorithm_id,
                lambda r: _bars_done(r) == len(MSFT),
                "the last bar",
                log,
            )
            process.kill()  # done; a graceful stop would only cost time
            process.wait(timeout=10)
        async with sessions() as session:
            snapshot = await _assert_like_reference(session, algorithm_id, HOLDING, len(MSFT))
            trades = await stored_trades(session, algorithm_id)
    assert [t[8] for t in trades] == ["stop_loss"] * 2 + ["take_profit"] + ["stop_loss"] * 2
    [position] = snapshot["positions"]  # the last entry is still open, its levels unchanged
    assert position["entryAt"] == MSFT[178].at.isoformat()
