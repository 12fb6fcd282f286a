"""Targets over the recorded EDGAR crawl and the oracle of which ones fire (figure F4).

`plan(rng, filings, first, last, count)` draws `count` target request bodies with windows inside
`[first, last]`: aimed at a filing of a moment drawn uniformly in time (so hits spread over the
stretch instead of bunching in the 21:00Z rush), random windows on companies that file in the
stretch, and tickers that filed nothing in the whole crawl. Form filters sometimes name the
aimed filing's form (spelled loosely), sometimes forms the company did not file.

`expected(created, filings, seen)` is the oracle: for each created target, the first filing the
pure matcher (`sniper.targets.matcher.matches`) says fires it, in the order the service met
them (`seen`: accession -> first detection time; ties and unseen filings by acceptance, then
accession). Without `seen` it is acceptance order. The two differ where EDGAR published a later
accession first (an Archives probe, or a feed entry inserted late), and a target fires on the
filing it saw first.
"""

from __future__ import annotations

import json
import random
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sniper.edgar.atom import MATCH_ROLES, DetectedFiling, group_filings
from sniper.edgar.replay import load_crawl
from sniper.kit.timefmt import iso_z
from sniper.targets.matcher import Candidate, matches
from tests.support.paths import ATOM_DIR, CATALOG_PATH

Body = dict[str, object]


@dataclass(frozen=True)
class Created:
    """A target as the service stored it: what the oracle needs, and its owner's name."""

    target_id: str
    account: str
    cik: int
    start: datetime
    end: datetime
    forms: list[str] | None


def crawl() -> list[DetectedFiling]:
    """Every recorded filing, oldest acceptance first."""
    filings = group_filings([recorded.entry for recorded in load_crawl(ATOM_DIR).entries])
    return sorted(filings, key=lambda f: (f.accepted_at, f.accession_number))


def _tickers() -> dict[int, str]:
    """CIK -> its first ticker in the recorded catalog."""
    first: dict[int, str] = {}
    for row in json.loads(CATALOG_PATH.read_text()).values():
        first.setdefault(int(row["cik_str"]), str(row["ticker"]))
    return first


@dataclass(frozen=True)
class _Stretch:
    first: datetime
    last: datetime
    filers: list[tuple[DetectedFiling, str]]  # (filing, ticker of a matching CIK), by time
    companies: list[str]  # tickers that file in the stretch
    quiet: list[str]  # tickers that file nowhere in the crawl


def _stretch(filings: Sequence[DetectedFiling], first: datetime, last: datetime) -> _Stretch:
    tickers = _tickers()
    inside = [f for f in filings if first <= f.accepted_at <= last]
    filers = [
        (f, tickers[c]) for f in inside for c in sorted(f.ciks_for(MATCH_ROLES)) if c in tickers
    ]
    in_crawl = {entity.cik for f in filings for entity in f.entities}
    quiet = sorted(ticker for cik, ticker in tickers.items() if cik not in in_crawl)
    return _Stretch(first, last, filers, sorted({t for _, t in filers}), quiet)


def plan(
    rng: random.Random,
    filings: Sequence[DetectedFiling],
    first: datetime,
    last: datetime,
    count: int,
) -> list[Body]:
    """`count` request bodies: 35 % aimed at a filing, 40 % random windows on companies that
    file in `[first, last]`, 25 % on tickers that filed nothing."""
    stretch = _stretch(filings, first, last)
    stamps = [f.accepted_at for f, _ in stretch.filers]
    bodies = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.35:
            moment = first + (last - first) * rng.random()
            filing, ticker = stretch.filers[min(bisect_left(stamps, moment), len(stamps) - 1)]
            window = _around(rng, stretch, filing.accepted_at)
            forms = rng.choice([None, None, [f" {filing.form_type.lower()} "], ["10-K"]])
        else:
            window = _anywhere(rng, stretch)
            ticker = rng.choice(stretch.companies if roll < 0.75 else stretch.quiet)
            forms = rng.choice([None, ["4"], ["8-K", "8-K/A"], ["SC 13G/A"], ["10-Q"]])
        bodies.append(_body(ticker, window, forms))
    return bodies


def _body(ticker: str, window: tuple[datetime, datetime], forms: list[str] | None) -> Body:
    body: Body = {"ticker": ticker, "start_time": iso_z(window[0]), "end_time": iso_z(window[1])}
    if forms is not None:
        body["form_types"] = forms
    return body


def _around(rng: random.Random, stretch: _Stretch, moment: datetime) -> tuple[datetime, datetime]:
    start = max(stretch.first, moment - timedelta(seconds=rng.uniform(0, 1200)))
    return start, min(stretch.last, moment + timedelta(seconds=rng.uniform(1, 1200)))


def _anywhere(rng: random.Random, stretch: _Stretch) -> tuple[datetime, datetime]:
    room = (stretch.last - stretch.first).total_seconds() - 300
    start = stretch.first + timedelta(seconds=rng.uniform(0, room))
    return start, min(stretch.last, start + timedelta(seconds=rng.uniform(120, 3600)))


def expected(
    created: Sequence[Created],
    filings: Sequence[DetectedFiling],
    seen: Mapping[str, datetime] | None = None,
) -> dict[str, str]:
    """Target id -> accession of the first filing met that fires it (fired targets only)."""
    met = dict(seen or {})
    never = datetime.max.replace(tzinfo=filings[0].accepted_at.tzinfo) if filings else None
    order = sorted(
        filings,
        key=lambda f: (met.get(f.accession_number, never), f.accepted_at, f.accession_number),
    )
    by_cik: dict[int, list[DetectedFiling]] = defaultdict(list)
    for filing in order:
        for cik in filing.ciks_for(MATCH_ROLES):
            by_cik[cik].append(filing)
    fired = {}
    for t in created:
        candidate = Candidate.of(t.target_id, t.cik, t.start, t.end, t.forms)
        hit = next((f for f in by_cik[t.cik] if matches(candidate, f)), None)
        if hit is not None:
            fired[t.target_id] = hit.accession_number
    return fired
