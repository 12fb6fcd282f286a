"""Engine factory for SQLite (aiosqlite) and PostgreSQL (asyncpg).

SQLite gets WAL, foreign keys and a busy timeout on every connection, and every transaction opens
with `BEGIN IMMEDIATE`: pysqlite's deferred transactions overshoot quotas under concurrent writers
(RELIABILITY.md measured 100/100 rounds over) and fail upgrades with "database is locked" instead
of waiting. This is the SQLAlchemy-documented pysqlite `BEGIN` workaround, which also makes
SAVEPOINT work.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.ext.asyncio import AsyncSession as AsyncSession


def create_engine(database_url: str) -> AsyncEngine:
    """An async engine for `database_url` (`sqlite+aiosqlite:///...` or `postgresql+asyncpg://...`)."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return create_async_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    engine = create_async_engine(url, connect_args={"timeout": 30})
    _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def is_sqlite(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "sqlite"


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded attributes after commit (responses are built after commit)."""
    return async_sessionmaker(engine, expire_on_commit=False)
