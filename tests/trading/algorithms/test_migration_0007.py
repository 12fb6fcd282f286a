"""Migration 0007 (trading algorithms): it creates exactly the models' tables on SQLite and
PostgreSQL, its downgrade drops them and nothing else, and upgrade works again."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection

from sniper.db.base import Base
from sniper.db.engine import create_engine
from sniper.db.migrate import alembic_config

MINE = ("trading_algorithms", "algorithm_orders", "algorithm_trades", "backtests")


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return [d for d in compare_metadata(context, Base.metadata) if any(t in repr(d) for t in MINE)]


async def test_migrated_schema_matches_the_models(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(_differences) == []
    finally:
        await engine.dispose()


def test_upgrade_downgrade_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "migrate.db"
    config = alembic_config(f"sqlite+aiosqlite:///{path}")
    command.upgrade(config, "0007")
    after = _tables(path)
    assert set(MINE) <= after
    command.downgrade(config, "0006")
    assert _tables(path) == after - set(MINE)
    command.upgrade(config, "0007")
    assert _tables(path) == after
    with sqlite3.connect(path) as db:
        unique = [
            db.execute(f"PRAGMA index_info('{row[1]}')").fetchall()[0][2]
            for row in db.execute("PRAGMA index_list('algorithm_orders')")
            if row[3] == "u"
        ]
    assert unique == ["client_order_id"]
