"""`GET /api/v1/status` (issue 10 item 11): liveness for anyone, detail for an API key.

Without a key: `{"status": "ok", "mode": ..}`. With a key (Bearer, `X-API-Key` or `?apiKey=`;
an unknown or revoked one is a 401 as everywhere, and a keyed call counts against the plan's
rate limit): clock time, source, counts, the next replayed filings, watcher counters and the
detection planner's budget and sources (requests/s over the last 60 s of clock time, requests
sent, `hits` = filings the source saw first, `seen` = filings it reported at all). The
counts are the caller's own targets; an admin's are every account's, and only an admin sees
the whole source description (the replay directory, the EDGAR URL) and the watcher's last
error.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sniper.accounts.auth import OptionalAccount
from sniper.db.session import transaction
from sniper.deps import RuntimeDep, SessionDep
from sniper.edgar.atom import MATCH_ROLES
from sniper.kit.openapi import error_responses
from sniper.kit.timefmt import iso_z
from sniper.models import Detection, Target
from sniper.runtime import Runtime
from sniper.serviceclock import persist
from sniper.worker.jobs import Schedule

router = APIRouter(tags=["status"])
# Source fields every account may see; the rest (replay_dir, url) are the admin's.
PUBLIC_SOURCE_FIELDS = ("kind", "speed", "filings", "lag_seconds")


class StatusLiveness(BaseModel):
    """Without an API key: the service answers, and in which mode (`replay`, `live`, `off`)."""

    status: Literal["ok"]
    mode: str


class StatusCounts(BaseModel):
    """Targets by status and hits: the caller's own, every account's for an admin.
    `filings_detected` counts every filing the watcher recorded."""

    targets_created: int
    targets_active: int
    targets_stopped: int
    filings_detected: int
    hits: int


class UpcomingFiling(BaseModel):
    ticker: str
    form_type: str
    accepted_at: str
    accession_number: str


class WatcherStatus(BaseModel):
    polls: int
    last_poll_at: str | None


class AdminWatcherStatus(WatcherStatus):
    """An admin's view adds the last poll error (None after a successful poll)."""

    last_error: str | None


class SourceStatus(BaseModel):
    requests: int
    requests_per_second: float
    hits: int
    seen: int


class DetectionStatus(BaseModel):
    """The SEC budget (`max_rps` hard cap, `plan_rps` planned, `requests_last_second`),
    SEC's block (`paused_until`, None when not blocked) and each source (`atom`, `archives`,
    `submissions`)."""

    max_rps: float
    plan_rps: int
    requests_last_second: int
    paused_until: str | None
    sources: dict[str, SourceStatus]


class StatusDetail(StatusLiveness):
    """With an API key. `upcoming` (replay mode; None live) lists the next filings of catalog
    tickers the replay will show; `detection` is None without a source (API-only mode)."""

    clock_time: str
    source: dict[str, Any]
    counts: StatusCounts
    upcoming: list[UpcomingFiling] | None
    watcher: AdminWatcherStatus | WatcherStatus
    detection: DetectionStatus | None


@router.get(
    "/api/v1/status",
    response_model=StatusDetail | StatusLiveness,
    responses=error_responses(401, 429),
    description=__doc__,
)
async def status(
    session: SessionDep, runtime: RuntimeDep, account: OptionalAccount
) -> StatusDetail | StatusLiveness:
    """Liveness without a key; the detail with one (see the module docstring)."""
    if account is None:
        return StatusLiveness(status="ok", mode=runtime.mode)
    stats = runtime.stats
    last_poll_at = iso_z(stats.last_poll_at) if stats.last_poll_at else None
    watcher = WatcherStatus(polls=stats.polls, last_poll_at=last_poll_at)
    source = runtime.source
    if account.is_admin:
        watcher = AdminWatcherStatus(**watcher.model_dump(), last_error=stats.last_error)
    else:
        source = {k: v for k, v in source.items() if k in PUBLIC_SOURCE_FIELDS}
    return StatusDetail(
        status="ok",
        mode=runtime.mode,
        clock_time=iso_z(runtime.clock.now()),
        source=source,
        counts=await _counts(session, None if account.is_admin else account.id),
        upcoming=_upcoming(runtime),
        watcher=watcher,
        detection=_detection(runtime),
    )


def _detection(runtime: Runtime) -> DetectionStatus | None:
    planner = runtime.planner
    if planner is None:
        return None
    budget = planner.sec.budget
    rates = budget.rates()
    paused = budget.paused_until
    return DetectionStatus(
        max_rps=budget.max_rps,
        plan_rps=planner.settings.plan_rps,
        requests_last_second=budget.last_second(),
        paused_until=iso_z(paused) if paused else None,
        sources={
            name: SourceStatus(
                requests=budget.sent[name],
                requests_per_second=rates.get(name, 0.0),
                hits=stats.hits,
                seen=stats.seen,
            )
            for name, stats in planner.stats.items()
        },
    )


async def _counts(session: AsyncSession, account_id: int | None) -> StatusCounts:
    """Targets of `account_id` (every account's for None) by status, their hits, and every
    detected filing."""
    owned = [] if account_id is None else [Target.account_id == account_id]
    by_status_query = select(Target.status, func.count()).where(*owned).group_by(Target.status)
    by_status = dict((await session.execute(by_status_query)).all())
    hits_query = select(func.count()).where(Target.resolution_reason == "filing_hit", *owned)
    detections_query = select(func.count()).select_from(Detection)
    return StatusCounts(
        targets_created=by_status.get("CREATED", 0),
        targets_active=by_status.get("ACTIVE", 0),
        targets_stopped=by_status.get("STOPPED", 0),
        filings_detected=(await session.execute(detections_query)).scalar_one(),
        hits=(await session.execute(hits_query)).scalar_one(),
    )


def _upcoming(runtime: Runtime, limit: int = 5) -> list[UpcomingFiling] | None:
    """Replay only: the next filings with a ticker in the catalog, for demos."""
    if runtime.simulated is None:
        return None
    now = runtime.clock.now()
    hidden = sorted(
        (f for f in runtime.simulated.filings if f.first_public > now),
        key=lambda f: (f.first_public, f.accession_number),
    )
    found = []
    for filing in hidden:
        ciks = dict.fromkeys(e.cik for e in filing.entities if e.role in MATCH_ROLES)
        tickers = [t for cik in ciks for t in runtime.catalog.tickers_for_cik(cik)]
        if tickers:
            found.append(
                UpcomingFiling(
                    ticker=tickers[0],
                    form_type=filing.form_type,
                    accepted_at=iso_z(filing.accepted_at),
                    accession_number=filing.accession_number,
                )
            )
        if len(found) == limit:
            break
    return found


def _persist_clock(runtime: Runtime) -> Callable[[], Awaitable[None]]:
    async def tick() -> None:
        async with transaction(runtime.sessions) as session:
            await persist(session, runtime.clock, wall=runtime.wall_clock)

    return tick


# A replaying process keeps its clock in the database so CLI writes stamp replay time
# (sniper.serviceclock); every replaying process writes it (each runs the same replay).
CLOCK_PERSIST = Schedule(
    name="clock.persist",
    start=_persist_clock,
    interval=lambda settings: settings.service_clock_interval.total_seconds(),
    enabled=lambda runtime: runtime.mode == "replay",
)
