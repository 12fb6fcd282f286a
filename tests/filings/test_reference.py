"""Reference endpoints added for issue 13: token charges (1 / 5 tokens, 402 when short, once,
with a ledger row), the CUSIP lookup's Finradar fields, ticker coercion, `?chain=true`,
`/cusip/batch`, `/cusip/search`, `/cusip/chain`, `/cusip/cusip6`, `/cusip/cik`, `/cusip/stats`,
and `/sec/filings` (+ its `/filings` alias), `/sec/filings/stats`, `/sec/forms` (+ one form
type) over a filing the pipeline ingested from a replayed hit."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from sniper.config import Settings
from sniper.db.session import transaction
from sniper.filings import cusips
from sniper.filings.tasks import PROCESS
from sniper.worker.jobs import JobRunner
from tests.conftest import Harness
from tests.filings.standins import FIGI_CSV, OpenFigiStandIn, edgar_handler
from tests.filings.test_pipeline import METLIFE_13F, NVIDIA_8K, _hit, _replaying, _settings
from tests.support.http_server import LocalServer

WANTED = {"037833100", "594918104", "084670108", "084670702", "03784Y200", "084670207"}


async def _seeded(h: Harness, tokens: int = 100) -> str:
    rows = [m for m in cusips.read_seed_csv(FIGI_CSV).mappings if m.cusip in WANTED]
    async with transaction(h.runtime.sessions) as session:
        await cusips.store(session, rows, now=h.clock.now())
    return await h.account("alice", tokens=tokens)


async def _call(h: Harness, key: str, path: str, body: Any = None) -> tuple[int, dict[str, Any]]:
    method = "GET" if body is None else "POST"
    response = await h.client.request(method, path, json=body, headers={"X-API-Key": key})
    return response.status_code, response.json()


async def _ledger(h: Harness, key: str) -> tuple[int, list[dict[str, Any]]]:
    _, balance = await _call(h, key, "/api/v1/account/balance")
    _, listed = await _call(h, key, "/api/v1/account/transactions?limit=200")
    return balance["data"]["current_balance"], listed["data"]["transactions"]


async def test_a_lookup_costs_one_token_with_one_ledger_row(harness: Harness) -> None:
    key = await _seeded(harness)
    status, body = await _call(harness, key, "/api/v1/cusip/lookup/03783310")
    balance, rows = await _ledger(harness, key)
    assert status == 200
    data = body["data"]
    assert (data["cusip"], data["cik"], data["cusip6"], data["security_group"]) == (
        "037833100",
        "0000320193",
        "037833",
        "Stocks",
    )
    assert balance == 99
    debits = [r for r in rows if r["type"] == "debit"]
    assert len(debits) == 1
    assert debits[0]["delta"] == -1
    assert debits[0]["metadata"]["request_id"] == body["request_id"]


async def test_a_short_balance_is_402_and_nothing_is_debited(harness: Harness) -> None:
    key = await _seeded(harness, tokens=4)
    status, body = await _call(harness, key, "/api/v1/cusip/batch", {"cusips": ["037833100"]})
    balance, rows = await _ledger(harness, key)
    assert status == 402
    assert body["error"]["code"] == "INSUFFICIENT_TOKENS"
    assert (body["current_balance"], body["required_cost"]) == (4, 5)
    assert balance == 4
    assert not [r for r in rows if r["type"] == "debit"]


async def test_a_404_costs_nothing(harness: Harness) -> None:
    key = await _seeded(harness)
    status, _ = await _call(harness, key, "/api/v1/cusip/lookup/084670207")  # a known miss
    assert status == 404
    assert (await _ledger(harness, key))[0] == 100


@pytest.mark.parametrize("asked", ["BRKA", "brk.a", "BRK/A", "BRK-A"])
async def test_class_tickers_coerce_to_the_hyphen_form(harness: Harness, asked: str) -> None:
    key = await _seeded(harness)
    status, body = await _call(harness, key, f"/api/v1/cusip/ticker/{asked}")
    assert status == 200
    assert (body["data"]["ticker"], body["data"]["cusip"]) == ("BRK-A", "084670108")
    assert "chain" not in body["data"]


async def test_chain_true_adds_the_current_cusip_as_the_chain(harness: Harness) -> None:
    key = await _seeded(harness)
    _, body = await _call(harness, key, "/api/v1/cusip/ticker/AAPL?chain=true")
    assert body["data"]["chain"] == [
        {
            "cusip": "037833100",
            "ticker": "AAPL",
            "issuer_name": "APPLE INC",
            "effective_date": None,
            "reason": None,
            "from_chain": False,
        }
    ]
    status, chained = await _call(harness, key, "/api/v1/cusip/chain/037833100")
    assert status == 200
    assert chained["data"]["chain"] == body["data"]["chain"]
    assert (await _call(harness, key, "/api/v1/cusip/chain/G1151C101"))[0] == 404


async def test_batch_answers_in_input_order_with_unmapped_rows(harness: Harness) -> None:
    key = await _seeded(harness)
    asked = ["594918104", " 084670207 ", "03783310", "594918104"]
    status, body = await _call(harness, key, "/api/v1/cusip/batch", {"cusips": asked})
    assert status == 200
    results = body["data"]["results"]
    assert [r["cusip"] for r in results] == ["594918104", "084670207", "037833100", "594918104"]
    assert [r["ticker"] for r in results] == ["MSFT", None, "AAPL", "MSFT"]
    assert results[1]["security_group"] is None
    assert (body["data"]["total"], body["data"]["mapped"]) == (4, 3)
    assert (await _ledger(harness, key))[0] == 95


@pytest.mark.parametrize(
    ("cusips_", "field"),
    [(["037833100", "12345"], "cusips[1]"), (["037833100"] * 1001, "cusips")],
)
async def test_a_bad_batch_is_400_naming_the_field(
    harness: Harness, cusips_: list[str], field: str
) -> None:
    key = await _seeded(harness)
    status, body = await _call(harness, key, "/api/v1/cusip/batch", {"cusips": cusips_})
    assert status == 400
    assert field in str(body["error"]["details"])
    assert (await _ledger(harness, key))[0] == 100


async def test_search_ranks_matches_and_clamps_the_limit(harness: Harness) -> None:
    key = await _seeded(harness)
    _, body = await _call(harness, key, "/api/v1/cusip/search?q=apple&limit=500")
    data = body["data"]
    assert data["limit"] == 100
    assert {r["ticker"] for r in data["results"]} == {"AAPL", "APLE"}
    _, exact = await _call(harness, key, "/api/v1/cusip/search?q=AAPL")
    assert (exact["data"]["results"][0]["ticker"], exact["data"]["results"][0]["relevance"]) == (
        "AAPL",
        1.0,
    )
    _, none = await _call(harness, key, "/api/v1/cusip/search?q=zz%25_zz")
    assert none["data"]["results"] == []
    assert (await _call(harness, key, "/api/v1/cusip/search?q=%20"))[0] == 400


async def test_the_filings_list_holds_what_the_pipeline_ingested(
    settings: Settings, tmp_path: Path
) -> None:
    with LocalServer(edgar_handler) as edgar:
        configured = _settings(settings, edgar_archives_base_url=edgar.url)
        start = datetime(2026, 3, 6, 21, 0, tzinfo=UTC)
        async with _replaying(configured, tmp_path, NVIDIA_8K, start) as h:
            key, _, _ = await _hit(h, "NVDA", datetime(2026, 3, 6, 21, 14, tzinfo=UTC))
            assert await JobRunner(h.runtime, PROCESS).run_due() == 1
            answers = {
                query: await _call(h, key, f"/api/v1/sec/filings{query}")
                for query in (
                    "?ticker=nvda&form_type=8-k",
                    "?cik=1045810&from_date=2026-03-06&to_date=2026-03-06",
                    "?ticker=NVDA&from_date=2026-03-07",
                    "?ticker=NOSUCHTKR",
                    "?sort=filed_date:sideways",
                    "?from_date=2026-03-07&to_date=2026-03-06",
                )
            }
            forms = await _call(h, key, "/api/v1/sec/forms")
            before = (await _ledger(h, key))[0]
            form = await _call(h, key, "/api/v1/sec/forms/8-k")
            no_form = await _call(h, key, "/api/v1/sec/forms/10-K/A")
            long_form = await _call(h, key, "/api/v1/sec/forms/" + "A" * 33)
            stats = await _call(h, key, "/api/v1/sec/filings/stats")
            alias = await _call(h, key, "/api/v1/filings?ticker=nvda&form_type=8-k")
            spent = before - (await _ledger(h, key))[0]
    [row] = answers["?ticker=nvda&form_type=8-k"][1]["data"]
    folder = "https://www.sec.gov/Archives/edgar/data/1045810/000104581026000024"
    assert row["accession_number"] == NVIDIA_8K
    assert (row["cik"], row["ticker"], row["form_type"]) == ("0001045810", "NVDA", "8-K")
    assert row["primary_html_url"] == f"{folder}/nvda-20260302.htm"
    assert len(row["all_links"]) == 7
    assert answers["?ticker=nvda&form_type=8-k"][1]["pagination"] == {
        "total": 1,
        "limit": 50,
        "offset": 0,
        "has_more": False,
    }
    assert len(answers["?cik=1045810&from_date=2026-03-06&to_date=2026-03-06"][1]["data"]) == 1
    assert answers["?ticker=NVDA&from_date=2026-03-07"][1]["data"] == []
    unknown = answers["?ticker=NOSUCHTKR"]
    assert (unknown[0], unknown[1]["error"]["code"]) == (400, "UNKNOWN_TICKER")
    assert answers["?sort=filed_date:sideways"][1]["error"]["details"]["field"] == "sort"
    assert answers["?from_date=2026-03-07&to_date=2026-03-06"][0] == 400
    assert forms[1]["data"] == [
        {
            "form_type": "8-K",
            "root_form_type": "8-K",
            "description": "Current Report",
            "filing_count": 1,
            "first_filed": row["filed_date"],
            "last_filed": row["filed_date"],
        }
    ]
    assert (form[0], form[1]["data"]) == (200, forms[1]["data"][0])
    assert (no_form[0], no_form[1]["error"]["details"]["form_type"]) == (404, "10-K/A")
    assert (long_form[0], long_form[1]["error"]["details"]["field"]) == (400, "form_type")
    assert stats[1]["data"] == {
        "total_entries": 1,
        "top_form_types": forms[1]["data"],
        "latest_filing_date": row["filed_date"],
    }
    assert alias[1]["data"] == answers["?ticker=nvda&form_type=8-k"][1]["data"]
    assert spent == 5 + 5 + 5  # form, stats, alias; the 404 costs nothing


async def test_fund_report_and_latest_over_a_parsed_13f(settings: Settings, tmp_path: Path) -> None:
    figi = OpenFigiStandIn()
    with LocalServer(edgar_handler) as edgar, LocalServer(figi) as openfigi:
        configured = _settings(
            settings, edgar_archives_base_url=edgar.url, openfigi_base_url=openfigi.url
        )
        start = datetime(2023, 3, 23, 15, 0, tzinfo=UTC)
        async with _replaying(configured, tmp_path, METLIFE_13F, start) as h:
            key, _, _ = await _hit(h, "MET", datetime(2023, 3, 23, 15, 31, tzinfo=UTC))
            h.clock.set(datetime(2023, 3, 23, 15, 31, 5, tzinfo=UTC))
            assert await JobRunner(h.runtime, PROCESS).run_due() == 1
            report = await _call(h, key, "/api/v1/form-13f/fund/1099219?size=2&from=1")
            padded = await _call(h, key, "/api/v1/form-13f/fund/0001099219?limit=10")
            other = await _call(h, key, "/api/v1/form-13f/fund/0001067983")
            bad = await _call(h, key, "/api/v1/form-13f/fund/12x")
            latest = await _call(h, key, "/api/v1/form-13f/latest?limit=5")
            balance = (await _ledger(h, key))[0]
    status, body = report
    assert status == 200
    assert body["fund"]["cik"] == "0001099219"
    assert body["filing"]["accession_no"] == METLIFE_13F
    assert body["filing"]["table_entry_total"] == 6
    assert body["pagination"] == {"total": 6, "limit": 2, "offset": 1}
    assert len(body["holdings"]) == 2
    assert padded[1]["holdings"][1:3] == body["holdings"]
    assert sum(h["value"] for h in padded[1]["holdings"]) == body["filing"]["table_value_total"]
    assert other[0] == 404
    assert (bad[0], bad[1]["error"]["details"]["field"]) == (400, "cik")
    [row] = latest[1]["data"]
    assert (row["accession_no"], row["cik"], row["holdings_count"]) == (
        METLIFE_13F,
        "0001099219",
        6,
    )
    assert row["portfolio_value"] == body["filing"]["table_value_total"]
    assert balance == 99  # the hit's 1 token; the 13F reads are free


async def test_cusip6_lists_the_issuers_mapped_cusips_for_free(harness: Harness) -> None:
    key = await _seeded(harness)
    status, body = await _call(harness, key, "/api/v1/cusip/cusip6/084670")
    assert status == 200
    data = body["data"]
    assert (data["cusip6"], data["issuer_name"], data["total"]) == (
        "084670",
        "BERKSHIRE HATHAWAY INC",
        2,
    )
    assert [(r["ticker"], r["cusip"]) for r in data["securities"]] == [
        ("BRK-A", "084670108"),
        ("BRK-B", "084670702"),
    ]  # 084670207, a known miss, is not a security of the prefix
    assert "cik" not in data
    assert (await _call(harness, key, "/api/v1/cusip/cusip6/037833"))[1]["data"]["total"] == 1
    assert (await _call(harness, key, "/api/v1/cusip/cusip6/G9442R"))[0] == 404
    bad = await _call(harness, key, "/api/v1/cusip/cusip6/08467")
    assert (bad[0], bad[1]["error"]["details"]["field"]) == (400, "cusip6")
    assert (await _ledger(harness, key))[0] == 100


@pytest.mark.parametrize("cik", ["1067983", "0001067983"])
async def test_cik_lists_every_class_of_the_issuer(harness: Harness, cik: str) -> None:
    key = await _seeded(harness)
    status, body = await _call(harness, key, f"/api/v1/cusip/cik/{cik}")
    assert status == 200
    data = body["data"]
    assert (data["cik"], data["total"]) == ("0001067983", 2)
    assert {r["ticker"] for r in data["securities"]} == {"BRK-A", "BRK-B"}
    assert {r["cik"] for r in data["securities"]} == {"0001067983"}
    assert (await _call(harness, key, "/api/v1/cusip/cik/1045810"))[0] == 404  # NVDA: not cached
    bad = await _call(harness, key, "/api/v1/cusip/cik/12x")
    assert (bad[0], bad[1]["error"]["details"]["field"]) == (400, "cik")
    assert (await _ledger(harness, key))[0] == 100


async def test_cusip_stats_count_the_cache(harness: Harness) -> None:
    key = await _seeded(harness)
    status, body = await _call(harness, key, "/api/v1/cusip/stats")
    assert status == 200
    data = body["data"]
    assert (data["total_cusips"], data["mapped"], data["unmapped"]) == (6, 5, 1)
    assert data["with_cik"] == 5
    assert data["mapping_rate"] == 83.33
    assert sum(data["security_groups"].values()) == 5
    assert data["openfigi_enabled"] is False
    assert (await _ledger(harness, key))[0] == 100
