"""Replayed hits walk the filing pipeline against local EDGAR and OpenFIGI stand-ins serving
the recorded files: 13F-HR to `enriched`, an 8-K to `parsed`, failures to `parse_failed`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select, update

from sniper.accounts.service import require_account
from sniper.clock import ManualClock
from sniper.config import Settings
from sniper.db.session import transaction
from sniper.edgar.client import SecClient
from sniper.filings.openfigi import OpenFigiClient
from sniper.filings.report import parse_13f
from sniper.filings.tasks import PROCESS
from sniper.models import Filing, FilingJob, Form13FHolding
from sniper.notify.hub import Subscription
from sniper.worker.jobs import JobRunner
from tests.conftest import Harness, running
from tests.filings.standins import OpenFigiStandIn, edgar_handler, feed_announcing
from tests.support.http_server import LocalServer, Reply, Request
from tests.support.paths import SHARED_EDGAR

METLIFE_13F = "0001140361-23-013281"  # 13F-HR of METLIFE INC (MET), accepted 2023-03-23 11:27:45 ET
METLIFE_FOLDER = "/Archives/edgar/data/1099219/000114036123013281"
NVIDIA_8K = "0001045810-26-000024"  # 8-K of NVIDIA CORP (NVDA), accepted 2026-03-06 16:11:25 ET


def _settings(settings: Settings, **urls: str) -> Settings:
    return settings.model_copy(
        update={"filing_job_retry_base": timedelta(0), "filing_job_max_attempts": 3, **urls}
    )


@asynccontextmanager
async def _replaying(
    settings: Settings, tmp_path: Path, accession: str, start: datetime
) -> AsyncIterator[Harness]:
    feed = tmp_path / "feed"
    feed_announcing(feed, accession)
    async with running(settings, ManualClock(start), replay_dir=feed) as h:
        yield h


async def _hit(h: Harness, ticker: str, fire_at: datetime) -> tuple[str, str, Subscription]:
    """Create a target on `ticker` for alice, subscribe to her pushes, let the filing fire it."""
    key = await h.account("alice")
    created = await h.client.post(
        "/api/v1/sniper/targets",
        headers={"X-API-Key": key},
        json={"ticker": ticker, "duration_minutes": 60},
    )
    assert created.status_code == 200, created.text
    async with transaction(h.runtime.sessions) as session:
        account_id = (await require_account(session, "alice")).id
    subscription = h.runtime.hub.subscribe(account_id)
    h.clock.set(fire_at)
    assert await h.watcher.tick() == 1
    return key, created.json()["target_id"], subscription


def _frames(subscription: Subscription, event: str) -> list[dict[str, Any]]:
    frames = []
    while subscription.pending():
        frame = subscription._items.popleft()
        if frame["event"] == event:
            frames.append(frame["data"])
    return frames


async def _target(h: Harness, key: str) -> dict[str, Any]:
    listed = await h.client.get("/api/v1/sniper/targets", headers={"X-API-Key": key})
    assert listed.status_code == 200
    [target] = listed.json()["targets"]
    return dict(target)


async def _count(h: Harness, model: Any) -> int:
    async with transaction(h.runtime.sessions) as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def test_a_replayed_13f_hit_is_parsed_and_enriched(
    settings: Settings, tmp_path: Path
) -> None:
    figi = OpenFigiStandIn()
    with LocalServer(edgar_handler) as edgar, LocalServer(figi) as openfigi:
        configured = _settings(
            settings, edgar_archives_base_url=edgar.url, openfigi_base_url=openfigi.url
        )
        start = datetime(2023, 3, 23, 15, 0, tzinfo=UTC)
        async with _replaying(configured, tmp_path, METLIFE_13F, start) as h:
            fired_at = datetime(2023, 3, 23, 15, 31, tzinfo=UTC)
            key, target_id, pushes = await _hit(h, "MET", fired_at)
            assert (await _target(h, key))["processing_state"] == "detected"
            h.clock.set(fired_at + timedelta(seconds=5))
            assert await JobRunner(h.runtime, PROCESS).run_due() == 1
            target = await _target(h, key)
            frames = _frames(pushes, "sniper.processing_state")
            filing = await h.client.get(
                f"/api/v1/sec/filings/{METLIFE_13F.replace('-', '')}", headers={"X-API-Key": key}
            )
            holdings = await h.client.get(
                f"/api/v1/form-13f/filings/{METLIFE_13F}/holdings?limit=4",
                headers={"X-API-Key": key},
            )
    assert [f["processing_state"] for f in frames] == ["detected", "parsing", "parsed", "enriched"]
    assert all(f["target_id"] == target_id for f in frames)
    assert frames[-1]["holdings_count"] == 6
    assert target["status"] == "STOPPED"
    assert target["processing_state"] == "enriched"
    assert target["holdings_count"] == 6
    assert target["parsed_at"] == target["enriched_at"] == "2023-03-23T15:31:05Z"
    assert target["filing_uuid"] == filing.json()["data"]["filing_uuid"]
    # EDGAR: no index page is recorded for this filing, so the full submission was used.
    paths = [r.path for r in edgar.requests]
    assert paths == [
        f"{METLIFE_FOLDER}/{METLIFE_13F}-index.htm",
        f"{METLIFE_FOLDER}/{METLIFE_13F}.txt",
    ]
    recorded = parse_13f(SHARED_EDGAR / "13f/full_submission" / f"{METLIFE_13F}.txt")
    assert [sorted(batch) for batch in figi.batches] == [  # one request of 6 jobs, no key
        sorted({holding.cusip for holding in recorded.holdings})
    ]
    assert figi.api_keys == [None]
    _check_metlife_record(filing.json())
    _check_metlife_holdings(holdings.json()["data"])


def _check_metlife_record(body: dict[str, Any]) -> None:
    data = body["data"]
    assert body["status"] == "success"
    assert data["form_type"] == "13F-HR"
    assert data["filer_cik"] == "0001099219"
    assert data["filer_name"] == "METLIFE INC"
    assert data["accepted_at"] == "2023-03-23T15:27:45Z"
    assert (data["filing_date"], data["period_of_report"]) == ("2023-03-23", "2021-12-31")
    assert [d["filename"] for d in data["documents"]] == ["primary_doc.xml", "informationtable.xml"]
    assert data["documents"][1]["url"] == (
        f"https://www.sec.gov{METLIFE_FOLDER}/informationtable.xml"
    )
    summary = data["form_13f"]
    assert summary["value_total_dollars"] == 11_019_796
    assert (summary["value_unit"], summary["unit_rule"]) == ("dollars", "filing_date")
    assert summary["cross_check"]["rows_match"] is True
    assert summary["cross_check"]["value_note"] == "match"


def _check_metlife_holdings(page: dict[str, Any]) -> None:
    assert (page["total"], page["limit"], len(page["holdings"])) == (6, 4, 4)
    first = page["holdings"][0]
    assert (first["cusip"], first["ticker"], first["value"]) == ("464286640", "ECH", 2_049_983)
    assert first["voting_authority"] == {"sole": 0, "shared": 98_000, "none": 0}


async def test_rerunning_the_job_does_not_duplicate_rows(
    settings: Settings, tmp_path: Path
) -> None:
    figi = OpenFigiStandIn()
    with LocalServer(edgar_handler) as edgar, LocalServer(figi) as openfigi:
        configured = _settings(
            settings, edgar_archives_base_url=edgar.url, openfigi_base_url=openfigi.url
        )
        start = datetime(2023, 3, 23, 15, 0, tzinfo=UTC)
        async with _replaying(configured, tmp_path, METLIFE_13F, start) as h:
            key, _, _ = await _hit(h, "MET", datetime(2023, 3, 23, 15, 31, tzinfo=UTC))
            worker = JobRunner(h.runtime, PROCESS)
            assert await worker.run_due() == 1
            async with transaction(h.runtime.sessions) as session:
                await session.execute(
                    update(FilingJob).values(
                        status="pending", stage="detected", next_attempt_at=h.clock.now()
                    )
                )
            assert await worker.run_due() == 1
            counts = (await _count(h, Filing), await _count(h, Form13FHolding))
            target = await _target(h, key)
    assert counts == (1, 6)
    assert (target["processing_state"], target["holdings_count"]) == ("enriched", 6)
    assert len(figi.batches) == 1  # the rerun found every CUSIP in the cache


async def test_openfigi_unavailable_leaves_the_parse_standing(
    settings: Settings, tmp_path: Path
) -> None:
    figi = OpenFigiStandIn(rate_limited=1000)
    with LocalServer(edgar_handler) as edgar, LocalServer(figi) as openfigi:
        configured = _settings(
            settings, edgar_archives_base_url=edgar.url, openfigi_base_url=openfigi.url
        )
        start = datetime(2023, 3, 23, 15, 0, tzinfo=UTC)
        async with _replaying(configured, tmp_path, METLIFE_13F, start) as h:
            h.runtime.pipeline.openfigi = OpenFigiClient(
                httpx.AsyncClient(), base_url=openfigi.url, max_retries=1, sleep=_no_sleep
            )
            key, _, pushes = await _hit(h, "MET", datetime(2023, 3, 23, 15, 31, tzinfo=UTC))
            runner = JobRunner(h.runtime, PROCESS)  # a pass attempts each due job once
            assert [await runner.run_due() for _ in range(4)] == [1, 1, 1, 0]  # max_attempts 3
            target = await _target(h, key)
            states = [f["processing_state"] for f in _frames(pushes, "sniper.processing_state")]
            async with transaction(h.runtime.sessions) as session:
                job = (await session.execute(select(FilingJob))).scalar_one()
    assert states == ["detected", "parsing", "parsed"]
    assert (target["processing_state"], target["holdings_count"]) == ("parsed", 6)
    assert target["enriched_at"] is None
    assert (job.status, job.stage) == ("done", "parsed")
    assert "OpenFigiUnavailable" in (job.last_error or "")


async def _no_sleep(seconds: float) -> None:
    return None


async def test_an_8k_hit_ends_parsed_from_its_index_page(
    settings: Settings, tmp_path: Path
) -> None:
    with LocalServer(edgar_handler) as edgar:
        configured = _settings(settings, edgar_archives_base_url=edgar.url)
        start = datetime(2026, 3, 6, 21, 0, tzinfo=UTC)
        async with _replaying(configured, tmp_path, NVIDIA_8K, start) as h:
            key, _, pushes = await _hit(h, "NVDA", datetime(2026, 3, 6, 21, 14, tzinfo=UTC))
            assert await JobRunner(h.runtime, PROCESS).run_due() == 1
            target = await _target(h, key)
            states = [f["processing_state"] for f in _frames(pushes, "sniper.processing_state")]
            filing = await h.client.get(
                f"/api/v1/sec/filings/{NVIDIA_8K}", headers={"X-API-Key": key}
            )
            holdings = await h.client.get(
                f"/api/v1/form-13f/filings/{NVIDIA_8K}/holdings", headers={"X-API-Key": key}
            )
    assert states == ["detected", "parsing", "parsed"]
    assert target["processing_state"] == "parsed"
    assert target["holdings_count"] is None
    assert target["enriched_at"] is None
    assert target["parsed_at"] == "2026-03-06T21:14:00Z"
    folder = "/Archives/edgar/data/1045810/000104581026000024"
    assert [r.path for r in edgar.requests] == [
        f"{folder}/{NVIDIA_8K}-index.htm",
        f"{folder}/index.json",
    ]
    data = filing.json()["data"]
    assert data["form_13f"] is None
    assert (data["form_type"], data["period_of_report"]) == ("8-K", "2026-03-02")
    assert len(data["documents"]) == 7
    assert data["documents"][0] == {
        "sequence": 1,
        "description": "8-K",
        "filename": "nvda-20260302.htm",
        "type": "8-K",
        "size": 31103,
        "url": f"https://www.sec.gov{folder}/nvda-20260302.htm",
    }
    assert holdings.status_code == 404


async def test_replay_of_a_13f_without_recorded_documents_ends_not_recorded(
    settings: Settings, tmp_path: Path
) -> None:
    """Replay fetches from the simulated EDGAR, which serves only a synthesized header for a
    filing whose documents are not recorded: a record of that metadata, no scary failure."""
    start = datetime(2023, 3, 23, 15, 0, tzinfo=UTC)
    async with _replaying(_settings(settings), tmp_path, METLIFE_13F, start) as h:
        key, target_id, pushes = await _hit(h, "MET", datetime(2023, 3, 23, 15, 31, tzinfo=UTC))
        hits = _frames(pushes, "sniper.filing_hit")  # the notification went out first
        assert await JobRunner(h.runtime, PROCESS).run_due() == 1
        target = await _target(h, key)
        frames = _frames(pushes, "sniper.processing_state")
        async with transaction(h.runtime.sessions) as session:
            job = (await session.execute(select(FilingJob))).scalar_one()
        filing = await h.client.get(
            f"/api/v1/sec/filings/{METLIFE_13F}", headers={"X-API-Key": key}
        )
    assert [hit["target_id"] for hit in hits] == [target_id]
    assert target["status"] == "STOPPED"
    assert target["resolution_reason"] == "filing_hit"
    assert target["processing_state"] == "not_recorded"
    assert [f["processing_state"] for f in frames] == ["parsing", "not_recorded"]
    assert "not recorded" in (frames[-1]["error"] or "")
    assert (job.status, job.attempts) == ("done", 0)  # nothing to retry
    assert filing.status_code == 200, filing.text
    record = filing.json()["data"]
    assert record["filer_name"] == "METLIFE INC"
    assert record["form_13f"]["holdings_count"] is None  # no holdings claimed


def _flaky(failures: int) -> tuple[list[int], Any]:
    """An EDGAR stand-in answering 503 to the first `failures` requests."""
    statuses: list[int] = []

    def handler(request: Request) -> Reply:
        if len(statuses) < failures:
            statuses.append(503)
            return Reply(503, b"Service Unavailable")
        statuses.append(200)
        return edgar_handler(request)

    return statuses, handler


async def _single_attempt_client(h: Harness) -> None:
    # One attempt per request, so the job's own retry policy is what is exercised.
    h.runtime.pipeline.sec = SecClient(
        httpx.AsyncClient(), user_agent="Sniper tests tests@example.com", max_attempts=1
    )


async def test_edgar_unavailable_is_retried_then_succeeds(
    settings: Settings, tmp_path: Path
) -> None:
    statuses, handler = _flaky(1)
    with LocalServer(handler) as edgar:
        configured = _settings(settings, edgar_archives_base_url=edgar.url)
        start = datetime(2023, 3, 23, 15, 0, tzinfo=UTC)
        async with _replaying(configured, tmp_path, METLIFE_13F, start) as h:
            await _single_attempt_client(h)
            key, _, _ = await _hit(h, "MET", datetime(2023, 3, 23, 15, 31, tzinfo=UTC))
            worker = JobRunner(h.runtime, PROCESS)
            assert await worker.run_due() == 1  # 503: the retry falls due at once (base 0 s)
            assert await worker.run_due() == 1
            target = await _target(h, key)
    assert statuses[:2] == [503, 200]
    # No OpenFIGI and an empty cache: enrichment is skipped, the parse stands.
    assert (target["processing_state"], target["holdings_count"]) == ("parsed", 6)
    assert target["enriched_at"] is None


async def test_edgar_unavailable_too_long_ends_parse_failed(
    settings: Settings, tmp_path: Path
) -> None:
    statuses, handler = _flaky(100)
    with LocalServer(handler) as edgar:
        configured = _settings(settings, edgar_archives_base_url=edgar.url)
        start = datetime(2023, 3, 23, 15, 0, tzinfo=UTC)
        async with _replaying(configured, tmp_path, METLIFE_13F, start) as h:
            await _single_attempt_client(h)
            key, _, _ = await _hit(h, "MET", datetime(2023, 3, 23, 15, 31, tzinfo=UTC))
            runner = JobRunner(h.runtime, PROCESS)  # a pass attempts each due job once
            assert [await runner.run_due() for _ in range(4)] == [1, 1, 1, 0]  # max_attempts 3
            target = await _target(h, key)
    assert len(statuses) == 3
    assert target["processing_state"] == "parse_failed"
    assert target["filing_uuid"] is None
