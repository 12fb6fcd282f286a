"""TickerCatalog on SEC's real company_tickers.json snapshot (9,610 rows)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from sniper.edgar.catalog import CatalogEntry, TickerCatalog, normalize_ticker
from sniper.edgar.client import EdgarHTTPError, SecClient
from tests.edgar._recorded import USER_AGENT
from tests.support.http_server import LocalServer, Reply, Request
from tests.support.paths import CATALOG_PATH


@pytest.fixture(scope="module")
def catalog() -> TickerCatalog:
    return TickerCatalog.from_path(CATALOG_PATH)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("brk.a", "BRK-A"),
        ("BRK/A", "BRK-A"),
        (" BRK.A ", "BRK-A"),
        ("BRK-A", "BRK-A"),
        ("aapl", "AAPL"),
        ("\tmsft\n", "MSFT"),
        ("", ""),
    ],
)
def test_normalize_ticker(raw: str, expected: str) -> None:
    assert normalize_ticker(raw) == expected


def test_every_row_loads(catalog: TickerCatalog) -> None:
    assert len(catalog) == 9610
    assert (catalog.skipped, catalog.duplicates) == (0, 0)


@pytest.mark.parametrize(
    ("ticker", "cik", "title"),
    [
        ("AAPL", 320193, "Apple Inc."),
        ("msft", 789019, "MICROSOFT CORP"),
        ("BRK.B", 1067983, "BERKSHIRE HATHAWAY INC"),
        ("brk/a", 1067983, "BERKSHIRE HATHAWAY INC"),
        ("nvda", 1045810, "NVIDIA CORP"),
    ],
)
def test_lookup_in_any_spelling(catalog: TickerCatalog, ticker: str, cik: int, title: str) -> None:
    entry = catalog.lookup(ticker)
    assert entry == CatalogEntry(normalize_ticker(ticker), cik, title)


@pytest.mark.parametrize("ticker", ["NOPE-XX", "", "   "])
def test_unknown_ticker_is_none(catalog: TickerCatalog, ticker: str) -> None:
    assert catalog.lookup(ticker) is None


def test_tickers_for_cik(catalog: TickerCatalog) -> None:
    assert sorted(catalog.tickers_for_cik(1067983)) == ["BRK-A", "BRK-B"]
    assert catalog.tickers_for_cik(320193) == ["AAPL"]
    assert sorted(catalog.tickers_for_cik(1871638)) == ["BRKH", "BRKHU", "BRKHW"]
    assert catalog.tickers_for_cik(1) == []


def test_catalog_tickers_are_normalized_too() -> None:
    data = b'{"0":{"cik_str":1067983,"ticker":"brk.b","title":"BERKSHIRE HATHAWAY INC"}}'
    catalog = TickerCatalog.from_json(data)
    assert catalog.lookup("BRK-B") == CatalogEntry("BRK-B", 1067983, "BERKSHIRE HATHAWAY INC")


def test_malformed_rows_are_skipped_and_duplicates_counted() -> None:
    data = (
        b'{"0":{"cik_str":789019,"ticker":"MSFT","title":"MICROSOFT CORP"},'
        b'"1":{"cik_str":"320193","ticker":"AAPL","title":"Apple Inc."},'
        b'"2":{"ticker":"NOCIK"},"3":"junk","4":{"cik_str":5,"ticker":"  "},'
        b'"5":{"cik_str":1,"ticker":"msft","title":"impostor"}}'
    )
    catalog = TickerCatalog.from_json(data)
    assert len(catalog) == 2
    assert catalog.lookup("AAPL") == CatalogEntry("AAPL", 320193, "Apple Inc.")
    assert catalog.lookup("MSFT") == CatalogEntry("MSFT", 789019, "MICROSOFT CORP")
    assert (catalog.skipped, catalog.duplicates) == (3, 1)


@pytest.mark.parametrize("data", [b"not json", b'"a string"', b"42"])
def test_not_a_catalog_raises(data: bytes) -> None:
    with pytest.raises(ValueError, match="company_tickers"):
        TickerCatalog.from_json(data)


@pytest.fixture
def sec_site() -> Iterator[LocalServer]:
    body = CATALOG_PATH.read_bytes()

    def handler(request: Request) -> Reply:
        if request.path == "/files/company_tickers.json":
            return Reply(200, body, {"Content-Type": "application/json"})
        return Reply(404, b"")

    with LocalServer(handler) as server:
        yield server


async def test_from_sec_downloads_through_the_client(sec_site: LocalServer) -> None:
    async with httpx.AsyncClient() as http:
        client = SecClient(http, user_agent=USER_AGENT)
        catalog = await TickerCatalog.from_sec(client, f"{sec_site.url}/files/company_tickers.json")
        with pytest.raises(EdgarHTTPError):
            await TickerCatalog.from_sec(client, f"{sec_site.url}/files/missing.json")
    assert len(catalog) == 9610
    assert catalog.lookup("aapl") == CatalogEntry("AAPL", 320193, "Apple Inc.")
    assert sec_site.requests[0].headers["user-agent"] == USER_AGENT
