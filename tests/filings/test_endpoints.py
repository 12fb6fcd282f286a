"""Reference endpoints: `/api/v1/cusip/ticker/{ticker}`, `/api/v1/cusip/lookup/{cusip}` and
the 400 / 404 answers of `/sec/filings` and `/form-13f/filings` (the 200 answers are checked
on replayed hits in test_pipeline.py)."""

from __future__ import annotations

from typing import Any

import pytest

from sniper.clock import ManualClock
from sniper.config import Settings
from sniper.db.session import transaction
from sniper.filings import cusips
from tests.conftest import Harness, running
from tests.filings.standins import FIGI_CSV, OpenFigiStandIn
from tests.support.http_server import LocalServer

SEED = cusips.read_seed_csv(FIGI_CSV).mappings  # 9,871 distinct CUSIPs (the CLI test seeds all)
SEEDED_TICKERS = {"BRK/B", "BRK/A", "AAPL", "BAC", "AMT"}
SEEDED_CUSIPS = {"037833100", "084670207"}


async def _seeded(h: Harness) -> str:
    rows = [m for m in SEED if m.ticker in SEEDED_TICKERS or m.cusip in SEEDED_CUSIPS]
    async with transaction(h.runtime.sessions) as session:
        await cusips.store(session, rows, now=h.clock.now())
    return await h.account("alice")


async def _get(h: Harness, key: str, path: str) -> tuple[int, dict[str, Any]]:
    response = await h.client.get(path, headers={"X-API-Key": key})
    return response.status_code, response.json()


@pytest.mark.parametrize(
    ("asked", "ticker", "cusip", "cik", "issuer"),
    [
        ("brk.b", "BRK-B", "084670702", "0001067983", "BERKSHIRE HATHAWAY INC-CL B"),
        ("AAPL", "AAPL", "037833100", "0000320193", "APPLE INC"),
        # Two rows carry the ticker BAC: a German listing of Verizon and Bank of America.
        ("BAC", "BAC", "060505104", "0000070858", "BANK OF AMERICA CORP"),
        # AMT: American Tower (a REIT, listed US) and TD Ameritrade (common stock, GS).
        ("AMT", "AMT", "03027X100", "0001053507", "AMERICAN TOWER CORP"),
    ],
)
async def test_ticker_to_current_cusip(
    harness: Harness, asked: str, ticker: str, cusip: str, cik: str, issuer: str
) -> None:
    key = await _seeded(harness)
    status, body = await _get(harness, key, f"/api/v1/cusip/ticker/{asked}")
    assert status == 200
    assert body["status"] == "success"
    assert body["request_id"]
    data = body["data"]
    assert (data["ticker"], data["cusip"], data["cik"], data["issuer_name"]) == (
        ticker,
        cusip,
        cik,
        issuer,
    )


async def test_unknown_ticker_is_404(harness: Harness) -> None:
    key = await _seeded(harness)
    status, body = await _get(harness, key, "/api/v1/cusip/ticker/NOSUCHTKR")
    assert status == 404
    assert body["status"] == "error"
    assert body["error"]["code"] == "NOT_FOUND"
    assert body["error"]["details"] == {"ticker": "NOSUCHTKR"}


async def test_cusip_lookup_from_the_cache(harness: Harness) -> None:
    key = await _seeded(harness)
    status, body = await _get(harness, key, "/api/v1/cusip/lookup/037833100")
    assert status == 200
    data = body["data"]
    assert (data["ticker"], data["figi"], data["source"]) == ("AAPL", "BBG000B9XRY4", "seed")
    assert data["issuer_name"] == "APPLE INC"
    status, body = await _get(harness, key, "/api/v1/cusip/lookup/084670207")  # a recorded miss
    assert status == 404
    assert body["error"]["details"] == {"cusip": "084670207", "known_miss": True}


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/cusip/lookup/12345", "cusip"),
        ("/api/v1/cusip/lookup/0378331001", "cusip"),
        ("/api/v1/sec/filings/0001140361-23-01328", "accession_number"),
        ("/api/v1/sec/filings/0001140361_23_013281", "accession_number"),
        ("/api/v1/form-13f/filings/abc/holdings", "accession_number"),
        ("/api/v1/form-13f/filings/0001140361-23-013281/holdings?limit=0", "limit"),
    ],
)
async def test_malformed_parameters_are_400_naming_the_field(
    harness: Harness, path: str, field: str
) -> None:
    key = await harness.account("alice")
    status, body = await _get(harness, key, path)
    assert status == 400
    assert body["error"]["details"]["field"] == field


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/sec/filings/0001140361-23-013281",
        "/api/v1/sec/filings/000114036123013281",
        "/api/v1/form-13f/filings/0001140361-23-013281/holdings",
    ],
)
async def test_unknown_filings_are_404(harness: Harness, path: str) -> None:
    key = await harness.account("alice")
    status, body = await _get(harness, key, path)
    assert status == 404
    assert body["error"]["details"] == {"accession_number": "0001140361-23-013281"}


async def test_reference_endpoints_need_a_key(harness: Harness) -> None:
    response = await harness.client.get("/api/v1/cusip/lookup/037833100")
    assert response.status_code == 401


async def test_lookup_asks_openfigi_once_per_cusip(settings: Settings) -> None:
    stand_in = OpenFigiStandIn()
    with LocalServer(stand_in) as server:
        configured = settings.model_copy(update={"openfigi_base_url": server.url})
        async with running(configured, ManualClock(_now()), mode="off") as h:
            key = await h.account("alice")
            first = await _get(h, key, "/api/v1/cusip/lookup/594918104")
            again = await _get(h, key, "/api/v1/cusip/lookup/594918104")
            miss = await _get(h, key, "/api/v1/cusip/lookup/G1151C101")
            miss_again = await _get(h, key, "/api/v1/cusip/lookup/g1151c101")
    assert (first[0], first[1]["data"]["ticker"], first[1]["data"]["source"]) == (
        200,
        "MSFT",
        "openfigi",
    )
    assert again[1]["data"] == first[1]["data"]
    assert (miss[0], miss_again[0]) == (404, 404)
    assert miss_again[1]["error"]["details"]["known_miss"] is True
    assert stand_in.batches == [["594918104"], ["G1151C101"]]  # each CUSIP asked once


def _now() -> Any:
    from tests.conftest import REPLAY_NOON

    return REPLAY_NOON
