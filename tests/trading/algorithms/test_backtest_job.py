"""The backtest job end to end: `POST /api/backtests`, the job runs it
(`JobRunner(runtime, tasks.RUN).run_due` or `tasks.execute`), `GET /api/backtests/{id}` shows
what it stored. Real MSFT bars from bokeh-sampledata; `filing_event` entries from MSFT's real
submissions JSON served by a local EDGAR stand-in, on synthetic bars for 2020-2025 (the
sample ends in 2013)."""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sniper.clock import ManualClock
from sniper.config import Settings
from sniper.db.session import transaction
from sniper.trading.algorithms import store, tasks
from sniper.trading.algorithms.backtests import x3_trade
from sniper.trading.algorithms.config import AlgorithmConfig
from sniper.trading.engine.backtest import run_backtest
from sniper.trading.engine.marketdata import sample_bars
from sniper.worker.jobs import JobRunner
from tests.conftest import Harness, running
from tests.filings.standins import edgar_handler
from tests.support.http_server import LocalServer
from tests.support.paths import SHARED_EDGAR
from tests.trading.algorithms.support import COMPLETE, FILING_RULES, auth, complete, create

URL = "/api/backtests"
X3ALGO_FIELDS = {
    "totalTrades",
    "winningTrades",
    "losingTrades",
    "totalProfit",
    "totalLoss",
    "winRate",
    "profitFactor",
    "sharpeRatio",
    "maxDrawdown",
    "averageWin",
    "averageLoss",
    # the rest of x3algo's get-results page
    "maxDrawdownPercent",
    "largestWin",
    "largestLoss",
    "averageTradeDuration",
    "expectancy",
    "returnOnInvestment",
}


async def _queue(h: Harness, key: str, algorithm_id: str, start: str, end: str) -> str:
    body = {"algorithmId": algorithm_id, "startDate": start, "endDate": end}
    response = await h.client.post(URL, json=body | {"initialBalance": 10_000}, headers=auth(key))
    assert response.status_code == 201, response.text
    backtest_id: str = response.json()["id"]
    return backtest_id


async def _shown(h: Harness, key: str, backtest_id: str) -> dict[str, Any]:
    response = await h.client.get(f"{URL}/{backtest_id}", headers=auth(key))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _ledger(h: Harness, algorithm_id: str, backtest_id: str) -> list[dict[str, Any]]:
    """The backtest's rows in `algorithm_trades`, as the API shows trades."""
    async with transaction(h.runtime.sessions) as session:
        rows = await store.closed_trades(session, algorithm_id, backtest_id=backtest_id)
    return [trade.to_json() for trade in rows]


