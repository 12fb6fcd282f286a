"""`claim_due` leases due rows of any job table, oldest due first, once per lease."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from sniper.db.session import transaction
from sniper.models import FilingJob
from sniper.worker.claim import JobTable, claim_due
from tests.conftest import REPLAY_NOON, Harness

JOBS = JobTable(FilingJob)
NOW = REPLAY_NOON


def _job(accession: str, due_in_minutes: int, status: str = "pending") -> FilingJob:
    return FilingJob(
        accession_number=accession,
        cik=320193,
        form_type="8-K",
        accepted_at=NOW,
        entities=[],
        target_ids=[],
        status=status,
        stage="detected",
        attempts=0,
        next_attempt_at=NOW + timedelta(minutes=due_in_minutes),
        created_at=NOW,
        updated_at=NOW,
    )


async def test_claims_due_pending_rows_oldest_first_and_leases_them(harness: Harness) -> None:
    async with transaction(harness.runtime.sessions) as session:
        session.add_all(
            [
                _job("0000000000-25-000001", -1),
                _job("0000000000-25-000002", -5),
                _job("0000000000-25-000003", -3),
                _job("0000000000-25-000004", +5),  # not due yet
                _job("0000000000-25-000005", -9, status="done"),
            ]
        )
    lease = NOW + timedelta(minutes=10)
    async with transaction(harness.runtime.sessions) as session:
        excluded = FilingJob.accession_number != "0000000000-25-000003"
        ids = await claim_due(
            session, JOBS, now=NOW, lease_expires_at=lease, limit=5, where=[excluded]
        )
    async with transaction(harness.runtime.sessions) as session:
        rows = {job.id: job for job in (await session.execute(select(FilingJob))).scalars()}
        again = await claim_due(session, JOBS, now=NOW, lease_expires_at=lease, limit=5)
    claimed = [rows[i].accession_number for i in ids]
    assert claimed == ["0000000000-25-000002", "0000000000-25-000001"]
    assert all(rows[i].lease_expires_at == lease == rows[i].next_attempt_at for i in ids)
    assert [rows[i].accession_number for i in again] == ["0000000000-25-000003"]
