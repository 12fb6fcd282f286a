"""Migration 0011 (push event log): `push_events` matches the model, its ids are never
reused on SQLite (AUTOINCREMENT) even once pruning empties it, and the downgrade drops it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command

from sniper.db.migrate import alembic_config
from tests.support.schema import model_differences


async def test_migrated_push_events_match_the_model(database_url: str) -> None:
    assert await model_differences(database_url, "push_events") == []


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def test_ids_are_not_reused_and_downgrade_drops_the_table(tmp_path: Path) -> None:
    path = tmp_path / "migrate.db"
    config = alembic_config(f"sqlite+aiosqlite:///{path}")
    command.upgrade(config, "0011")
    insert = "INSERT INTO push_events (account_id, frame, created_at) VALUES (1, '{}', '2025')"
    with sqlite3.connect(path) as db:
        db.execute(
            "INSERT INTO accounts (id, name, plan, token_balance, is_admin, webhook_secret,"
            " created_at) VALUES (1, 'a', 'free', 0, 0, 'whsec_x', '2025-12-12 14:00:00')"
        )
        db.execute(insert)
        db.execute(insert)
        db.execute("DELETE FROM push_events")
        assert db.execute(insert).lastrowid == 3
    command.downgrade(config, "0010")
    assert "push_events" not in _tables(path)
