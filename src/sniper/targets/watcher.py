"""The watcher: run the detection planner, record what its sources saw, fire the targets.

One tick = one planner second (feed, backstop and Archives probes of the targets inside their
window), then one lifecycle sweep. The detections table is the "seen" set, per source: after a
restart the feed pages back exactly as far as it must (AtomSource stops at the first page holding
only accessions the feed already reported) and a filing accepted inside a window while the
process was down still fires. A filing is recorded and its targets fired in one transaction the
moment a source reports it; a later source only adds its first-seen time.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sniper.db.session import on_commit, transaction
from sniper.db.upsert import insert_ignore
from sniper.edgar.atom import MATCH_ROLES, DetectedFiling
from sniper.edgar.planner import DetectionPlanner, Watched
from sniper.kit import metrics
from sniper.kit.timefmt import iso_z
from sniper.models import Detection, Target
from sniper.runtime import Runtime
from sniper.targets import lifecycle
from sniper.targets import repository as repo
from sniper.targets.matcher import Candidate, CikIndex

logger = logging.getLogger(__name__)
SEEN_HORIZON = timedelta(days=3)
MAX_SEEN_IN_MEMORY = 100_000
BACKLOG_LINES = 20


def candidate(target: Target) -> Candidate:
    return Candidate.of(
        target.id, target.cik, target.start_time, target.end_time, target.form_types
    )


async def fire_matches(
    session: AsyncSession, runtime: Runtime, filings: Sequence[DetectedFiling], source: str
) -> tuple[set[str], int]:
    """Record `filings` as seen by `source` and fire every open target the new ones match.

    Returns `(fresh, fired)`: the accessions no source had recorded before, and the targets
    fired. A filing already recorded only gains `source`'s first-seen time, so a repeated
    batch fires nothing twice. Filings are taken oldest acceptance first: the first matching
    filing is the one a target reports.
    """
    now = runtime.clock.now()
    rows = [_row(f, now, source) for f in filings]
    inserted = await insert_ignore(session, Detection, rows, Detection.accession_number)
    await _add_first_seen(
        session,
        runtime,
        [f.accession_number for f in filings if f.accession_number not in inserted],
        source,
        now,
    )
    fresh = sorted(
        (f for f in filings if f.accession_number in inserted),
        key=lambda f: (f.accepted_at, f.accession_number),
    )
    _log_fresh(fresh, source)
    _observe_lags(session, runtime, [(f.accession_number, f.accepted_at) for f in fresh], source)
    ciks = set().union(*(f.ciks_for(MATCH_ROLES) for f in fresh)) if fresh else set()
    index = CikIndex(candidate(t) for t in await repo.open_targets_for_ciks(session, ciks))
    fired: set[str] = set()
    for filing in fresh:
        for match in index.match(filing):
            if match.target_id not in fired and await lifecycle.record_hit(
                session, runtime, match.target_id, filing
            ):
                fired.add(match.target_id)
    return set(inserted), len(fired)


def _log_fresh(fresh: Sequence[DetectedFiling], source: str) -> None:
    """One line per new filing (`make run` shows the sources side by side); a backlog (the
    first read after a start) is one line."""
    if len(fresh) > BACKLOG_LINES:
        logger.info("%d filings first seen by %s (backlog)", len(fresh), source)
        return
    for filing in fresh:
        logger.info("%s %s: first seen by %s", filing.accession_number, filing.form_type, source)


def _row(filing: DetectedFiling, now: datetime, source: str) -> dict[str, object]:
    return {
        "accession_number": filing.accession_number,
        "form_type": filing.form_type,
        "accepted_at": filing.accepted_at,
        "detected_at": now,
        "source": source,
        "index_url": filing.index_url,
        "entities": [{"cik": e.cik, "name": e.name, "role": e.role} for e in filing.entities],
        "first_seen": {source: iso_z(now)},
    }


def _observe_lags(
    session: AsyncSession,
    runtime: Runtime,
    filings: Sequence[tuple[str, datetime]],
    source: str,
) -> None:
    """Once `session` commits: each `(accession, accepted_at)` first seen by `source` now, in
    the detection lag histograms (`kit.metrics`); the lag from first public only where it is
    known (the replay's simulated EDGAR). A backlog (more than `BACKLOG_LINES` at once: the
    first read after a start) is left out: its lags are the downtime's, not detection's."""
    if not filings or len(filings) > BACKLOG_LINES:
        return
    now = runtime.clock.now()
    simulated = runtime.simulated
    public = simulated.by_accession if simulated is not None else {}
    lags = [
        ((now - accepted).total_seconds(), public[acc].first_public if acc in public else None)
        for acc, accepted in filings
    ]

    def observe() -> None:
        for since_accepted, first_public in lags:
            metrics.DETECTION_LAG_ACCEPTED.labels(source=source).observe(since_accepted)
            if first_public is not None:
                since_public = max(0.0, (now - first_public).total_seconds())
                metrics.DETECTION_LAG_PUBLIC.labels(source=source).observe(since_public)

    on_commit(session, observe)


async def _add_first_seen(
    session: AsyncSession, runtime: Runtime, accessions: list[str], source: str, now: datetime
) -> None:
    """Add `source`'s first-seen time to detections recorded by other sources."""
    if not accessions:
        return
    found = await session.execute(
        select(Detection).where(Detection.accession_number.in_(accessions))
    )
    later: list[tuple[str, datetime]] = []
    for detection in found.scalars():
        seen = detection.seen_times()
        if source not in seen:
            later.append((detection.accession_number, detection.accepted_at))
            detection.first_seen = {**seen, source: iso_z(now)}
            behind = (now - detection.detected_at).total_seconds()
            logger.info(
                "%s %s: %s %.1f s after %s",
                detection.accession_number,
                detection.form_type,
                source,
                behind,
                detection.source,
            )
    _observe_lags(session, runtime, later, source)
    await session.flush()


