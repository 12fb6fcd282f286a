"""Detection lag after first public: the planner against feed-only, on two simulated days.

Each day is a recorded day published by `SimulatedEdgar` with the recorded lags (seed 0): the
2025-12-12 getcurrent crawl and the 2025-05-05 datamule RSS log, 15:50-16:20 ET (the 16:00-16:10
peak inside). The real `DetectionPlanner`, `SecClient` and sources run over
`httpx.ASGITransport` on a `ManualClock`: 10 minutes of warm-up (the feed alone learns the
prefixes' heads), then the window with N targets, then 3 minutes to catch stragglers. Targets:
N companies (CIKs with a ticker in SEC's catalog, seeded choice) that file in the window, every
target's window the whole stretch. Feed-only is the same planner with no target (page 0 every
second plus the deep re-read).

Per day and N: for every filing of a target company accepted in the window, lag = first seen by
any source - first public (min of Archives and feed time), p50 / p95 / max in seconds; missed =
never seen; requests/s at the stand-in over the window, peak (any 1 s) and mean.
`python -m bench.bench_detection` prints the table alone.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
from tests.support.paths import ATOM_DIR, CATALOG_PATH, SHARED_EDGAR, TIMING_PATH

from bench.data import percentile
from sniper.clock import ManualClock
from sniper.edgar.atom import MATCH_ROLES, DetectedFiling
from sniper.edgar.catalog import TickerCatalog
from sniper.edgar.client import SecClient
from sniper.edgar.planner import DetectionPlanner, Urls, Watched
from sniper.edgar.simulated import (
    LagModel,
    RecordedFiling,
    SimFiling,
    SimulatedEdgar,
    crawl_day,
    datamule_day,
    peak_per_second,
    publish,
)

ET = ZoneInfo("America/New_York")
SIZES = (3, 5, 25)
DRAWS = {3: 4, 5: 4, 25: 1}  # target sets drawn per size (seeded), their filings pooled
WARMUP = timedelta(minutes=10)
TAIL = timedelta(minutes=3)
WWW = "https://www.sec.gov"
AGENT = "Sniper Bench admin@example.com"


@dataclass(frozen=True)
class Day:
    label: str
    recorded: Sequence[RecordedFiling]
    start: datetime
    end: datetime


def days() -> list[Day]:
    def window(day: datetime) -> tuple[datetime, datetime]:
        return day.replace(hour=15, minute=50), day.replace(hour=16, minute=20)

    crawl = window(datetime(2025, 12, 12, tzinfo=ET))
    log = window(datetime(2025, 5, 5, tzinfo=ET))
    datamule = SHARED_EDGAR / "timing" / "datamule_rss_receive_log_2025-05-05.txt"
    return [
        Day("2025-12-12", crawl_day(ATOM_DIR), *crawl),
        Day("2025-05-05", datamule_day(datamule), *log),
    ]


class Seen:
    """The benchmark's `Detector`: first-seen clock time per accession and per source."""

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.first: dict[str, datetime] = {}
        self.by_source: dict[str, set[str]] = {}

    def seen(self, accession: str, source: str | None = None) -> bool:
        if source is None:
            return accession in self.first
        return accession in self.by_source.get(source, set())

    async def detected(self, filings: Sequence[DetectedFiling], source: str) -> int:
        fresh = [f for f in filings if f.accession_number not in self.first]
        for filing in filings:
            self.first.setdefault(filing.accession_number, self.clock.now())
            self.by_source.setdefault(source, set()).add(filing.accession_number)
        return len(fresh)


@dataclass
class Run:
    seen: Seen
    sim: SimulatedEdgar


