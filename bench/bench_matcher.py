"""Matcher throughput: which targets does a detected filing fire, with 100,000 targets active?

Inputs: the 3,315 real filings of the recorded crawl, and synthetic targets (seeded
`random.Random(7)`) on CIKs drawn uniformly from the 7,919 CIKs of the real ticker catalog, each
with a 24-hour window starting between 30 min before and 90 min after the crawl's first
acceptance (so nearly every filing falls inside nearly every window: the time test passes and
the form test decides, the matcher's worst case) and a form filter that is "any form" for 40% of
targets, else 1-3 forms from a list of common ones (SC 13D/G aliases included).

Numbers (all single-threaded, best of `REPEATS` passes over every filing):

- filings/s and µs/filing of `CikIndex.match` (what `fire_matches` calls per fresh filing);
- the peer: a naive linear scan calling `matches()` on every target, on a sample of filings;
- the same index and scan at 1,000 targets: the index cost stays flat, the scan shrinks 100x;
- the database path (`bench.matcher_db`): `open_targets_for_ciks` on SQLite with 100,000 rows.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bench import matcher_db
from bench.data import Company, catalog_companies, rate, recorded_filings
from sniper.edgar.atom import DetectedFiling
from sniper.targets.matcher import Candidate, CikIndex, matches

SEED = 7
TARGETS = 100_000
SMALL = 1_000
SCAN_SAMPLE = 50
REPEATS = 5
WINDOW = timedelta(hours=24)
FORMS = (
    "4",
    "8-K",
    "8-K/A",
    "10-Q",
    "10-K",
    "424B2",
    "144",
    "6-K",
    "S-1",
    "D",
    "3",
    "FWP",
    "DEF 14A",
    "SC 13D",
    "SC 13G/A",
    "SCHEDULE 13D/A",
)

Row = tuple[str, str, str]


@dataclass(frozen=True, slots=True)
class TargetSpec:
    """One synthetic target: id, company, window `[start, end]`, form filter (None = any)."""

    target_id: str
    company: Company
    start: datetime
    end: datetime
    forms: tuple[str, ...] | None

    def candidate(self) -> Candidate:
        return Candidate.of(self.target_id, self.company.cik, self.start, self.end, self.forms)


def make_specs(count: int, seed: int = SEED) -> list[TargetSpec]:
    """`count` targets as described in the module docstring; the same seed gives the same list."""
    rng = random.Random(seed)
    companies = catalog_companies()
    first = min(f.accepted_at for f in recorded_filings())
    specs = []
    for number in range(count):
        start = first + timedelta(minutes=rng.uniform(-30, 90))
        forms = None if rng.random() < 0.4 else tuple(rng.sample(FORMS, rng.randint(1, 3)))
        specs.append(
            TargetSpec(f"tgt_{number:012d}", rng.choice(companies), start, start + WINDOW, forms)
        )
    return specs


def time_index(index: CikIndex, filings: Sequence[DetectedFiling]) -> tuple[float, int]:
    """(seconds of the best pass matching every filing, targets fired in one pass)."""
    best, fired = float("inf"), 0
    for _ in range(REPEATS):
        started = time.perf_counter()
        fired = sum(len(index.match(filing)) for filing in filings)
        best = min(best, time.perf_counter() - started)
    return best, fired


def time_scan(
    candidates: Sequence[Candidate], sample: Sequence[DetectedFiling]
) -> tuple[float, list[set[str]]]:
    """(seconds to scan every candidate with `matches()` for each sampled filing, the ids found
    per filing). One pass: it is the slow side."""
    started = time.perf_counter()
    found = [{c.target_id for c in candidates if matches(c, filing)} for filing in sample]
    return time.perf_counter() - started, found


def sample_filings(filings: Sequence[DetectedFiling], size: int) -> list[DetectedFiling]:
    """`size` filings evenly spaced through the crawl."""
    step = max(1, len(filings) // size)
    return list(filings[::step][:size])


def compare(specs: Sequence[TargetSpec], filings: Sequence[DetectedFiling]) -> Row:
    """One row: the index against the linear scan over the same targets.

    ours: filings/s and µs per filing for `CikIndex.match` over all filings, the targets fired
    per pass, and the mean targets per targeted CIK (the index's cost grows with that, not with
    the total); peer: filings/s of the scan on `SCAN_SAMPLE` filings. Raises
    `AssertionError` when the two disagree on any sampled filing.
    """
    candidates = [spec.candidate() for spec in specs]
    index = CikIndex(candidates)
    seconds, fired = time_index(index, filings)
    sample = sample_filings(filings, SCAN_SAMPLE)
    scan_seconds, scanned = time_scan(candidates, sample)
    for filing, expected in zip(sample, scanned, strict=True):
        got = {c.target_id for c in index.match(filing)}
        assert got == expected, f"index and scan disagree on {filing.accession_number}"
    density = len(specs) / len({spec.company.cik for spec in specs})
    ours = (
        f"{rate(len(filings), seconds, 'filings')} · {seconds / len(filings) * 1e6:.2f} µs/filing "
        f"({fired:,} fires in {len(filings):,} filings; {density:.1f} targets per CIK)"
    )
    peer = (
        f"linear scan: {rate(len(sample), scan_seconds, 'filings')} · "
        f"{scan_seconds / len(sample) * 1e3:.1f} ms/filing"
    )
    return f"matcher: CikIndex.match, {len(specs):,} targets", ours, peer


def build_row(specs: Sequence[TargetSpec]) -> Row:
    """Milliseconds to build a `CikIndex` of every spec (fire_matches only builds one over the
    targets of the CIKs a poll brought, so this is an upper bound)."""
    candidates = [spec.candidate() for spec in specs]
    started = time.perf_counter()
    CikIndex(candidates)
    seconds = time.perf_counter() - started
    return (
        f"matcher: build CikIndex, {len(specs):,} targets",
        f"{seconds * 1e3:.1f} ms",
        "per poll only the polled CIKs' targets are indexed",
    )


def run() -> list[Row]:
    """Rows: index vs scan at 100,000 and 1,000 targets, index build time, the SQLite lookup."""
    filings = recorded_filings()
    specs = make_specs(TARGETS)
    rows = [compare(specs, filings), compare(specs[:SMALL], filings), build_row(specs)]
    rows += matcher_db.run(specs, filings)
    return rows
