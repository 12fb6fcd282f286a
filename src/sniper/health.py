"""`GET /healthz` and `GET /readyz` (issue 16 item 2): probes for an orchestrator.

Both are unauthenticated and never rate limited. `/healthz` (liveness) answers 200
`{"status": "ok"}` without touching the database. `/readyz` (readiness) runs `SELECT 1` under a
`READY_TIMEOUT_SECONDS` timeout and answers 200 `{"status": "ready", ...}`, or 503
`{"status": "unavailable", "failing": ["database"], ...}` when the database does not answer in
time; `checks.database` then names the error's type (never its text: it may carry the URL).
`leader` is whether this process holds the EDGAR poll schedule's leader lock (None when it does
not run that schedule, e.g. `sniper serve --workers 0`); `last_poll_at` is the service-clock
time (replay time in replay mode) of the last successful poll of this process, None before one.
"""

from __future__ import annotations

import asyncio
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from sniper.deps import RuntimeDep
from sniper.kit.timefmt import iso_z

router = APIRouter(tags=["health"])
READY_TIMEOUT_SECONDS = 2.0
POLL_SCHEDULE = "edgar.poll"  # sniper.targets.tasks.POLL


class Liveness(BaseModel):
    """The process answers."""

    status: Literal["ok"]


class Readiness(BaseModel):
    """`checks`: check name -> `ok` or the failure (`TimeoutError`, `OperationalError`, ..);
    `failing`: the names of the failed checks (empty when ready)."""

    status: Literal["ready", "unavailable"]
    checks: dict[str, str]
    failing: list[str]
    leader: bool | None
    last_poll_at: str | None


@router.get("/healthz", response_model=Liveness, description=__doc__)
async def healthz() -> Liveness:
    """Liveness: 200 `{"status": "ok"}`, no database."""
    return Liveness(status="ok")


@router.get(
    "/readyz",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "A check failed"}},
    description=__doc__,
)
async def readyz(runtime: RuntimeDep) -> JSONResponse:
    """Readiness: 200 when every check passes, else 503 (see the module docstring)."""
    checks = {"database": await database_check(runtime.engine)}
    failing = [name for name, outcome in checks.items() if outcome != "ok"]
    last_poll_at = runtime.stats.last_poll_at
    body = Readiness(
        status="unavailable" if failing else "ready",
        checks=checks,
        failing=failing,
        leader=runtime.leading.get(POLL_SCHEDULE),
        last_poll_at=iso_z(last_poll_at) if last_poll_at else None,
    )
    return JSONResponse(body.model_dump(), status_code=503 if failing else 200)


async def database_check(engine: AsyncEngine, timeout: float = READY_TIMEOUT_SECONDS) -> str:
    """`ok` when `SELECT 1` answers within `timeout` seconds, else the error's type name."""
    try:
        async with asyncio.timeout(timeout), engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as exc:  # any failure means not ready; the type names it
        return type(exc).__name__
    return "ok"
