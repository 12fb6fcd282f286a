"""`INSERT ... ON CONFLICT` on SQLite and PostgreSQL alike: the one place that picks the
dialect's `insert` (both have `on_conflict_do_nothing` / `on_conflict_do_update`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute


def dialect_insert(session: AsyncSession, model: type[Any]) -> Any:
    """`insert(model)` of the session's dialect (PostgreSQL's, else SQLite's)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(model)


async def insert_ignore(
    session: AsyncSession,
    model: type[Any],
    rows: Sequence[dict[str, Any]],
    key: InstrumentedAttribute[Any],
) -> set[Any]:
    """Insert `rows`, skipping those whose `key` exists; return the keys actually inserted."""
    if not rows:
        return set()
    statement = (
        dialect_insert(session, model)
        .values(list(rows))
        .on_conflict_do_nothing(index_elements=[key.key])
        .returning(key)
    )
    result = await session.execute(statement)
    return set(result.scalars().all())