class Watcher:
    """Drives the planner and the lifecycle sweep; `tick()` is what the leader loop repeats.
    It is the planner's `Detector`: `seen` answers from memory (loaded from the detections of
    the last 3 days), `detected` records and fires in one transaction."""

    def __init__(self, runtime: Runtime, planner: DetectionPlanner | None) -> None:
        self.runtime = runtime
        self.planner = planner
        self._seen: dict[str, set[str]] | None = None
        self._hits = 0
        self._lock = asyncio.Lock()

    async def _load_seen(self) -> dict[str, set[str]]:
        horizon = self.runtime.clock.now() - SEEN_HORIZON
        query = select(Detection.accession_number, Detection.source, Detection.first_seen)
        async with transaction(self.runtime.sessions) as session:
            result = await session.execute(query.where(Detection.detected_at >= horizon))
            return {acc: set(first or {}) | {source} for acc, source, first in result.all()}

    def seen(self, accession: str, source: str | None = None) -> bool:
        sources = (self._seen or {}).get(accession)
        return sources is not None and (source is None or source in sources)

    async def detected(self, filings: Sequence[DetectedFiling], source: str) -> int:
        """Record `filings` as seen by `source`, fire their targets; returns the new ones."""
        async with self._lock:
            async with transaction(self.runtime.sessions) as session:
                fresh, hits = await fire_matches(session, self.runtime, filings, source)
            seen = self._seen if self._seen is not None else {}
            for filing in filings:
                seen.setdefault(filing.accession_number, set()).add(source)
            self._hits += hits
            self.runtime.stats.filings_detected += len(fresh)
            self.runtime.stats.hits += hits
            return len(fresh)

    async def watched(self) -> list[Watched]:
        """The CIKs of targets inside their window now (ACTIVE, start <= now <= end)."""
        now = self.runtime.clock.now()
        async with transaction(self.runtime.sessions) as session:
            rows = await repo.in_window(session, now)
        return [Watched(t.cik, t.start_time, t.end_time) for t in rows]

    async def poll_once(self) -> int:
        """One planner second; returns the number of targets fired (0 without a planner)."""
        if self.planner is None:
            return 0
        if self._seen is None:
            self._seen = await self._load_seen()
        before = self._hits
        await self.planner.run_second(await self.watched(), self)
        stats = self.runtime.stats
        stats.polls += 1
        metrics.POLLS.inc()
        stats.last_poll_at = self.runtime.clock.now()
        if len(self._seen) > MAX_SEEN_IN_MEMORY:  # reload the recent ones from the database
            self._seen = None
        return self._hits - before

    async def sweep(self, now: datetime | None = None) -> tuple[int, int]:
        async with transaction(self.runtime.sessions) as session:
            return await lifecycle.sweep(session, self.runtime, now)

    async def tick(self) -> int:
        """Poll, then sweep as of the poll's start: a filing detected late but accepted inside a
        window fires before that window's expiry is considered, however long the poll took (a
        sweep at the clock's later now could expire a target whose filing showed in the feed
        only after the poll read it)."""
        started = self.runtime.clock.now()
        hits = await self.poll_once()
        await self.sweep(started)
        return hits
