"""`GET /api/v1/status`: mode, clock time, source and counts. Public: it names no account."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import func, select

from sniper.accounts.auth import RuntimeDep, SessionDep
from sniper.edgar.atom import MATCH_ROLES
from sniper.kit.timefmt import iso_z
from sniper.models import Detection, Target
from sniper.runtime import Runtime

router = APIRouter(tags=["status"])


def _upcoming(runtime: Runtime, limit: int = 5) -> list[dict[str, str]] | None:
    """Replay only: the next filings with a ticker in the catalog, for demos."""
    if runtime.replay is None:
        return None
    found = []
    for filing in runtime.replay.upcoming(500):
        tickers = [
            t for cik in filing.ciks_for(MATCH_ROLES) for t in runtime.catalog.tickers_for_cik(cik)
        ]
        if tickers:
            found.append(
                {
                    "ticker": tickers[0],
                    "form_type": filing.form_type,
                    "accepted_at": iso_z(filing.accepted_at),
                    "accession_number": filing.accession_number,
                }
            )
        if len(found) == limit:
            break
    return found


@router.get("/api/v1/status")
async def status(session: SessionDep, runtime: RuntimeDep) -> dict[str, Any]:
    """`{status, mode, clock_time, source{..}, counts{..}, upcoming[..] | null, watcher{..}}`.

    `upcoming` (replay mode) lists the next filings of catalog tickers the replay will show."""
    by_status = dict(
        (await session.execute(select(Target.status, func.count()).group_by(Target.status))).all()
    )
    hits = (
        await session.execute(select(func.count()).where(Target.resolution_reason == "filing_hit"))
    ).scalar_one()
    detections = (await session.execute(select(func.count()).select_from(Detection))).scalar_one()
    stats = runtime.stats
    return {
        "status": "ok",
        "mode": runtime.mode,
        "clock_time": iso_z(runtime.clock.now()),
        "source": runtime.source,
        "counts": {
            "targets_created": by_status.get("CREATED", 0),
            "targets_active": by_status.get("ACTIVE", 0),
            "targets_stopped": by_status.get("STOPPED", 0),
            "filings_detected": detections,
            "hits": hits,
        },
        "upcoming": _upcoming(runtime),
        "watcher": {
            "polls": stats.polls,
            "last_poll_at": iso_z(stats.last_poll_at) if stats.last_poll_at else None,
            "last_error": stats.last_error,
        },
    }
