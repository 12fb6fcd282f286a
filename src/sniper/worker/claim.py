"""Claiming due jobs with a lease, for every job table (webhook deliveries, filing jobs, ...).

A job row is due when its status is the pending one and its due time (`next_attempt_at`) has
come. A claim takes up to `limit` due rows, oldest due first, sets their lease end
(`lease_expires_at`) and pushes their due time to it, so the row of a worker that crashed falls
due again when its lease ends; the worker settles the row before then (done, or due again
later). The backends differ here and nowhere else:

- PostgreSQL: `SELECT ... FOR UPDATE SKIP LOCKED`, so concurrent workers (several processes)
  never take the same row and never wait for each other;
- SQLite: the claiming transaction holds the database's write lock from its start (`BEGIN
  IMMEDIATE`, `sniper.db.engine`) and one worker process runs, so the plain select is exact.

The caller's transaction commits the claim (STYLE 3). Job tables name their columns as
`JobTable` defaults, or pass their own names.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, select, update
from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True)
class JobTable:
    """An ORM job model and the names of its claim columns: `id` (primary key), `status`
    (`pending` holds the claimable values), `due` (when the row is due, aware datetime) and
    `lease` (when the current claim ends, nullable aware datetime)."""

    model: type[Any]
    id: str = "id"
    status: str = "status"
    pending: tuple[str, ...] = ("pending",)
    due: str = "next_attempt_at"
    lease: str = "lease_expires_at"

    def column(self, name: str) -> Any:
        """The model's mapped attribute called `name`."""
        return getattr(self.model, name)

    def is_due(self, now: datetime) -> ColumnElement[bool]:
        """The condition "pending and due at `now`" (for queries that rank or count due rows)."""
        return and_(self.column(self.status).in_(self.pending), self.column(self.due) <= now)


async def claim_due(
    session: AsyncSession,
    table: JobTable,
    *,
    now: datetime,
    lease_expires_at: datetime,
    limit: int,
    where: Sequence[ColumnElement[bool]] = (),
    skip: Collection[Any] = (),
) -> list[Any]:
    """Lease up to `limit` rows of `table` that are due at `now`, match every `where` condition
    and whose id is not in `skip`, oldest due first (then by id); returns their ids in that
    order (empty when none).

    Each claimed row gets `lease = due = lease_expires_at`. Runs in the caller's transaction,
    which must be a writing one (see the module docstring for the per-backend locking).
    """
    row_id, due = table.column(table.id), table.column(table.due)
    if skip:
        where = (*where, row_id.not_in(list(skip)))
    statement = select(row_id).where(table.is_due(now), *where).order_by(due, row_id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    ids = list((await session.execute(statement)).scalars().all())
    if ids:
        await session.execute(
            update(table.model)
            .where(row_id.in_(ids))
            .values({due: lease_expires_at, table.column(table.lease): lease_expires_at})
        )
    return ids
