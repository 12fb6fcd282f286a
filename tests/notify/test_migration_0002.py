"""Migration 0002 (durable delivery): existing outbox rows get endpoints, `failed` becomes
`dead`, the downgrade restores the old shape, no other rows are touched; and the migrated schema
matches the models on the session's database (SQLite or PostgreSQL)."""

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

CORE = "473629f021fd"
STAMP = "2025-12-12 14:00:00.000000"
MINE = ("webhook_", "webhook_previous_secret")


def _rows(path: Path, query: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as connection:
        return list(connection.execute(query))


def _seed_core_schema(path: Path) -> None:
    """An account with a key and three deliveries of the pre-0002 shape (two URLs)."""
    with sqlite3.connect(path) as db:
        db.execute(
            "INSERT INTO accounts (id, name, plan, token_balance, is_admin, webhook_secret, "
            f"created_at) VALUES (1, 'alice', 'paid', 5, 0, 'whsec_AAAA', '{STAMP}')"
        )
        db.execute(
            "INSERT INTO api_keys (account_id, prefix, digest, created_at) "
            f"VALUES (1, 'snp_x', 'digest', '{STAMP}')"
        )
        for delivery_id, url, status, attempts in [
            ("dlv_a", "https://a.example/hook", "failed", 4),
            ("dlv_b", "https://a.example/hook", "pending", 1),
            ("dlv_c", "https://b.example/hook", "delivered", 1),
        ]:
            db.execute(
                "INSERT INTO webhook_deliveries (id, account_id, event_type, url, payload, "
                "status, attempts, next_attempt_at, created_at) VALUES "
                f"('{delivery_id}', 1, 'sniper.filing_hit', '{url}', '{{}}', '{status}', "
                f"{attempts}, '{STAMP}', '{STAMP}')"
            )


def test_upgrade_and_downgrade_keep_the_outbox(tmp_path: Path) -> None:
    path = tmp_path / "migrate.db"
    config = alembic_config(f"sqlite+aiosqlite:///{path}")
    command.upgrade(config, CORE)
    _seed_core_schema(path)
    command.upgrade(config, "0002")
    endpoints = _rows(path, "SELECT id, account_id, url, status FROM webhook_endpoints ORDER BY id")
    assert [(e[1], e[2], e[3]) for e in endpoints] == [
        (1, "https://a.example/hook", "active"),
        (1, "https://b.example/hook", "active"),
    ]
    by_url = {e[2]: e[0] for e in endpoints}
    rows = _rows(path, "SELECT id, url, endpoint_id, status, round FROM webhook_deliveries")
    assert sorted(rows) == [
        ("dlv_a", "https://a.example/hook", by_url["https://a.example/hook"], "dead", 1),
        ("dlv_b", "https://a.example/hook", by_url["https://a.example/hook"], "pending", 1),
        ("dlv_c", "https://b.example/hook", by_url["https://b.example/hook"], "delivered", 1),
    ]
    assert _rows(path, "SELECT webhook_previous_secret FROM accounts") == [(None,)]
    command.downgrade(config, CORE)
    restored = _rows(path, "SELECT id, status, attempts FROM webhook_deliveries ORDER BY id")
    assert restored == [("dlv_a", "failed", 0), ("dlv_b", "pending", 0), ("dlv_c", "delivered", 0)]
    tables = {row[0] for row in _rows(path, "SELECT name FROM sqlite_master WHERE type='table'")}
    assert not {"webhook_endpoints", "webhook_attempts"} & tables
    assert _rows(path, "SELECT name FROM accounts") == [("alice",)]
    assert _rows(path, "SELECT prefix FROM api_keys") == [("snp_x",)], "no cascade on accounts"
    command.upgrade(config, "head")


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


def _mine(difference: Any) -> bool:
    return any(name in repr(difference) for name in MINE)


async def test_migrated_schema_matches_the_webhook_models(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            differences = await connection.run_sync(_differences)
    finally:
        await engine.dispose()
    assert [d for d in differences if _mine(d)] == []
