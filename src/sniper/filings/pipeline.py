"""Job `filing.process`: after a hit, ingest the filing, parse a 13F table, enrich its CUSIPs.

`processing_state` on every target the filing fired (Finradar seeds 001/002):

    detected ─> parsing ─> parsed ─> enriched        (13F-HR with holdings, CUSIPs resolved)
                       │         └─ (stays parsed)   (other forms; 13F whose enrichment was
                       │                              skipped or gave up: enriched_at null)
                       ├─> no_holdings               (13F-NT, or an empty information table)
                       ├─> not_recorded              (replay: a 13F whose documents are not
                       │                              recorded; the record holds its metadata)
                       └─> parse_failed              (fetch or parse failed for good)

`detected` is set in the hit transaction (`enqueue_hit`), which also writes the job row; the
job runs after that commit, so nothing here can hold up or undo the hit notification. Each step
is its own transaction, HTTP always outside one; each state change is stored with its timestamp
(`parsed_at`, `enriched_at`) and pushed as `sniper.processing_state` once committed. A rerun of
the job for the same accession upserts the filing and replaces its holdings: no duplicate rows.
Retryable failures (EDGAR or OpenFIGI unavailable) wait `filing_job_retry_base * 2**(n-1)`
(capped, +-10% jitter) up to `filing_job_max_attempts`; permanent ones (404 on both the index and
the full text, a malformed document, no archives source) end the job at once.

Replay mode fetches from the simulated EDGAR (`SimulatedEdgar`) unless
`SNIPER_EDGAR_ARCHIVES_BASE_URL` is set: a filing without recorded documents gets a record from
its synthesized header (`parsed`; a 13F `not_recorded`), a recorded full submission
(`SNIPER_REPLAY_SUBMISSIONS_PATH`) is parsed like a live one. API-only mode has no archives
source unless that URL is set: hits then end `parse_failed` with that reason, logged once per
process, never retried.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from sniper.config import Settings
from sniper.db.session import transaction
from sniper.edgar.atom import DetectedFiling
from sniper.edgar.client import EdgarError, EdgarUnavailable
from sniper.filings import cusips
from sniper.filings import repository as repo
from sniper.filings.archives import Archives, is_13f
from sniper.filings.cover import DocumentError
from sniper.filings.openfigi import OpenFigiError, OpenFigiUnavailable
from sniper.filings.records import (
    JobView,
    filing_uuid,
    filing_values,
    holding_rows,
    parse_13f_material,
)
from sniper.kit.retry import Backoff, delay
from sniper.kit.wake import PROCESS_FILING
from sniper.models import FilingJob, Target
from sniper.notify import events
from sniper.runtime import Runtime

logger = logging.getLogger(__name__)
DETECTED, PARSING, PARSED, ENRICHED = "detected", "parsing", "parsed", "enriched"
NO_HOLDINGS, PARSE_FAILED, NOT_RECORDED = "no_holdings", "parse_failed", "not_recorded"
TERMINAL = frozenset({ENRICHED, NO_HOLDINGS, PARSE_FAILED, NOT_RECORDED})
NOT_RECORDED_REASON = (
    "replay: this 13F's documents are not recorded (the simulated EDGAR serves its header "
    "only); the filing record holds its metadata, no holdings"
)
NO_ARCHIVES = (
    "no EDGAR archives source (replay or API-only mode without SNIPER_EDGAR_ARCHIVES_BASE_URL)"
)
RETRYABLE = (EdgarUnavailable, OpenFigiUnavailable, httpx.HTTPError)
_warned_no_archives = False


class PermanentFailure(Exception):
    """A job failure that retrying cannot fix."""


class LeaseLost(Exception):
    """The job is no longer this worker's (finished, or re-claimed after the lease ran out)."""


@dataclass(frozen=True, slots=True)
class JobClaim:
    """A job this worker leased until `lease_expires_at` (service clock)."""

    job_id: int
    lease_expires_at: datetime


