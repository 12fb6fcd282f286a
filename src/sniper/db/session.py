"""The transaction belongs to the edge: request dependency, job wrapper and CLI open it here.

Services and repositories never commit. Work that must only happen once the data is durable
(WebSocket pushes, waking the delivery worker) is registered with `on_commit` and runs after a
successful commit; a rollback drops it.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from sniper.db.engine import READ_ONLY

logger = logging.getLogger(__name__)
_ON_COMMIT = "sniper.on_commit"


def on_commit(session: AsyncSession, callback: Callable[[], object]) -> None:
    """Run `callback` after `session` commits successfully (dropped on rollback)."""
    session.info.setdefault(_ON_COMMIT, []).append(callback)


@asynccontextmanager
async def transaction(
    sessions: async_sessionmaker[AsyncSession], *, read_only: bool = False
) -> AsyncIterator[AsyncSession]:
    """Open a session, commit on success, roll back on error, then fire the on-commit callbacks.

    `read_only=True` opens a read transaction: a deferred `BEGIN` on SQLite, so it never waits
    for the write lock, and any write statement in it raises `WriteInReadTransaction`
    (`sniper.db.engine`)."""
    opened = sessions(execution_options={READ_ONLY: True}) if read_only else sessions()
    async with opened as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            session.info.pop(_ON_COMMIT, None)
            await session.rollback()
            raise
        for callback in session.info.pop(_ON_COMMIT, []):
            try:
                callback()
            except Exception:  # a push must never undo or fail a committed request
                logger.exception("on-commit callback failed")