async def simulate(filings: list[SimFiling], day: Day, ciks: Sequence[int]) -> Run:
    """Play `day` through the planner with targets on `ciks` (none: feed-only)."""
    clock = ManualClock(day.start - WARMUP)
    sim = SimulatedEdgar(filings, clock, edgar_dir=SHARED_EDGAR)
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=sim.asgi))
    sec = SecClient(http, user_agent=AGENT, clock=clock)
    planner = DetectionPlanner(sec, Urls(WWW, WWW, "https://data.sec.gov"), clock)
    seen = Seen(clock)
    watched = [Watched(cik, day.start, day.end) for cik in ciks]
    while clock.now() < day.end + TAIL:
        second = clock.now().replace(microsecond=0) + timedelta(seconds=1)
        inside = day.start <= clock.now() <= day.end
        await planner.run_second(watched if inside else [], seen)
        clock.set(max(clock.now(), second))
    await http.aclose()
    return Run(seen, sim)


def targets(
    filings: list[SimFiling], day: Day, count: int, catalog: TickerCatalog, draw: int
) -> list[int]:
    """`count` CIKs with a ticker that file between the window's 1st and its last 3 minutes
    (draw number `draw` of a seeded choice)."""
    filers = {
        cik
        for f in filings
        if day.start + timedelta(minutes=1) <= f.accepted_at <= day.end - timedelta(minutes=3)
        for cik in {e.cik for e in f.entities if e.role in MATCH_ROLES}
        if catalog.tickers_for_cik(cik)
    }
    return random.Random(count * 100 + draw).sample(sorted(filers), count)


def lags(
    run: Run, filings: list[SimFiling], day: Day, ciks: Sequence[int]
) -> tuple[list[float], int]:
    """(lag after first public in seconds for each target filing seen, filings missed)."""
    wanted = set(ciks)
    found, missed = [], 0
    for f in filings:
        if not day.start <= f.accepted_at <= day.end:
            continue
        if not wanted & {e.cik for e in f.entities if e.role in MATCH_ROLES}:
            continue
        first = run.seen.first.get(f.accession_number)
        if first is None:
            missed += 1
        else:
            found.append((first - f.first_public).total_seconds())
    return found, missed


def requests(run: Run, day: Day) -> tuple[int, float]:
    """(peak requests in any 1 s, mean requests/s) at the stand-in over the window."""
    inside = [at for at, _ in run.sim.requests if day.start <= at <= day.end]
    seconds = (day.end - day.start).total_seconds()
    return peak_per_second(inside), len(inside) / seconds


def _lag_text(samples: list[float], missed: int) -> str:
    if not samples:
        return f"no filing seen, {missed} missed"
    figures = [percentile(samples, 50), percentile(samples, 95), max(samples)]
    p50, p95, worst = (f"{x:.1f}" for x in figures)
    return f"p50 {p50} s / p95 {p95} s / max {worst} s; {missed} missed of {len(samples) + missed}"


def _rate(peak: int, mean: float) -> str:
    return f"{peak} req/s peak, {mean:.1f} mean"


async def _rows() -> list[tuple[str, str, str]]:
    catalog = TickerCatalog.from_path(CATALOG_PATH)
    lag_model = LagModel.recorded(TIMING_PATH)
    rows = []
    for day in days():
        filings = publish(day.recorded, lag_model, seed=0)
        feed_only = await simulate(filings, day, [])
        for count in SIZES:
            ours: list[float] = []
            feed: list[float] = []
            missed = feed_missed = peak = 0
            means = []
            for draw in range(DRAWS[count]):
                ciks = targets(filings, day, count, catalog, draw)
                planned = await simulate(filings, day, ciks)
                found, lost = lags(planned, filings, day, ciks)
                ours, missed = ours + found, missed + lost
                found, lost = lags(feed_only, filings, day, ciks)
                feed, feed_missed = feed + found, feed_missed + lost
                draw_peak, mean = requests(planned, day)
                peak, means = max(peak, draw_peak), [*means, mean]
            title = f"detection {day.label}, {count} targets x {DRAWS[count]} draws"
            planner = f"{_lag_text(ours, missed)}; {_rate(peak, sum(means) / len(means))}"
            alone = f"{_lag_text(feed, feed_missed)}; {_rate(*requests(feed_only, day))}"
            rows.append((title, planner, f"feed only: {alone}"))
    return rows


def run() -> list[tuple[str, str, str]]:
    return asyncio.run(_rows())


if __name__ == "__main__":
    for row in run():
        print(" | ".join(row))
