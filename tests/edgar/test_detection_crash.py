"""A `sniper worker` on live EDGAR SIGKILLed mid-poll loses no filing (issue 11).

The stand-in plays 16:04:30-16:06:30 ET of 2025-12-12 (the day's peak, 57 filings in 16:05),
re-based onto the system clock so that the first acceptance is 40 s ago, published with the
recorded lags (seed 0). A live-mode
`sniper worker` (its EDGAR URLs pointing at the stand-in) is SIGKILLed every 1.5-4 s of real
time, seeded, for at least 40 s and 10 kills, and restarted each time; each worker spends most
of its life inside a planner second, so kills land mid-poll. Then the last worker runs on
undisturbed, and the test waits (generous deadline) until every filing the feed showed before the
kills ended is in the detections table.
"""

from __future__ import annotations

import asyncio
import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from sniper.clock import SystemClock
from sniper.config import Settings
from sniper.db.engine import create_engine
from sniper.edgar.simulated import SimulatedEdgar, crawl_day, publish
from tests.edgar._recorded import USER_AGENT
from tests.edgar.sim_support import recorded_lags, serve_simulated
from tests.support.cli import cli_environment
from tests.support.crashloop import CrashLoop, Timeline
from tests.support.forkserver import ForkServer
from tests.support.paths import ATOM_DIR, SHARED_EDGAR

PEAK = datetime(2025, 12, 12, 21, 4, 30, tzinfo=UTC)
KILLING = 40.0  # real seconds of SIGKILLs at least
KILLS = 10  # ... and at least this many (a loaded machine restarts workers slowly)
SETTLE_LIMIT = 600.0  # real seconds the last worker may take to catch up (only a hang fails)


async def _detected(database_url: str) -> set[str]:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(text("SELECT accession_number FROM edgar_detections"))
            return {row[0] for row in rows}
    finally:
        await engine.dispose()


async def test_a_kill_9_mid_poll_loses_no_filing(settings: Settings, tmp_path: Path) -> None:
    shift = datetime.now(UTC) - PEAK - timedelta(seconds=40)
    day = [f for f in crawl_day(ATOM_DIR) if PEAK <= f.accepted_at < PEAK + timedelta(minutes=2)]
    sim = SimulatedEdgar(
        publish(day, recorded_lags(), seed=0, shift=shift), SystemClock(), edgar_dir=SHARED_EDGAR
    )
    env = cli_environment(tmp_path) | {"SNIPER_DATABASE_URL": settings.database_url}
    with serve_simulated(sim) as edgar:
        env |= {
            "SNIPER_EDGAR_USER_AGENT": USER_AGENT,
            "SNIPER_EDGAR_BASE_URL": edgar.url,
            "SNIPER_EDGAR_ARCHIVES_BASE_URL": edgar.url,
            "SNIPER_EDGAR_SUBMISSIONS_BASE_URL": edgar.url,
        }
        rng = random.Random(20251212)
        timeline = Timeline(datetime.now(UTC), 1.0)
        with (
            ForkServer(env) as server,
            CrashLoop(
                server,
                timeline,
                replay_dir=ATOM_DIR,
                logs=tmp_path,
                workers=1,
                rng=rng,
                life=(1.5, 4.0),
                live=True,
            ) as crash,
        ):
            deadline = time.monotonic() + KILLING
            while time.monotonic() < deadline or crash.kills < KILLS:
                crash.step(killing=True)
                await asyncio.sleep(0.05)
            kills_ended = datetime.now(UTC)
            shown = {f.accession_number for f in sim.filings if f.feed_at <= kills_ended}
            give_up = time.monotonic() + SETTLE_LIMIT
            while lost := shown - await _detected(settings.database_url):
                assert time.monotonic() < give_up, f"never detected: {sorted(lost)}"
                crash.step(killing=False)
                await asyncio.sleep(0.5)
            crash.stop()
    print(f"kill -9 mid-poll: {crash.kills} kills, all {len(shown)} filings shown detected")
    assert crash.kills >= KILLS
    assert len(shown) > 30
