"""The watcher: poll a filing source, record detections, fire the targets they match.

One tick = one poll of the source, then one lifecycle sweep, each in its own transaction. The
detections table is the "seen" set, so after a restart the first poll pages back exactly as far
as it must (AtomSource stops at the first page holding only accessions already seen) and a
filing accepted inside a window while the process was down still fires.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sniper.db.session import transaction
from sniper.db.upsert import insert_ignore
from sniper.edgar.atom import MATCH_ROLES, DetectedFiling
from sniper.edgar.sources import AtomSource
from sniper.models import Detection, Target
from sniper.runtime import Runtime
from sniper.targets import lifecycle
from sniper.targets import repository as repo
from sniper.targets.matcher import Candidate, CikIndex

logger = logging.getLogger(__name__)
SEEN_HORIZON = timedelta(days=3)
MAX_SEEN_IN_MEMORY = 100_000


def candidate(target: Target) -> Candidate:
    return Candidate.of(
        target.id, target.cik, target.start_time, target.end_time, target.form_types
    )


async def fire_matches(
    session: AsyncSession, runtime: Runtime, filings: Sequence[DetectedFiling]
) -> int:
    """Record `filings` as detections and fire every open target the new ones match.

    Filings already recorded are skipped, so a repeated batch fires nothing twice. Filings are
    taken oldest acceptance first: the first matching filing is the one a target reports.
    """
    now = runtime.clock.now()
    inserted = await insert_ignore(
        session,
        Detection,
        [
            {
                "accession_number": f.accession_number,
                "form_type": f.form_type,
                "accepted_at": f.accepted_at,
                "detected_at": now,
                "source": f.source,
                "index_url": f.index_url,
                "entities": [{"cik": e.cik, "name": e.name, "role": e.role} for e in f.entities],
            }
            for f in filings
        ],
        Detection.accession_number,
    )
    fresh = sorted(
        (f for f in filings if f.accession_number in inserted),
        key=lambda f: (f.accepted_at, f.accession_number),
    )
    ciks = set().union(*(f.ciks_for(MATCH_ROLES) for f in fresh)) if fresh else set()
    index = CikIndex(candidate(t) for t in await repo.open_targets_for_ciks(session, ciks))
    fired: set[str] = set()
    for filing in fresh:
        for match in index.match(filing):
            if match.target_id not in fired and await lifecycle.record_hit(
                session, runtime, match.target_id, filing
            ):
                fired.add(match.target_id)
    return len(fired)


class Watcher:
    """Drives one source and the lifecycle sweep; `tick()` is what the leader loop repeats."""

    def __init__(self, runtime: Runtime, source: AtomSource | None) -> None:
        self.runtime = runtime
        self.source = source
        self._seen: set[str] | None = None

    async def _load_seen(self) -> set[str]:
        horizon = self.runtime.clock.now() - SEEN_HORIZON
        async with transaction(self.runtime.sessions) as session:
            result = await session.execute(
                select(Detection.accession_number).where(Detection.detected_at >= horizon)
            )
            return set(result.scalars().all())

    async def poll_once(self) -> int:
        """Poll the source once; returns the number of targets fired (0 without a source)."""
        if self.source is None:
            return 0
        if self._seen is None:
            self._seen = await self._load_seen()
        seen = self._seen
        filings = await self.source.poll(lambda accession: accession in seen)
        stats = self.runtime.stats
        stats.polls += 1
        stats.last_poll_at = self.runtime.clock.now()
        if not filings:
            return 0
        async with transaction(self.runtime.sessions) as session:
            hits = await fire_matches(session, self.runtime, filings)
        seen.update(f.accession_number for f in filings)
        if len(seen) > MAX_SEEN_IN_MEMORY:  # reload the recent ones from the database
            self._seen = None
        stats.filings_detected += len(filings)
        stats.hits += hits
        return hits

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
