"""Shared fixtures: a migrated real database (SQLite, or PostgreSQL when
SNIPER_TEST_DATABASE_URL is set), settings, a manual clock, the app and an API client."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from sniper.accounts import service as accounts
from sniper.app import ServeOptions, create_app
from sniper.clock import ManualClock
from sniper.config import Settings
from sniper.db.base import Base
from sniper.db.engine import create_engine
from sniper.db.migrate import upgrade
from sniper.db.session import transaction
from sniper.runtime import Runtime
from sniper.targets.watcher import Watcher
from tests.support.cli import cli_environment
from tests.support.paths import ATOM_DIR, CATALOG_PATH, TIMING_PATH

# 2025-12-12 09:00 ET, inside the recorded crawl (2025-12-11 16:31 to 2025-12-12 18:02 ET).
REPLAY_NOON = datetime(2025, 12, 12, 14, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Migrated from nothing once per test session: a fresh SQLite file, or a fresh PostgreSQL
    database created beside the one SNIPER_TEST_DATABASE_URL names (so concurrent runs on one
    server do not share tables) and dropped afterwards."""
    base = os.environ.get("SNIPER_TEST_DATABASE_URL")
    if not base:
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'sniper-test.db'}"
        upgrade(url)
        yield url
        return
    name = f"sniper_test_{os.getpid()}"
    asyncio.run(_admin(base, f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"))
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        yield url
    finally:
        asyncio.run(_admin(base, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


async def _admin(url: str, *statements: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            for statement in statements:
                await connection.execute(text(statement))
    finally:
        await engine.dispose()


async def _truncate(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
            if engine.dialect.name == "postgresql":
                await connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY"))
            else:
                for table in tables:
                    await connection.execute(text(f"DELETE FROM {table}"))
    finally:
        await engine.dispose()


@pytest.fixture
async def settings(database_url: str) -> AsyncIterator[Settings]:
    """Test settings on a clean database; rows are removed after the test."""
    await _truncate(database_url)
    yield Settings(
        database_url=database_url,
        catalog_path=CATALOG_PATH,
        replay_timing_path=TIMING_PATH,
        webhook_allow_networks=["127.0.0.1/32"],  # type: ignore[list-item]
        webhook_retry_delays=[0.0, 0.0],
        webhook_timeout=5,  # type: ignore[arg-type]
        ws_heartbeat=0.2,  # type: ignore[arg-type]
    )
    await _truncate(database_url)


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    """Environment for `sniper` subprocesses: a fresh SQLite file, the recorded catalog."""
    return cli_environment(tmp_path)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(REPLAY_NOON)


@dataclass
class Harness:
    """The app, its runtime and watcher, an API client, and helpers to make accounts."""

    app: object
    runtime: Runtime
    watcher: Watcher
    client: httpx.AsyncClient
    clock: ManualClock

    async def account(
        self,
        name: str = "alice",
        *,
        plan: str = "paid",
        tokens: int = 100,
        admin: bool = False,
        webhook_url: str | None = None,
    ) -> str:
        """Create an account and return a fresh API key for it."""
        async with transaction(self.runtime.sessions) as session:
            account = await accounts.create_account(
                session, name=name, plan=plan, tokens=tokens, admin=admin, now=self.clock.now()
            )
            account.webhook_url = webhook_url
            return await accounts.create_api_key(
                session,
                account,
                secret_key=self.runtime.settings.secret_key,
                now=self.clock.now(),
            )


@contextlib.asynccontextmanager
async def running(
    settings: Settings, clock: ManualClock, *, mode: str = "replay", replay_dir: Path = ATOM_DIR
) -> AsyncIterator[Harness]:
    """Run the app's lifespan (loops off) and yield a `Harness` with an in-process client."""
    app = create_app(
        settings,
        ServeOptions(
            mode=mode,
            replay_dir=replay_dir,
            clock=clock,
            run_workers=False,  # type: ignore[arg-type]
        ),
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://sniper.test") as client:
            yield Harness(app, app.state.runtime, app.state.watcher, client, clock)


@pytest.fixture
async def harness(settings: Settings, clock: ManualClock) -> AsyncIterator[Harness]:
    """The app replaying the recorded 2025-12-12 crawl on a manual clock, loops off."""
    async with running(settings, clock) as h:
        yield h