async def enqueue_hit(
    session: AsyncSession, runtime: Runtime, target: Target, filing: DetectedFiling
) -> None:
    """In the hit transaction: mark `target` `detected`, write (or join) the accession's job,
    and after commit push the state and wake the pipeline worker."""
    now = runtime.clock.now()
    target.processing_state = DETECTED
    row = {
        "accession_number": filing.accession_number,
        "cik": target.cik,
        "form_type": filing.form_type,
        "accepted_at": filing.accepted_at,
        "entities": [{"cik": e.cik, "name": e.name, "role": e.role} for e in filing.entities],
        "status": "pending",
        "stage": DETECTED,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
        "updated_at": now,
    }
    await repo.enqueue_job(session, row, target.id)
    frame = events.processing(target, filing.accession_number)
    runtime.publish_on_commit(session, [(target.account_id, frame)])
    runtime.wakeups.wake_on_commit(session, PROCESS_FILING)


async def _set_state(
    session: AsyncSession,
    runtime: Runtime,
    job: FilingJob,
    stage: str,
    values: dict[str, Any],
    error: str | None = None,
) -> None:
    job.stage, job.updated_at = stage, runtime.clock.now()
    targets = await repo.update_targets(
        session, job.target_ids, {"processing_state": stage, **values}
    )
    frames = [(t.account_id, events.processing(t, job.accession_number, error)) for t in targets]
    runtime.publish_on_commit(session, frames)


async def _owned(session: AsyncSession, claim: JobClaim) -> FilingJob:
    job = await repo.lock_job(session, claim.job_id)
    if job is None or job.status != "pending" or job.lease_expires_at != claim.lease_expires_at:
        raise LeaseLost(claim.job_id)
    return job


async def run_job(runtime: Runtime, claim: JobClaim, backoff: Backoff) -> str | None:
    """Run job `claim` from the stage it reached; a retryable failure is retried after
    `kit.retry.delay(backoff, attempts)` (the job's declared policy, `job_backoff`). Returns the
    stage it ends at (None when the job is not this worker's any more)."""
    try:
        view = await _begin(runtime, claim)
        stage = view.stage
        if stage == PARSING:
            stage = await _parse(runtime, claim, view)
        if stage == PARSED and is_13f(view.form_type):
            stage = await _enrich(runtime, claim, view)
    except LeaseLost:
        return None
    except Exception as exc:
        return await _failed(runtime, claim, exc, backoff)
    return await _complete(runtime, claim)


async def _begin(runtime: Runtime, claim: JobClaim) -> JobView:
    async with transaction(runtime.sessions) as session:
        job = await _owned(session, claim)
        if job.stage == DETECTED:
            await _set_state(session, runtime, job, PARSING, {})
        return JobView(
            job.id,
            job.accession_number,
            job.cik,
            job.form_type,
            job.accepted_at,
            list(job.entities),
            job.stage,
            job.attempts,
        )


async def _parse(runtime: Runtime, claim: JobClaim, view: JobView) -> str:
    """Fetch the filing, parse a 13F table, store the record and holdings: `parsed` or
    `no_holdings`."""
    sources = runtime.pipeline
    if sources.sec is None or sources.archives_base is None:
        raise PermanentFailure(NO_ARCHIVES)
    archives = Archives(sources.sec, sources.archives_base)
    unrecorded = is_13f(view.form_type) and _unrecorded_replay(runtime, view.accession_number)
    form = "" if unrecorded else view.form_type  # unrecorded: the header's metadata only
    material = await archives.fetch(view.cik, view.accession_number, form)
    report = None if unrecorded else await asyncio.to_thread(parse_13f_material, view, material)
    if report is not None and report.outcome == "cover_only":
        raise PermanentFailure(f"{view.accession_number}: 13F without an information table")
    async with transaction(runtime.sessions) as session:
        job = await _owned(session, claim)
        now = runtime.clock.now()
        values = filing_values(view, material, report, now)
        await repo.upsert_filing(session, values)
        if report is not None:
            rows = holding_rows(values["uuid"], report)
            await repo.replace_holdings(session, values["uuid"], rows)
        stage = NO_HOLDINGS if report is not None and report.outcome == NO_HOLDINGS else PARSED
        stage = NOT_RECORDED if unrecorded else stage
        state = {"filing_uuid": values["uuid"], "holdings_count": values["holdings_count"]}
        reason = NOT_RECORDED_REASON if unrecorded else None
        await _set_state(session, runtime, job, stage, state | {"parsed_at": now}, reason)
        job.attempts, job.last_error = 0, reason
    return stage


