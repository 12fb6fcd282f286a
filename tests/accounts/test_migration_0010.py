"""Migration 0010 (notification preferences): the accounts columns match the model, existing
accounts get true for both switches, and the downgrade drops exactly those columns."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command

from sniper.db.migrate import alembic_config
from tests.support.schema import model_differences

MINE = ("notify_email", "notify_browser")


def _columns(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        return [row[1] for row in db.execute("PRAGMA table_info('accounts')")]


async def test_migrated_accounts_match_the_model(database_url: str) -> None:
    assert await model_differences(database_url, "accounts") == []


def test_existing_accounts_get_true_and_downgrade_drops_the_columns(tmp_path: Path) -> None:
    path = tmp_path / "migrate.db"
    config = alembic_config(f"sqlite+aiosqlite:///{path}")
    command.upgrade(config, "0009")
    before = _columns(path)
    with sqlite3.connect(path) as db:
        db.execute(
            "INSERT INTO accounts (name, plan, token_balance, is_admin, webhook_secret,"
            " created_at) VALUES ('old', 'free', 0, 0, 'whsec_x', '2025-12-12 14:00:00')"
        )
    command.upgrade(config, "0010")
    assert _columns(path) == [*before, *MINE]
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT notify_email, notify_browser FROM accounts").fetchall() == [
            (1, 1)
        ]
    command.downgrade(config, "0009")
    assert _columns(path) == before