def _x3(trades: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stored closed trades as x3algo's results page shows them."""
    return [x3_trade(t).model_dump(mode="json", by_alias=True) for t in trades]


async def test_a_backtest_runs_to_completed_with_the_engines_numbers(harness: Harness) -> None:
    h = harness
    key = await h.account()
    algorithm = await create(h, key)
    backtest_id = await _queue(h, key, algorithm["id"], "2005-01-01", "2008-12-31")
    [claimed] = await JobRunner(h.runtime, tasks.RUN).claim(1)
    assert claimed.id == backtest_id
    seen: list[tuple[int, int]] = []

    async def progress(done: int, total: int) -> None:
        seen.append((done, total))

    assert await tasks.execute(h.runtime, claimed, progress)
    shown = await _shown(h, key, backtest_id)
    assert (shown["status"], shown["progress"], shown["error"]) == ("completed", 100, None)
    assert shown["completedAt"] == "2025-12-12T14:00:00Z"
    assert set(shown["results"]) >= X3ALGO_FIELDS
    assert shown["results"]["totalTrades"] == len(shown["trades"]) > 0
    days = [
        bar.at.date().isoformat()
        for bar in sample_bars("MSFT")
        if date(2005, 1, 1) <= bar.at.date() <= date(2008, 12, 31)
    ]
    assert [point["date"] for point in shown["equityCurve"]] == days
    assert shown["equityCurve"][0] == {"date": "2005-01-03", "balance": 10_000.0}
    assert shown["equityCurve"][-1]["balance"] == shown["results"]["finalBalance"]
    assert seen[-1] == (len(days), len(days))
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert shown["trades"] == _x3(await _ledger(h, algorithm["id"], backtest_id))
    direct = await run_backtest(
        AlgorithmConfig.model_validate(COMPLETE),
        {"NASDAQ:MSFT": sample_bars("NASDAQ:MSFT")},
        start=date(2005, 1, 1),
        end=date(2008, 12, 31),
        initial_balance=10_000.0,
        algorithm_id=backtest_id,
        price_adjustment={"NASDAQ:MSFT": "splits_and_dividends"},
    )
    assert shown["results"]["priceAdjustment"] == {"NASDAQ:MSFT": "splits_and_dividends"}
    assert shown["results"]["warnings"] == []
    engine = json.loads(json.dumps(direct.to_json()))
    assert (shown["results"], shown["equityCurve"]) == (engine["results"], engine["equityCurve"])
    assert shown["trades"] == _x3(engine["trades"])


async def test_a_symbol_without_bars_fails_naming_it(harness: Harness) -> None:
    h = harness
    key = await h.account()
    algorithm = await create(h, key, complete(symbols=["NYSE:XOM"]))
    backtest_id = await _queue(h, key, algorithm["id"], "2005-01-01", "2005-12-31")
    assert await JobRunner(h.runtime, tasks.RUN).run_due() == 1
    shown = await _shown(h, key, backtest_id)
    assert shown["status"] == "failed"
    assert "NYSE:XOM" in shown["error"]
    assert (shown["results"], shown["equityCurve"], shown["trades"]) == (None, [], [])
    assert await _ledger(h, algorithm["id"], backtest_id) == []


async def test_a_dead_jobs_backtest_is_claimed_again_and_completes_once(harness: Harness) -> None:
    h = harness
    key = await h.account()
    algorithm = await create(h, key)
    backtest_id = await _queue(h, key, algorithm["id"], "2007-01-01", "2008-12-31")
    assert len(await JobRunner(h.runtime, tasks.RUN).claim(1)) == 1  # a job that then dies ...
    dead = await run_backtest(
        AlgorithmConfig.model_validate(COMPLETE),
        {"NASDAQ:MSFT": sample_bars("NASDAQ:MSFT")},
        start=date(2007, 1, 1),
        end=date(2008, 12, 31),
        initial_balance=10_000.0,
        algorithm_id=backtest_id,
    )
    async with transaction(h.runtime.sessions) as session:  # ... after writing its trades
        now = h.clock.now()
        await store.append_trades(
            session, algorithm["id"], dead.trades, now=now, backtest_id=backtest_id
        )
    worker = JobRunner(h.runtime, tasks.RUN)
    assert await worker.run_due() == 0  # its lease still holds
    assert (await _shown(h, key, backtest_id))["status"] == "running"
    h.clock.advance(store.BACKTEST_LEASE + timedelta(seconds=1))
    assert await worker.run_due() == 1
    assert await worker.run_due() == 0
    shown = await _shown(h, key, backtest_id)
    assert (shown["status"], shown["progress"]) == ("completed", 100)
    assert len(shown["trades"]) == len(dead.trades) == shown["results"]["totalTrades"] > 0
    assert _x3(await _ledger(h, algorithm["id"], backtest_id)) == shown["trades"]


def _synthetic_bars(path: Path, first: date, last: date) -> list[date]:
    """Write weekday bars for [first, last] (a smooth deterministic wave); returns the days."""
    days = [
        first + timedelta(days=n)
        for n in range((last - first).days + 1)
        if (first + timedelta(days=n)).weekday() < 5
    ]
    lines = ["date,open,high,low,close,volume"]
    for n, day in enumerate(days):
        close = 200 + 20 * math.sin(n / 15)
        open_ = close * (1.002 if n % 2 else 0.998)
        high, low = max(open_, close) * 1.01, min(open_, close) * 0.99
        lines.append(f"{day},{open_:.4f},{high:.4f},{low:.4f},{close:.4f},1000000")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return days


def _expected_entries(days: list[date], first: date, last: date) -> list[str]:
    """Each 10-K in MSFT's submissions JSON accepted in [first, last]: its signal bar is the
    first bar dated on or after the acceptance date (UTC); the entry fills on the next bar."""
    recent = json.loads((SHARED_EDGAR / "submissions" / "CIK0000789019.json").read_bytes())
    recent = recent["filings"]["recent"]
    entries = []
    for form, accepted in zip(recent["form"], recent["acceptanceDateTime"], strict=True):
        day = datetime.fromisoformat(accepted.replace("Z", "+00:00")).astimezone(UTC).date()
        if form == "10-K" and first <= day <= last:
            signal = next(n for n, bar_day in enumerate(days) if bar_day >= day)
            entries.append(days[signal + 1].isoformat())
    return sorted(entries)


async def test_filing_event_entries_follow_real_filing_dates(
    settings: Settings, clock: ManualClock, tmp_path: Path
) -> None:
    first, last = date(2020, 1, 1), date(2025, 12, 31)
    days = _synthetic_bars(tmp_path / "MSFT.csv", first, last)
    expected = _expected_entries(days, first, last)
    assert len(expected) == 6  # MSFT's 10-Ks of July 2020 ... July 2025
    with LocalServer(edgar_handler) as edgar:
        configured = settings.model_copy(
            update={"edgar_submissions_base_url": edgar.url, "market_data_dir": tmp_path}
        )
        async with running(configured, clock, mode="off") as h:
            key = await h.account()
            algorithm = await create(h, key, complete("10-K drift", **FILING_RULES))
            backtest_id = await _queue(h, key, algorithm["id"], str(first), str(last))
            assert await JobRunner(h.runtime, tasks.RUN).run_due() == 1
            shown = await _shown(h, key, backtest_id)
    assert "/submissions/CIK0000789019.json" in [request.path for request in edgar.requests]
    assert shown["status"] == "completed", shown["error"]
    assert [point["date"] for point in shown["equityCurve"]] == [str(day) for day in days]
    assert sorted(trade["entryTime"][:10] for trade in shown["trades"]) == expected
    assert {trade["exitReason"] for trade in shown["trades"]} == {"time_exit"}


async def test_filing_event_without_a_submissions_source_says_what_to_set(
    harness: Harness,
) -> None:
    h = harness
    key = await h.account()
    algorithm = await create(h, key, complete("10-K drift", **FILING_RULES))
    backtest_id = await _queue(h, key, algorithm["id"], "2005-01-01", "2005-12-31")
    assert await JobRunner(h.runtime, tasks.RUN).run_due() == 1
    shown = await _shown(h, key, backtest_id)
    assert shown["status"] == "failed"
    assert "SNIPER_EDGAR_SUBMISSIONS_BASE_URL" in shown["error"]


async def _filing_backtest(
    settings: Settings, clock: ManualClock, symbol: str, first: str, last: str
) -> dict[str, Any]:
    """A 10-K `filing_event` backtest of `symbol` on the sample bars, with the recorded
    submissions JSON served by the local EDGAR stand-in, run by the job; what GET shows."""
    with LocalServer(edgar_handler) as edgar:
        configured = settings.model_copy(update={"edgar_submissions_base_url": edgar.url})
        async with running(configured, clock, mode="off") as h:
            key = await h.account()
            rules = complete("10-K drift", **FILING_RULES) | {"symbols": [symbol]}
            algorithm = await create(h, key, rules)
            backtest_id = await _queue(h, key, algorithm["id"], first, last)
            assert await JobRunner(h.runtime, tasks.RUN).run_due() == 1
            return await _shown(h, key, backtest_id)


async def test_a_filing_backtest_before_the_recorded_history_fails_naming_it(
    settings: Settings, clock: ManualClock
) -> None:
    """AAPL's recorded submissions JSON holds filings from 2015-03-12; its older page
    (`CIK0000320193-submissions-001.json`, 1994-01-26 to 2015-03-11) is not recorded, so
    a 2005 backtest cannot know AAPL's 10-Ks: it fails instead of completing with 0 trades."""
    shown = await _filing_backtest(settings, clock, "NASDAQ:AAPL", "2005-01-01", "2005-12-31")
    assert shown["status"] == "failed"
    assert shown["results"] is None
    assert "filing history of NASDAQ:AAPL (CIK 0000320193)" in shown["error"]
    assert "does not cover 2005-01-01 to 2005-12-31" in shown["error"]
    assert (
        "CIK0000320193-submissions-001.json (filings 1994-01-26 to 2015-03-11)" in (shown["error"])
    )


async def test_bars_and_history_covering_part_of_the_range_complete_with_warnings(
    settings: Settings, clock: ManualClock
) -> None:
    """2012-2016 on AAPL: the sample bars end 2013-03-01 and the recorded filings start
    2015-03-12, so the backtest completes and says both."""
    shown = await _filing_backtest(settings, clock, "NASDAQ:AAPL", "2012-01-01", "2016-12-31")
    assert shown["status"] == "completed", shown["error"]
    assert shown["results"]["warnings"] == [
        "the filing history of NASDAQ:AAPL (CIK 0000320193) misses 2012-01-01 to 2015-03-11: "
        "no CIK0000320193-submissions-001.json (filings 1994-01-26 to 2015-03-11)",
        "bars for NASDAQ:AAPL cover only 2012-01-03 to 2013-03-01 of 2012-01-01 to 2016-12-31",
    ]
    assert shown["results"]["priceAdjustment"] == {"NASDAQ:AAPL": "splits_and_dividends"}


async def test_a_range_after_the_bars_fails_naming_the_bars(harness: Harness) -> None:
    h = harness
    key = await h.account()
    algorithm = await create(h, key)
    backtest_id = await _queue(h, key, algorithm["id"], "2015-01-01", "2015-12-31")
    assert await JobRunner(h.runtime, tasks.RUN).run_due() == 1
    shown = await _shown(h, key, backtest_id)
    assert (shown["status"], shown["results"]) == ("failed", None)
    assert shown["error"] == (
        "no bars for NASDAQ:MSFT from 2015-01-01 to 2015-12-31 "
        "(its bars run from 2000-03-01 to 2013-03-01)"
    )
