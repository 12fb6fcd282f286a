"""A `sniper worker` on live EDGAR SIGKILLed mid-poll loses no filing (issue 11).

The stand-in plays 16:04:30-16:06:30 ET of 2025-12-12 (the day's peak, 57 filings in 16:05),
re-based onto the system clock so that the first acceptance is 40 s ago, published with the
recorded lags (seed 0). A live-mode
`sniper worker` (its EDGAR URLs pointing at the stand-in) is SIGKILLed every 1.5-4 s of real
time, seeded, for 60 s and restarted each time; each worker spends most of its life inside a
planner second, so kills land mid-poll. Then the last worker runs on undisturbed, and the test
waits (generous deadline) until every filing the feed showed before the kills ended is in the
detections table.
"""

from __future__ import annotations

import random
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sniper.clock import SystemClock
from sniper.edgar.simulated import SimulatedEdgar, crawl_day, publish
from tests.edgar._recorded import USER_AGENT
from tests.edgar.sim_support import recorded_lags, serve_simulated
from tests.support.cli import cli_environment, sniper
from tests.support.crashloop import CrashLoop, Timeline
from tests.support.forkserver import ForkServer
from tests.support.paths import ATOM_DIR, SHARED_EDGAR

PEAK = datetime(2025, 12, 12, 21, 4, 30, tzinfo=UTC)
KILLING = 60.0  # real seconds of SIGKILLs
SETTLE_LIMIT = 600.0  # real seconds the last worker may take to catch up (only a hang fails)


def _detected(database: Path) -> set[str]:
    with sqlite3.connect(database) as connection:
        return {
            row[0] for row in connection.execute("SELECT accession_number FROM edgar_detections")
        }


def test_a_kill_9_mid_poll_loses_no_filing(tmp_path: Path) -> None:
    shift = datetime.now(UTC) - PEAK - timedelta(seconds=40)
    day = [f for f in crawl_day(ATOM_DIR) if PEAK <= f.accepted_at < PEAK + timedelta(minutes=2)]
    sim = SimulatedEdgar(
        publish(day, recorded_lags(), seed=0, shift=shift), SystemClock(), edgar_dir=SHARED_EDGAR
    )
    env = cli_environment(tmp_path)
    with serve_simulated(sim) as edgar:
        env |= {
            "SNIPER_EDGAR_USER_AGENT": USER_AGENT,
            "SNIPER_EDGAR_BASE_URL": edgar.url,
            "SNIPER_EDGAR_ARCHIVES_BASE_URL": edgar.url,
            "SNIPER_EDGAR_SUBMISSIONS_BASE_URL": edgar.url,
        }
        assert sniper(env, "migrate").returncode == 0
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
            while time.monotonic() < deadline:
                crash.step(killing=True)
                time.sleep(0.05)
            kills_ended = datetime.now(UTC)
            shown = {f.accession_number for f in sim.filings if f.feed_at <= kills_ended}
            database = tmp_path / "cli.db"
            give_up = time.monotonic() + SETTLE_LIMIT
            while not shown <= _detected(database) and time.monotonic() < give_up:
                crash.step(killing=False)
                time.sleep(0.5)
            crash.stop()
    missing = shown - _detected(database)
    print(f"kill -9 mid-poll: {crash.kills} kills, {len(shown)} filings shown, {len(missing)} lost")
    assert crash.kills >= 10
    assert len(shown) > 40
    assert missing == set()
