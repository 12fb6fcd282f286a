"""The OpenFIGI client against a local stand-in answering with the recorded responses:
batching (10 jobs keyless, 100 with a key), the recorded 429 and its `ratelimit-reset`, misses,
per-job errors, and pacing to the published limits."""

from __future__ import annotations

import json

import httpx
import pytest

from sniper.filings.openfigi import OpenFigiClient, OpenFigiError, OpenFigiUnavailable
from sniper.filings.report import parse_13f
from tests.filings.standins import OpenFigiStandIn
from tests.support.http_server import LocalServer, Reply, Request
from tests.support.paths import SHARED_EDGAR

ACORN = SHARED_EDGAR / "13f/full_submission/0001951757-25-000093.nc"  # 77 CUSIPs, 3 unknown
RS_DATA = SHARED_EDGAR / "openfigi/openfigi_rs_testdata"


def _acorn_cusips() -> list[str]:
    return list(dict.fromkeys(h.cusip for h in parse_13f(ACORN).holdings))


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def _client(url: str, *, api_key: str | None = None, sleep: Sleeps | None = None) -> OpenFigiClient:
    return OpenFigiClient(
        httpx.AsyncClient(), base_url=url, api_key=api_key, sleep=sleep or Sleeps()
    )


async def test_keyless_requests_carry_ten_jobs() -> None:
    cusips = _acorn_cusips()
    stand_in = OpenFigiStandIn()
    with LocalServer(stand_in) as server:
        client = _client(server.url)
        result = await client.map_cusips(cusips)
        await client.aclose()
    assert len(cusips) == 77
    assert [len(batch) for batch in stand_in.batches] == [10] * 7 + [7]
    assert [c for batch in stand_in.batches for c in batch] == cusips
    assert stand_in.api_keys == [None] * 8
    mapped = {c: m for c, m in result.items() if m.status == "mapped"}
    assert (len(mapped), len(result) - len(mapped)) == (74, 3)
    abbvie = result["00287Y109"]
    assert (abbvie.figi, abbvie.ticker, abbvie.name) == ("BBG0025Y4RY4", "ABBV", "ABBVIE INC")
    assert abbvie.exch_code == "US"


async def test_a_key_allows_a_hundred_jobs_per_request() -> None:
    stand_in = OpenFigiStandIn()
    with LocalServer(stand_in) as server:
        client = _client(server.url, api_key="k-123")
        await client.map_cusips(_acorn_cusips())
        await client.aclose()
    assert [len(batch) for batch in stand_in.batches] == [77]
    assert stand_in.api_keys == ["k-123"]


def test_pacing_follows_the_published_limits() -> None:
    keyless = _client("http://127.0.0.1:9")
    keyed = _client("http://127.0.0.1:9", api_key="k")
    assert (keyless.batch_size, keyless.limiter.max_rate, keyless.limiter.time_period) == (
        10,
        25,
        60.0,
    )
    assert (keyed.batch_size, keyed.limiter.max_rate, keyed.limiter.time_period) == (100, 25, 6.0)


async def test_429_waits_ratelimit_reset_then_retries() -> None:
    stand_in = OpenFigiStandIn(rate_limited=2)
    sleeps = Sleeps()
    with LocalServer(stand_in) as server:
        client = _client(server.url, sleep=sleeps)
        result = await client.map_cusips(["037833100"])
        await client.aclose()
    assert sleeps.calls == [42.0, 42.0]  # the recorded `ratelimit-reset: 42`
    assert client.rate_limited == 2
    assert result["037833100"].ticker == "AAPL"


async def test_429_past_the_retries_is_unavailable() -> None:
    stand_in = OpenFigiStandIn(rate_limited=10)
    with LocalServer(stand_in) as server:
        client = _client(server.url)
        with pytest.raises(OpenFigiUnavailable, match="HTTP 429"):
            await client.map_cusips(["037833100"])
        await client.aclose()
    assert client.requests_sent == 4  # the first try and 3 retries


async def test_misses_malformed_cusips_and_job_errors() -> None:
    invalid = json.loads((RS_DATA / "mapping__invalid_identifier.json").read_text())[0]

    def handler(request: Request) -> Reply:
        jobs = json.loads(request.body)
        answers = [
            invalid if job["idValue"] == "000000000" else {"warning": "No identifier found."}
            for job in jobs
        ]
        return Reply(200, json.dumps(answers).encode())

    with LocalServer(handler) as server:
        client = _client(server.url)
        result = await client.map_cusips(["G1151C101", "000000000", "not-a-cusip"])
        await client.aclose()
    assert result["G1151C101"].status == "miss"  # "No identifier found.": a known miss
    assert result["NOT-A-CUSIP"].status == "miss"  # never sent
    assert "000000000" not in result  # a per-job error is not cached
    assert json.loads(server.requests[0].body) == [
        {"idType": "ID_CUSIP", "idValue": "G1151C101", "exchCode": "US"},
        {"idType": "ID_CUSIP", "idValue": "000000000", "exchCode": "US"},
    ]


async def test_a_bad_key_is_a_permanent_error() -> None:
    with LocalServer(lambda request: Reply(401, b"Invalid API key.")) as server:
        client = _client(server.url, api_key="wrong")
        with pytest.raises(OpenFigiError, match="401") as raised:
            await client.map_cusips(["037833100"])
        await client.aclose()
    assert not isinstance(raised.value, OpenFigiUnavailable)
