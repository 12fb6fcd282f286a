"""One clock per row (issue 16 item 5): the service clock in `service_clock`, written by a
replaying process, is what the CLI stamps rows with; no fresh row means wall time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from sniper.clock import ManualClock, ReplayClock, SystemClock
from sniper.config import Settings
from sniper.db.engine import create_engine, session_factory
from sniper.db.session import transaction
from sniper.serviceclock import StoredClock, cli_clock, persist
from tests.support.cli import sniper
from tests.support.paths import ATOM_DIR
from tests.support.schema import model_differences
from tests.support.serve import serving

REPLAY_AT = datetime(2025, 12, 12, 15, 30, tzinfo=UTC)
WALL_AT = datetime(2026, 12, 3, 9, 10, tzinfo=UTC)


async def test_the_migrated_table_matches_the_model(database_url: str) -> None:
    assert await model_differences(database_url, "service_clock") == []


async def test_the_cli_follows_a_fresh_replay_clock_and_falls_back_to_wall_time(
    settings: Settings,
) -> None:
    engine = create_engine(settings.database_url)
    sessions = session_factory(engine)
    wall = ManualClock(WALL_AT)
    replay = ReplayClock(REPLAY_AT, speed=60)
    try:
        async with transaction(sessions) as session:
            assert await cli_clock(session, settings, wall) is wall, "no row: wall time"
            await persist(session, replay, wall=wall)
        wall.advance(10)  # 10 s of wall time = 10 replay minutes at 60x
        async with transaction(sessions) as session:
            clock = await cli_clock(session, settings, wall)
        assert isinstance(clock, StoredClock)
        assert clock.label == "replay clock"
        assert timedelta(minutes=10) <= clock.now() - REPLAY_AT < timedelta(minutes=11)
        wall.advance(settings.service_clock_stale)
        async with transaction(sessions) as session:
            assert await cli_clock(session, settings, wall) is wall, "a stopped replay"
    finally:
        await engine.dispose()


def test_the_clock_labels() -> None:
    assert SystemClock.label == "system clock"
    assert ReplayClock(REPLAY_AT).label == "replay clock"


@pytest.fixture
def replaying(cli_env: dict[str, str], tmp_path: Path) -> Iterator[str]:
    """`sniper serve --replay` at 60x from 2025-12-12T15:30Z; yields its base URL."""
    assert sniper(cli_env, "migrate").returncode == 0
    replay = ["--replay", str(ATOM_DIR), "--speed", "60", "--start", "2025-12-12T15:30:00Z"]
    with serving(cli_env, tmp_path / "serve.log", *replay) as served:
        yield served.base


def test_accounts_created_from_the_cli_during_a_replay_carry_replay_time(
    cli_env: dict[str, str], replaying: str
) -> None:
    created = sniper(cli_env, "accounts", "create", "demo", "--plan", "paid", "--tokens", "5")
    assert created.returncode == 0, created.stderr
    # "created account demo (plan paid, 5 tokens) at 2025-12-12T15:3x:xxZ (replay clock)"
    assert " at 2025-12-12T" in created.stderr, created.stderr
    assert created.stderr.strip().endswith("(replay clock)")
    shown = sniper(cli_env, "accounts", "show", "demo")
    assert "2025-12-12T" in shown.stdout, shown.stdout
    key = sniper(cli_env, "keys", "create", "demo").stdout.strip()
    user = httpx.get(f"{replaying}/api/v1/status", headers={"X-API-Key": key}).json()
    assert user["clock_time"].startswith("2025-12-12T"), "the API is on the same clock"


def test_without_a_replay_the_cli_stamps_wall_time(cli_env: dict[str, str]) -> None:
    assert sniper(cli_env, "migrate").returncode == 0
    created = sniper(cli_env, "accounts", "create", "solo")
    assert created.returncode == 0, created.stderr
    year = datetime.now(UTC).year
    assert f" at {year}-" in created.stderr
    assert "(system clock)" in created.stderr
