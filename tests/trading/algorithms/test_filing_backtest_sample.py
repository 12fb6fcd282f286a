"""A `filing_event` backtest offline on real data end to end: AAPL's real daily bars for
2019-2024 (hvsampledata, as the bundled sample serves them) and AAPL's real 10-K filing dates
from its recorded submissions JSON (`shared/edgar/submissions/CIK0000320193.json`, filings from
2015-03-12), served by the local EDGAR stand-in at `SNIPER_EDGAR_SUBMISSIONS_BASE_URL`, the
path the service reads them from: `POST /api/backtests` and the job, and `sniper backtest`."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime
from typing import Any

from sniper.clock import ManualClock
from sniper.config import Settings
from sniper.trading.algorithms import tasks
from sniper.trading.engine.marketdata import sample_bars
from sniper.worker.jobs import JobRunner
from tests.conftest import Harness, running
from tests.filings.standins import edgar_handler
from tests.support.cli import sniper
from tests.support.http_server import LocalServer
from tests.support.paths import SHARED_EDGAR
from tests.trading.algorithms.support import FILING_RULES, auth, complete, create

FIRST, LAST = date(2019, 1, 2), date(2024, 12, 30)  # the hvsampledata AAPL bars
RULES: dict[str, Any] = {"symbols": ["NASDAQ:AAPL"], **FILING_RULES}


def _recorded_10k_days() -> list[date]:
    """The UTC acceptance dates of AAPL's recorded 10-Ks within [FIRST, LAST]."""
    document = json.loads((SHARED_EDGAR / "submissions" / "CIK0000320193.json").read_bytes())
    recent = document["filings"]["recent"]
    days = []
    for form, accepted in zip(recent["form"], recent["acceptanceDateTime"], strict=True):
        day = datetime.fromisoformat(accepted.replace("Z", "+00:00")).astimezone(UTC).date()
        if form == "10-K" and FIRST <= day <= LAST:
            days.append(day)
    return sorted(days)


def _expected_entries(days: list[date]) -> list[str]:
    """Each recorded 10-K's signal bar is the first bar on or after its acceptance date; the
    entry fills on the bar after it."""
    filed = _recorded_10k_days()
    assert len(filed) == 6  # AAPL's 10-Ks of Oct/Nov 2019 ... Nov 2024
    return [str(days[next(n for n, d in enumerate(days) if d >= day) + 1]) for day in filed]


async def _backtest(settings: Settings, clock: ManualClock) -> dict[str, Any]:
    with LocalServer(edgar_handler) as edgar:
        configured = settings.model_copy(update={"edgar_submissions_base_url": edgar.url})
        async with running(configured, clock, mode="off") as h:
            key = await h.account()
            algorithm = await create(h, key, complete("AAPL 10-K drift", **RULES))
            body = {"algorithmId": algorithm["id"], "startDate": str(FIRST), "endDate": str(LAST)}
            body |= {"initialBalance": 10_000}
            response = await h.client.post("/api/backtests", json=body, headers=auth(key))
            assert response.status_code == 201, response.text
            assert await JobRunner(h.runtime, tasks.RUN).run_due() == 1
            shown = await h.client.get(f"/api/backtests/{response.json()['id']}", headers=auth(key))
            assert shown.status_code == 200, shown.text
    assert "/submissions/CIK0000320193.json" in [request.path for request in edgar.requests]
    result: dict[str, Any] = shown.json()
    return result


async def test_a_10k_backtest_on_real_aapl_bars_trades_on_its_real_filing_dates(
    settings: Settings, clock: ManualClock
) -> None:
    days = [bar.at.date() for bar in sample_bars("AAPL", start=FIRST, end=LAST)]
    expected = _expected_entries(days)
    shown = await _backtest(settings, clock)
    assert shown["status"] == "completed", shown["error"]
    assert shown["results"]["warnings"] == []
    assert shown["results"]["priceAdjustment"] == {"NASDAQ:AAPL": "splits_and_dividends"}
    assert [point["date"] for point in shown["equityCurve"]] == [str(day) for day in days]
    assert shown["results"]["totalTrades"] == len(shown["trades"]) == 6
    entries = sorted(trade["entryTime"][:10] for trade in shown["trades"])
    assert entries == expected
    assert {trade["exitReason"] for trade in shown["trades"]} == {"time_exit"}
    assert all(trade["entryPrice"] > 0 for trade in shown["trades"])


async def test_a_range_reaching_into_both_aapl_sample_parts_fails_naming_them(
    harness: Harness,
) -> None:
    """2000-2013 (bokeh-sampledata) and 2019-2024 (hvsampledata) are adjusted to different
    dates with nothing between: a range reaching into both is refused, not stitched."""
    h = harness
    key = await h.account()
    algorithm = await create(h, key, complete(symbols=["NASDAQ:AAPL"]))
    body = {"algorithmId": algorithm["id"], "startDate": "2012-01-01"}
    body |= {"endDate": "2020-12-31", "initialBalance": 10_000}
    response = await h.client.post("/api/backtests", json=body, headers=auth(key))
    assert response.status_code == 201, response.text
    assert await JobRunner(h.runtime, tasks.RUN).run_due() == 1
    shown = await h.client.get(f"/api/backtests/{response.json()['id']}", headers=auth(key))
    assert (shown.json()["status"], shown.json()["results"]) == ("failed", None)
    assert "2000-03-01 to 2013-03-01 and 2019-01-02 to 2024-12-30" in shown.json()["error"]
    assert "2012-01-01 to 2020-12-31 reaches into two" in shown.json()["error"]


async def test_sniper_backtest_trades_on_the_filing_dates_from_the_submissions_url(
    settings: Settings, clock: ManualClock, cli_env: dict[str, str]
) -> None:
    """The CLI as a user runs it offline: SNIPER_EDGAR_SUBMISSIONS_BASE_URL at a server of
    the recorded submissions JSON, no market data directory."""
    env = cli_env | {"SNIPER_DATABASE_URL": settings.database_url}
    with LocalServer(edgar_handler) as edgar:
        async with running(settings, clock, mode="off") as h:
            key = await h.account()
            algorithm = await create(h, key, complete("AAPL 10-K drift", **RULES))
            args = ("backtest", algorithm["id"], "--from", str(FIRST), "--to", str(LAST))
            env |= {"SNIPER_EDGAR_SUBMISSIONS_BASE_URL": edgar.url}
            ran = await asyncio.to_thread(sniper, env, *args, "--json")
    assert ran.returncode == 0, ran.stderr
    shown = json.loads(ran.stdout)
    assert shown["status"] == "completed"
    assert shown["results"]["totalTrades"] == 6
    days = [bar.at.date() for bar in sample_bars("AAPL", start=FIRST, end=LAST)]
    entries = sorted(trade["entryTime"][:10] for trade in shown["trades"])
    assert entries == _expected_entries(days)
    assert "/submissions/CIK0000320193.json" in [request.path for request in edgar.requests]
