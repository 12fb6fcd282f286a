"""Does a migrated database match the ORM models? One comparison for every migration test."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection

from sniper.db.base import Base
from sniper.db.engine import create_engine


async def model_differences(database_url: str, table: str) -> list[Any]:
    """Alembic's autogenerate differences (types compared) between the migrated database at
    `database_url` and `Base.metadata` that mention `table`; [] when they match."""

    def differences(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return [d for d in compare_metadata(context, Base.metadata) if table in repr(d)]

    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(differences)
    finally:
        await engine.dispose()
