"""Migration 0004 (idempotency keys): upgrade creates exactly the model's table, downgrade drops
it and nothing else, and upgrade works again."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from sniper.db.base import Base
from sniper.db.migrate import alembic_config
from sniper.models import IdempotencyKey


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def _differences(path: Path) -> list[object]:
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return [
                diff
                for diff in compare_metadata(context, Base.metadata)
                if "idempotency" in repr(diff)
            ]
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "migrate.db"
    config = alembic_config(f"sqlite+aiosqlite:///{path}")
    command.upgrade(config, "0004")
    assert IdempotencyKey.__tablename__ in _tables(path)
    assert _differences(path) == []
    before = _tables(path)
    command.downgrade(config, "0003")
    assert _tables(path) == before - {"idempotency_keys"}
    command.upgrade(config, "0004")
    assert _tables(path) == before
    with sqlite3.connect(path) as db:
        indexes = {row[1] for row in db.execute("PRAGMA index_list('idempotency_keys')")}
    assert "ix_idempotency_keys_created_at" in indexes
