"""The SEC budget over the day's peak, counted where the requests arrive (issue 11).

The recorded 2025-12-12 crawl, published with the recorded lags (seed 0), is played by a local
HTTP stand-in from 15:58 to 16:10 ET with 25 targets on companies that file between 16:00 and
16:10: every source runs flat out. The stand-in counts every request on the shared clock.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sniper.clock import ManualClock
from sniper.config import Settings
from sniper.edgar.atom import MATCH_ROLES
from sniper.edgar.simulated import SimFiling, SimulatedEdgar, crawl_day, publish
from tests.conftest import Harness
from tests.edgar.sim_support import recorded_lags
from tests.edgar.test_detection import live, play
from tests.support.paths import ATOM_DIR, SHARED_EDGAR

PEAK_START = datetime(2025, 12, 12, 21, 0, tzinfo=UTC)  # 16:00 ET
PEAK_END = PEAK_START + timedelta(minutes=10)


def _companies(h: Harness, filings: list[SimFiling], count: int) -> dict[str, SimFiling]:
    """`count` tickers (seeded choice) with a filing accepted in the peak: ticker -> its first."""
    first: dict[str, SimFiling] = {}
    for filing in sorted(filings, key=lambda f: f.accepted_at):
        if not PEAK_START <= filing.accepted_at < PEAK_END - timedelta(minutes=2):
            continue
        for cik in sorted({e.cik for e in filing.entities if e.role in MATCH_ROLES}):
            tickers = h.runtime.catalog.tickers_for_cik(cik)
            if tickers and tickers[0] not in first:
                first[tickers[0]] = filing
    chosen = random.Random(11).sample(sorted(first), count)
    return {ticker: first[ticker] for ticker in chosen}


async def test_the_budget_holds_at_the_stand_in_over_a_ten_minute_peak(
    settings: Settings,
) -> None:
    filings = publish(crawl_day(ATOM_DIR), recorded_lags(), seed=0)
    clock = ManualClock(PEAK_START - timedelta(minutes=2))
    sim = SimulatedEdgar(filings, clock, edgar_dir=SHARED_EDGAR)
    async with live(settings, sim) as h:
        keys = [await h.account(f"fund{n}") for n in range(5)]  # 5 slots each
        window = {"start_time": "2025-12-12T20:58:00Z", "end_time": "2025-12-12T21:30:00Z"}
        for n, ticker in enumerate(_companies(h, filings, 25)):
            headers = {"X-API-Key": keys[n % 5]}
            body = {"ticker": ticker, **window}
            created = await h.client.post("/api/v1/sniper/targets", headers=headers, json=body)
            assert created.status_code == 200, created.text
        await play(h, PEAK_END)
        targets = []
        for key in keys:
            page = await h.client.get("/api/v1/sniper/targets", headers={"X-API-Key": key})
            targets += page.json()["targets"]
        planner = h.runtime.planner
        assert planner is not None
    assert sim.peak_requests_per_second() <= 10
    assert sim.threshold_hits == 0
    assert len(sim.requests) > 8 * 600 * 0.9, "the planner spends its 8 requests a second"
    assert planner.probes_sent > 3000
    assert planner.sec.budget.sent["archives"] == planner.probes_sent
    assert len(targets) == 25
    assert [t["ticker"] for t in targets if t["resolution_reason"] != "filing_hit"] == []
