"""The replay's OpenFIGI stand-in answers like OpenFIGI from the recorded mappings, under the
real `OpenFigiClient` (`httpx.ASGITransport`)."""

from __future__ import annotations

import httpx

from sniper.filings.figi_standin import STANDIN_BASE, FigiStandIn, standin_client
from tests.support.paths import SHARED_EDGAR

FIGI_CSV = SHARED_EDGAR / "openfigi/zyuTony_13f_database/openfigi_results.csv"


async def test_the_client_maps_recorded_cusips_and_misses_the_rest() -> None:
    client = standin_client(FIGI_CSV, timeout_seconds=5)
    try:
        answers = await client.map_cusips(["037833100", "78462F103", "000000000", "bad"])
    finally:
        await client.aclose()
    apple, spy = answers["037833100"], answers["78462F103"]
    assert (apple.status, apple.ticker, apple.figi) == ("mapped", "AAPL", "BBG000B9XRY4")
    assert (apple.composite_figi, apple.share_class_figi) == ("BBG000B9XRY4", "BBG001S5N8V8")
    assert (spy.ticker, spy.figi, spy.security_type) == ("SPY", "BBG000BDTBL9", "ETP")
    assert answers["000000000"].status == "miss"  # "No identifier found."
    assert answers["BAD"].status == "miss"  # malformed: never sent
    assert client.requests_sent == 1


async def test_answers_follow_openfigi_shapes_and_errors() -> None:
    transport = httpx.ASGITransport(app=FigiStandIn(FIGI_CSV))
    async with httpx.AsyncClient(transport=transport, base_url=STANDIN_BASE) as http:
        jobs = [
            {"idType": "ID_CUSIP", "idValue": "594918104", "exchCode": "US"},
            {"idType": "ID_CUSIP", "idValue": "000000000", "exchCode": "US"},
            {"idType": "TICKER", "idValue": "MSFT"},
        ]
        mapped = await http.post("/v3/mapping", json=jobs)
        not_a_list = await http.post("/v3/mapping", json={"idType": "ID_CUSIP"})
        wrong_path = await http.get("/v3/search")
        wrong_method = await http.get("/v3/mapping")
    first, miss, error = mapped.json()
    assert mapped.status_code == 200
    assert first["data"][0]["ticker"] == "MSFT"
    assert miss == {"warning": "No identifier found."}
    assert error == {"error": "Invalid idValue format."}
    assert [not_a_list.status_code, wrong_path.status_code, wrong_method.status_code] == [
        400, 404, 405,
    ]  # fmt: skip
