"""`INSERT ... ON CONFLICT DO NOTHING RETURNING` on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute


async def insert_ignore(
    session: AsyncSession,
    model: type[Any],
    rows: Sequence[dict[str, Any]],
    key: InstrumentedAttribute[Any],
) -> set[Any]:
    """Insert `rows`, skipping those whose `key` exists; return the keys actually inserted."""
    if not rows:
        return set()
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(model)
        .values(list(rows))
        .on_conflict_do_nothing(index_elements=[key.key])
        .returning(key)
    )
    result = await session.execute(statement)
    return set(result.scalars().all())
