"""The pipeline worker: claim due `filing.process` jobs with a lease and run them.

The hit transaction writes the job and its commit wakes the worker (`PipelineResources.notify`),
so a hit is processed at once; otherwise the worker looks for due retries every `idle_seconds`.
Claims are `FOR UPDATE SKIP LOCKED` on PostgreSQL (any number of workers); SQLite runs one. A
claim holds the job for `SNIPER_FILING_JOB_LEASE`, after which a crashed worker's job falls due
again. Times are the service clock (`Runtime.clock`).
"""

from __future__ import annotations

import asyncio
import logging

from sniper.db.session import transaction
from sniper.filings import repository as repo
from sniper.filings.pipeline import JobClaim, run_job
from sniper.kit.waits import first_of
from sniper.kit.wake import PROCESS_FILING
from sniper.runtime import Runtime

logger = logging.getLogger(__name__)
CONCURRENCY = 4


class PipelineWorker:
    """Claims and runs filing jobs for one process; `run_due` is one pass (tests, tools),
    `run` the long-running loop."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.wake = asyncio.Event()
        runtime.wakeups.register(PROCESS_FILING, self.wake)

    async def claim(self, limit: int) -> list[JobClaim]:
        """Lease up to `limit` due jobs."""
        now = self.runtime.clock.now()
        lease = now + self.runtime.settings.filing_job_lease
        async with transaction(self.runtime.sessions) as session:
            ids = await repo.claim_due(session, now=now, lease_expires_at=lease, limit=limit)
        return [JobClaim(job_id, lease) for job_id in ids]

    async def run_one(self, claim: JobClaim) -> str | None:
        """Run job `filing.process` for `claim`; errors are logged (the lease retries it)."""
        try:
            return await run_job(self.runtime, claim)
        except Exception:
            logger.exception("filing.process job %s crashed", claim.job_id)
            return None

    async def run_due(self) -> int:
        """Run every job due now once (retries that fall due now included); returns how many
        were claimed."""
        count = 0
        while claims := await self.claim(CONCURRENCY):
            count += len(claims)
            await asyncio.gather(*(self.run_one(claim) for claim in claims))
        return count

    async def run(self, stop: asyncio.Event, idle_seconds: float = 1.0) -> None:
        """Until `stop`: run due jobs, then wait for a wake-up or `idle_seconds`."""
        while not stop.is_set():
            self.wake.clear()
            try:
                await self.run_due()
            except Exception:
                logger.exception("claiming filing jobs failed")
            await first_of(self.wake, stop, timeout=idle_seconds)
