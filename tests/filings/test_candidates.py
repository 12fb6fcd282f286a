"""candidate_urls: predicted next accession numbers from a company's recorded submissions."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sniper.clock import ManualClock
from sniper.config import Settings
from sniper.filings.candidates import predict
from tests.conftest import Harness, running
from tests.filings.standins import edgar_handler
from tests.support.http_server import LocalServer, Reply
from tests.support.paths import SHARED_EDGAR

NVDA = 1045810


def _submissions(cik: int) -> Any:
    return json.loads((SHARED_EDGAR / f"submissions/CIK{cik:010d}.json").read_text())


def test_the_own_account_is_dense_and_agents_are_sparse() -> None:
    # The recording ends with filings of 2026-03-04; NVIDIA's own account was at 26-000021.
    got = predict(_submissions(NVDA), NVDA, datetime(2026, 3, 5, tzinfo=UTC), 10)
    assert [c["accession"] for c in got] == [
        "0001921094-26-000055",  # the most used prefix: sparse, one guess
        "0001045810-26-000022",
        "0001045810-26-000023",
        "0001045810-26-000024",  # the 8-K NVIDIA actually filed next, on 2026-03-06
        "0001045810-26-000025",
        "0001045810-26-000026",
        "0001197649-26-000004",
    ]
    assert got[3]["url"] == "https://www.sec.gov/Archives/edgar/data/1045810/000104581026000024/"


def test_the_list_is_bounded() -> None:
    got = predict(_submissions(NVDA), NVDA, datetime(2026, 3, 5, tzinfo=UTC), 3)
    assert len(got) == 3


def test_a_new_year_starts_the_own_account_at_one() -> None:
    got = predict(_submissions(NVDA), NVDA, datetime(2027, 1, 5, tzinfo=UTC), 10)
    assert [c["accession"] for c in got] == [f"0001045810-27-{n:06d}" for n in range(1, 6)]


def test_a_company_without_recent_filings_gets_an_empty_list() -> None:
    assert predict(_submissions(350001), 350001, datetime(2025, 12, 12, tzinfo=UTC), 10) == []


async def _create(h: Harness, ticker: str) -> dict[str, Any]:
    key = await h.account("alice")
    created = await h.client.post(
        "/api/v1/sniper/targets",
        headers={"X-API-Key": key},
        json={"ticker": ticker, "duration_minutes": 30},
    )
    assert created.status_code == 200, created.text
    return dict(created.json())


async def test_targets_get_candidate_urls_at_creation(settings: Settings) -> None:
    with LocalServer(edgar_handler) as edgar:
        configured = settings.model_copy(update={"edgar_submissions_base_url": edgar.url})
        clock = ManualClock(datetime(2026, 3, 5, 14, 0, tzinfo=UTC))
        async with running(configured, clock, mode="off") as h:
            target = await _create(h, "NVDA")
    assert [r.path for r in edgar.requests] == ["/submissions/CIK0001045810.json"]
    urls = target["candidate_urls"]
    assert len(urls) == 7
    assert {"accession": "0001045810-26-000024", "url": urls[3]["url"]} == urls[3]


async def test_without_a_submissions_source_candidate_urls_is_null(harness: Harness) -> None:
    assert (await _create(harness, "NVDA"))["candidate_urls"] is None  # replay, offline


async def test_a_failing_submissions_source_leaves_it_null(settings: Settings) -> None:
    with LocalServer(lambda request: Reply(404, b"Not Found")) as edgar:
        configured = settings.model_copy(update={"edgar_submissions_base_url": edgar.url})
        async with running(
            configured, ManualClock(datetime(2026, 3, 5, tzinfo=UTC)), mode="off"
        ) as h:
            target = await _create(h, "NVDA")
    assert target["candidate_urls"] is None
    assert target["status"] == "ACTIVE"
