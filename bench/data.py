"""Recorded inputs the benchmarks share, read from `../shared/edgar/` (never copied in).

- `recorded_filings()`: the 3,315 filings of the getcurrent crawl taken 2025-12-12 18:03:31 ET
  (51 Atom pages, 5,100 entries), parsed by the real `parse_feed` + `group_filings`.
- `catalog_companies()`: one `Company` per distinct CIK of SEC's `company_tickers.json`
  (7,919 CIKs behind 9,610 tickers), with that CIK's first ticker.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from tests.support.paths import ATOM_DIR, CATALOG_PATH

from sniper.edgar.atom import DetectedFiling, group_filings, parse_feed
from sniper.edgar.catalog import normalize_ticker
from sniper.edgar.replay import recorded_pages


@dataclass(frozen=True, slots=True)
class Company:
    """A catalog company: CIK, its first ticker (normalized), SEC's title."""

    cik: int
    ticker: str
    title: str


@cache
def recorded_filings() -> tuple[DetectedFiling, ...]:
    """Every filing of the recorded crawl, in feed order (newest acceptance first)."""
    pages = recorded_pages(ATOM_DIR)
    if not pages:
        raise FileNotFoundError(f"no getcurrent_start*.xml pages in {ATOM_DIR}")
    entries = [entry for page in pages for entry in parse_feed(page.read_bytes())]
    return tuple(group_filings(entries))


@cache
def catalog_companies() -> tuple[Company, ...]:
    """One company per distinct CIK, first ticker of that CIK in file order."""
    rows = json.loads(CATALOG_PATH.read_bytes()).values()
    seen: dict[int, Company] = {}
    for row in rows:
        cik = int(row["cik_str"])
        if cik not in seen:
            seen[cik] = Company(cik, normalize_ticker(row["ticker"]), row["title"])
    return tuple(seen.values())


def percentile(samples: Sequence[float], pct: float) -> float:
    """The `pct`-th percentile (0-100) of `samples`, interpolating linearly between ranks
    (NumPy's default and `statistics.quantiles(method="inclusive")`)."""
    ordered = sorted(samples)
    position = (len(ordered) - 1) * min(100.0, max(0.0, pct)) / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def rate(count: float, seconds: float, unit: str) -> str:
    """`count / seconds` as a short rate in `unit`s: `1.20 M filings/s`, `35.4 k filings/s`."""
    per_second = count / seconds if seconds > 0 else float("inf")
    if per_second >= 1e6:
        return f"{per_second / 1e6:.2f} M {unit}/s"
    if per_second >= 1e3:
        return f"{per_second / 1e3:.1f} k {unit}/s"
    return f"{per_second:.1f} {unit}/s"