def _unrecorded_replay(runtime: Runtime, accession: str) -> bool:
    """True when the archives source is the replay's simulated EDGAR and it holds no recorded
    documents for `accession` (it serves the synthesized header only)."""
    sim = runtime.simulated
    from_sim = runtime.settings.edgar_archives_base_url is None
    return sim is not None and from_sim and accession not in sim.documents


async def _enrich(runtime: Runtime, claim: JobClaim, view: JobView) -> str:
    """Map the holdings' CUSIPs (cache first, OpenFIGI for the rest) and copy tickers onto
    them: `enriched` once every CUSIP is resolved, else the state stays `parsed`."""
    uuid = filing_uuid(view.accession_number)
    async with transaction(runtime.sessions) as session:
        wanted = await repo.holding_cusips(session, uuid)
        cached = await repo.cached_mappings(session, wanted)
    missing = [cusip for cusip in wanted if cusip not in cached]
    client = runtime.pipeline.openfigi
    answers = await client.map_cusips(missing) if missing and client is not None else {}
    async with transaction(runtime.sessions) as session:
        job = await _owned(session, claim)
        now = runtime.clock.now()
        await cusips.store(session, list(answers.values()), now=now, source="openfigi")
        await repo.apply_tickers(session, uuid)
        unresolved = len(missing) - len(answers)
        if unresolved:
            why = "OpenFIGI not configured" if client is None else "OpenFIGI job errors"
            job.last_error = f"enrichment skipped: {unresolved} CUSIPs unresolved ({why})"
            return PARSED
        await _set_state(session, runtime, job, ENRICHED, {"enriched_at": now})
    return ENRICHED


async def _complete(runtime: Runtime, claim: JobClaim) -> str | None:
    async with transaction(runtime.sessions) as session:
        try:
            job = await _owned(session, claim)
        except LeaseLost:
            return None
        job.status, job.lease_expires_at, job.updated_at = "done", None, runtime.clock.now()
        return job.stage


def job_backoff(settings: Settings) -> Backoff:
    """`SNIPER_FILING_JOB_*`: base * 2**(n-1), capped, +-10 % jitter."""
    return Backoff.doubling(
        settings.filing_job_retry_base.total_seconds(),
        cap=settings.filing_job_retry_cap.total_seconds(),
        max_attempts=settings.filing_job_max_attempts,
        spread=(0.9, 1.1),
    )


async def _failed(
    runtime: Runtime, claim: JobClaim, exc: Exception, backoff: Backoff
) -> str | None:
    retryable = isinstance(exc, RETRYABLE) or not _known(exc)
    message = f"{type(exc).__name__}: {exc}"[:1000]
    _log_failure(claim, exc, retryable)
    async with transaction(runtime.sessions) as session:
        try:
            job = await _owned(session, claim)
        except LeaseLost:
            return None
        now = runtime.clock.now()
        job.attempts, job.last_error, job.lease_expires_at = job.attempts + 1, message, None
        job.updated_at = now
        wait = delay(backoff, job.attempts) if retryable else None
        if wait is not None:
            job.next_attempt_at = now + timedelta(seconds=wait)
            return job.stage
        if job.stage == PARSED:  # enrichment gave up; the parse stands
            job.status = "done"
            return PARSED
        job.status = "failed"
        await _set_state(session, runtime, job, PARSE_FAILED, {}, error=message)
        return PARSE_FAILED


def _known(exc: Exception) -> bool:
    """Failures this module expects (anything else is logged with its traceback)."""
    return isinstance(exc, EdgarError | DocumentError | OpenFigiError | PermanentFailure)


def _log_failure(claim: JobClaim, exc: Exception, retryable: bool) -> None:
    global _warned_no_archives
    if isinstance(exc, PermanentFailure) and str(exc) == NO_ARCHIVES:
        if not _warned_no_archives:
            _warned_no_archives = True
            logger.warning("filing pipeline: %s; hits end parse_failed", NO_ARCHIVES)
        return
    if not _known(exc):
        logger.exception("filing.process job %s failed unexpectedly", claim.job_id)
        return
    kind = "will retry" if retryable else "giving up"
    logger.warning("filing.process job %s failed (%s): %s", claim.job_id, kind, exc)
