"""Engine factory for SQLite (aiosqlite) and PostgreSQL (asyncpg).

SQLite gets WAL, foreign keys and a busy timeout on every connection. A writing transaction opens
with `BEGIN IMMEDIATE`: pysqlite's deferred transactions overshoot quotas under concurrent writers
(RELIABILITY.md measured 100/100 rounds over) and fail upgrades with "database is locked" instead
of waiting. This is the SQLAlchemy-documented pysqlite `BEGIN` workaround, which also makes
SAVEPOINT work.

A read transaction (a session opened with the `READ_ONLY` execution option, which the request
dependency gives GET and HEAD requests) opens with a plain deferred `BEGIN`, so readers never
queue behind the single write lock (RELIABILITY F12). A deferred transaction that has
read cannot safely start writing (WAL answers `SQLITE_BUSY_SNAPSHOT` at once when another writer
committed since), so on both backends every INSERT, UPDATE or DELETE in a read transaction raises
`WriteInReadTransaction`: a GET that must write does it in a transaction of its own.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.ext.asyncio import AsyncSession as AsyncSession

READ_ONLY = "sniper_read_only"  # execution option: True opens a read transaction
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class WriteInReadTransaction(RuntimeError):
    """A write statement ran in a read transaction (see the module docstring)."""


def create_engine(database_url: str) -> AsyncEngine:
    """An async engine for `database_url` (`sqlite+aiosqlite:///...` or `postgresql+asyncpg://...`)."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        engine = create_async_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    else:
        engine = create_async_engine(url, connect_args={"timeout": 30})
        _configure_sqlite(engine)
    event.listen(engine.sync_engine, "before_cursor_execute", _refuse_writes_when_read_only)
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
    def _on_begin(connection: Connection) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def _refuse_writes_when_read_only(
    connection: Connection, _cursor: Any, statement: str, *_args: Any
) -> None:
    """`before_cursor_execute` hook: raise `WriteInReadTransaction` for a write statement on a
    connection opened with `READ_ONLY`."""
    if not connection.get_execution_options().get(READ_ONLY, False):
        return
    if statement.lstrip()[:7].upper().startswith(_WRITES):
        raise WriteInReadTransaction(
            f"write in a read transaction (GET/HEAD requests read only): {statement[:80]!r}"
        )


def is_sqlite(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "sqlite"


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded attributes after commit (responses are built after commit)."""
    return async_sessionmaker(engine, expire_on_commit=False)
