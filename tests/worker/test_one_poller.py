"""Exactly one process polls EDGAR (issue 12): SEC's rate limit is per client.

Two live `sniper worker` processes on one PostgreSQL database poll a local EDGAR stand-in (the
simulated 2025-12-12 peak re-based onto the system clock), each under its own User-Agent, so the
stand-in counts who polls. Once one of them is the sole poller, its lock connection is
terminated (`pg_terminate_backend`, as a database restart or a network cut would): it must send
at most the rest of the tick it was in, and the other process must take over as the one poller.
Then the same with the leader killed (SIGKILL): the other process takes over; the handover time
is printed (the follower stands for election every 5 s, `leader.while_leading`).
Waits are on conditions with generous deadlines, never on a wall-clock budget.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from sniper.clock import SystemClock
from sniper.config import Settings
from sniper.db.engine import create_engine
from sniper.edgar.simulated import SimulatedEdgar, crawl_day, publish
from sniper.worker.leader import LEADER_LOCK_KEY
from tests.edgar.sim_support import recorded_lags, serve_simulated
from tests.support.cli import SNIPER, cli_environment
from tests.support.http_server import LocalServer, Request
from tests.support.paths import ATOM_DIR, SHARED_EDGAR

PEAK = datetime(2025, 12, 12, 21, 4, 30, tzinfo=UTC)
AGENTS = {"a": "Sniper Test A a@example.com", "b": "Sniper Test B b@example.com"}
DEADLINE = 180.0  # real seconds for any wait: a loaded machine starts processes slowly
SOLE = 4  # page-0 feed reads in a row from one process: it is the one poller
LOCK_BACKEND = (
    "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = 0"
    " AND objid = :key AND objsubid = 1 AND granted"
)


def _page0_poller(request: Request) -> str | None:
    """The worker ("a" or "b") that sent `request` when it is a page-0 feed read, else None."""
    if "action=getcurrent" not in request.path or "start=0&" not in request.path:
        return None
    agent = {k.lower(): v for k, v in request.headers.items()}.get("user-agent")
    return next((name for name, value in AGENTS.items() if value == agent), None)


def _pollers(edgar: LocalServer, since: int = 0) -> list[str]:
    """Who sent each page-0 feed read from request number `since` on, in order."""
    sent = (_page0_poller(r) for r in list(edgar.requests)[since:])
    return [name for name in sent if name is not None]


async def _sole_poller(edgar: LocalServer, since: int = 0) -> str:
    """Wait until the last `SOLE` page-0 reads (after request `since`) came from one worker."""
    deadline = time.monotonic() + DEADLINE
    while True:
        recent = _pollers(edgar, since)[-SOLE:]
        if len(recent) == SOLE and len(set(recent)) == 1:
            return recent[0]
        assert time.monotonic() < deadline, f"no sole poller: {recent}"
        await asyncio.sleep(0.2)


@contextlib.contextmanager
def _worker(env: dict[str, str], name: str, logs: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`sniper worker` (live) under worker `name`'s User-Agent, stopped with SIGINT."""
    with (logs / f"worker-{name}.log").open("w") as out:
        process = subprocess.Popen(
            [*SNIPER, "worker"],
            env=env | {"SNIPER_EDGAR_USER_AGENT": AGENTS[name]},
            stdout=out,
            stderr=out,
        )
    try:
        yield process
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()


async def _lock_backend(database_url: str) -> int:
    """The backend pid of the connection that holds the leader lock."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            pid = await connection.scalar(text(LOCK_BACKEND), {"key": LEADER_LOCK_KEY})
            assert pid is not None, "nobody holds the leader lock"
            await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            return int(pid)
    finally:
        await engine.dispose()


@contextlib.contextmanager
def _two_workers(
    settings: Settings, tmp_path: Path
) -> Iterator[tuple[LocalServer, dict[str, subprocess.Popen[bytes]]]]:
    """The EDGAR stand-in and workers "a" and "b" polling it (PostgreSQL only)."""
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("several processes on one database: PostgreSQL (SQLite runs one process)")
    shift = datetime.now(UTC) - PEAK - timedelta(seconds=40)
    day = [f for f in crawl_day(ATOM_DIR) if PEAK <= f.accepted_at < PEAK + timedelta(minutes=5)]
    sim = SimulatedEdgar(
        publish(day, recorded_lags(), seed=0, shift=shift), SystemClock(), edgar_dir=SHARED_EDGAR
    )
    with serve_simulated(sim) as edgar:
        env = cli_environment(tmp_path) | {
            "SNIPER_DATABASE_URL": settings.database_url,
            "SNIPER_EDGAR_BASE_URL": edgar.url,
            "SNIPER_EDGAR_ARCHIVES_BASE_URL": edgar.url,
            "SNIPER_EDGAR_SUBMISSIONS_BASE_URL": edgar.url,
        }
        with _worker(env, "a", tmp_path) as a, _worker(env, "b", tmp_path) as b:
            yield edgar, {"a": a, "b": b}


async def test_terminating_the_leaders_lock_connection_leaves_one_poller(
    settings: Settings, tmp_path: Path
) -> None:
    with _two_workers(settings, tmp_path) as (edgar, _):
        leader = await _sole_poller(edgar)
        cut = len(edgar.requests)
        await _lock_backend(settings.database_url)
        successor = await _sole_poller(edgar, since=cut)
        after = _pollers(edgar, cut)
    assert successor != leader, f"the cut-off leader polled on: {after}"
    assert after.count(leader) <= 1, f"{leader} polled past the tick it was in: {after}"


async def test_killing_the_leader_hands_over(settings: Settings, tmp_path: Path) -> None:
    with _two_workers(settings, tmp_path) as (edgar, workers):
        leader = await _sole_poller(edgar)
        cut = len(edgar.requests)
        killed_at = time.monotonic()
        workers[leader].kill()  # SIGKILL: no clean release, the socket just closes
        successor = await _sole_poller(edgar, since=cut)
        first = next(r for r in list(edgar.requests)[cut:] if _page0_poller(r) == successor)
    assert successor != leader
    print(f"leader {leader} killed; {successor} polled {first.received_at - killed_at:.1f} s later")
