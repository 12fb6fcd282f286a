"""Job `filing.process`, as the job runtime (`sniper.worker.jobs`) runs it: claim due filing
jobs with a lease of `SNIPER_FILING_JOB_LEASE` and run each through the pipeline
(`pipeline.run_job`), four at a time per process, retried per `pipeline.job_backoff`.

The hit transaction writes the job and its commit wakes the loop, so a hit is processed at once.
Claims are `FOR UPDATE SKIP LOCKED` on PostgreSQL (any number of workers); SQLite runs one. A
crashed worker's job falls due again when its lease ends. Times are the service clock.
"""

from __future__ import annotations

from collections.abc import Collection

from sniper.db.session import transaction
from sniper.filings import repository as repo
from sniper.filings.pipeline import JobClaim, job_backoff, run_job
from sniper.kit.wake import PROCESS_FILING
from sniper.worker.jobs import Job, JobContext

CONCURRENCY = 4


async def claim(
    context: JobContext, limit: int, in_flight: Collection[int], skip: Collection[int]
) -> list[JobClaim]:
    """Lease up to `limit` due jobs (none of `skip`), committed."""
    del in_flight  # no per-key limit: `skip` already holds what runs here
    runtime = context.runtime
    now = runtime.clock.now()
    lease = now + runtime.settings.filing_job_lease
    async with transaction(runtime.sessions) as session:
        ids = await repo.claim_due(session, now=now, lease_expires_at=lease, limit=limit, skip=skip)
    return [JobClaim(job_id, lease) for job_id in ids]


async def process(context: JobContext, job: JobClaim) -> str | None:
    """Run the claimed job; returns the stage it ended at (see `pipeline.run_job`)."""
    assert context.backoff is not None
    return await run_job(context.runtime, job, context.backoff)


PROCESS = Job(
    name=PROCESS_FILING,
    claim=claim,
    run=process,
    key=lambda job: job.job_id,
    concurrency=lambda settings: CONCURRENCY,
    retry=job_backoff,
)
