"""The FastAPI dependencies every feature's endpoints share: the app's `Runtime` and the
request's transaction (a neutral module: features import it, it imports no feature)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from sniper.db.session import transaction
from sniper.kit.surface import ERROR_RENDERED
from sniper.runtime import Runtime


async def get_runtime(request: Request) -> Runtime:
    """The app's `Runtime` (async: a sync dependency would cost a threadpool hop per request)."""
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
READ_METHODS = frozenset({"GET", "HEAD"})


async def get_session(
    connection: HTTPConnection, runtime: RuntimeDep
) -> AsyncIterator[AsyncSession]:
    """The request's transaction: a read transaction for GET and HEAD (`transaction`,
    `read_only=True`: no write lock on SQLite, writes refused), a writing one otherwise. An
    error rolls it back, also one a surface's route renders itself (`kit.surface`)."""
    read_only = connection.scope.get("method") in READ_METHODS
    try:
        async with transaction(runtime.sessions, read_only=read_only) as session:
            yield session
            if connection.scope.get(ERROR_RENDERED):
                raise _Rendered
    except _Rendered:
        pass


class _Rendered(Exception):
    """Raised inside the transaction to roll it back after a rendered error."""


# scope="function": commit before the response is sent, so a failed commit is never a 200.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
