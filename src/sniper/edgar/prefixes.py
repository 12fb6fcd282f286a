"""Accession prefixes and the next accession numbers a company's filing may take.

An accession number `PPPPPPPPPP-YY-NNNNNN` is the login CIK of whoever submitted it (a filer agent
such as 0001193125, or the company itself), the year and a per-prefix sequence (EDGAR Filer
Manual). Every feed entry and submissions JSON row tells us one prefix's sequence has reached
`NNNNNN`; EDGAR hands out a prefix's numbers in order, so a company's next filing through prefix
`P` is `P`'s live head + 1 .. + W, W growing with how fast `P` files (its numbers per second
over the last 10 minutes, times the ~45 s a filing takes from acceptance to the feed) — or a
*hole* below the head: a number not seen yet although a higher one is, for at most `HOLE_AGE`.
Those are the feed's tail (a filing on Archives whose feed entry lags 16-75 s), exactly where
the feed alone is slow.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict, deque
from dataclasses import dataclass
from datetime import datetime, timedelta

RATE_SPAN = timedelta(minutes=10)
HOLE_AGE = timedelta(seconds=180)  # numbers are taken at submission, some accepted minutes later
PUBLIC_LAG_SECONDS = 45.0  # acceptance -> feed, p95 46 s (MANIFEST "Facts measured")
AGENTS_PER_CIK = 3
SWEEP_AGENTS = 10  # the busiest prefixes file for most companies (10 agents: 42% of 2024's filings)
SWEEP_WIDTH = 3
SWEEP_HOLE_DEPTH = 30
HOLE_WEIGHT = 2.0  # a fresh hole is likelier public now than the number past the head
SWEEP_HOLE_AGE = timedelta(seconds=60)  # feed lag p95 18 s: a hole older than this rarely fills
ANY_CIK = 0
"""A candidate's CIK when its company is not known: the sweep of a filer agent's next numbers."""
MAX_SEEN = 500_000


@dataclass(frozen=True, slots=True)
class Candidate:
    """A predicted accession number of a company's next filing, with `weight` in (0, 1]: the
    candidates of one company share weights summing to 1, the likelier ones more. `cik` is the
    Archives folder to probe: the company's own for its own prefix, `ANY_CIK` (the folder named
    by the accession alone) for a filer agent's number, which may be any company's filing."""

    cik: int
    accession_number: str
    weight: float


def split(accession: str) -> tuple[str, int, int]:
    """`0001193125-25-123456` -> ("0001193125", 25, 123456)."""
    return accession[:10], int(accession[11:13]), int(accession[14:])


class Prefixes:
    """Live heads of every accession prefix and the prefixes each CIK files through.

    `observe(accession, ciks, at)` records one filing seen at clock time `at` (by any source);
    `head(prefix, year)` is the highest sequence seen for `prefix` in two-digit `year`;
    `candidates(cik, year, lookahead)` the predicted next accessions of `cik`.
    """

    def __init__(self) -> None:
        self._heads: dict[tuple[str, int], int] = {}
        self._arrivals: dict[str, deque[tuple[datetime, int]]] = defaultdict(deque)
        self._by_cik: dict[int, Counter[str]] = defaultdict(Counter)
        self._seen: set[str] = set()

    def observe(self, accession: str, ciks: set[int], at: datetime) -> None:
        """Learn from one filing: its prefix's head, and that each of `ciks` files through it."""
        if accession in self._seen:
            return
        if len(self._seen) >= MAX_SEEN:  # months of filings: start over, the heads stay
            self._seen.clear()
        self._seen.add(accession)
        prefix, year, seq = split(accession)
        if seq > self._heads.get((prefix, year), 0):
            self._heads[prefix, year] = seq
            arrivals = self._arrivals[prefix]
            arrivals.append((at, seq))
            while arrivals and at - arrivals[0][0] > RATE_SPAN:
                arrivals.popleft()
        for cik in ciks:
            self._by_cik[cik][prefix] += 1

    def knows(self, cik: int) -> bool:
        """Whether any filing of `cik` has been seen (so its prefixes are known)."""
        return bool(self._by_cik.get(cik))

    def sweep(self, year: int, now: datetime) -> list[Candidate]:
        """The likeliest next filings of the `SWEEP_AGENTS` prefixes that took the most numbers
        in the last `RATE_SPAN`, for whichever company they are (CIK `ANY_CIK`): their holes
        (numbers passed by a higher one: mostly filings already on Archives whose feed entry
        lags, weight `HOLE_WEIGHT`) and head + 1 .. + `SWEEP_WIDTH` (head + k weighs 1 / k);
        each prefix's share is the square root of its rate (polling each source at a rate
        proportional to the root of how often it changes minimises the mean lag)."""
        rates = {}
        for prefix, arrivals in self._arrivals.items():
            recent = [seq for at, seq in arrivals if now - at <= RATE_SPAN]
            if len(recent) >= 2 and (prefix, year) in self._heads:
                rates[prefix] = math.sqrt(recent[-1] - recent[0])  # numbers taken
        busiest = sorted(rates, key=lambda p: rates[p], reverse=True)[:SWEEP_AGENTS]
        total = sum(rates[p] for p in busiest) or 1
        found = []
        for prefix in busiest:
            head = self._heads[prefix, year]
            guesses = [(head + k, 1.0 / k) for k in range(1, SWEEP_WIDTH + 1)]
            holes = self.holes(prefix, year, now, SWEEP_HOLE_DEPTH, SWEEP_HOLE_AGE)
            guesses += [(seq, HOLE_WEIGHT) for seq in holes]
            norm = sum(w for _, w in guesses)
            for seq, w in guesses:
                accession = f"{prefix}-{year:02d}-{seq:06d}"
                if accession not in self._seen:
                    found.append(Candidate(ANY_CIK, accession, rates[prefix] / total * w / norm))
        return found

    def head(self, prefix: str, year: int) -> int | None:
        return self._heads.get((prefix, year))

    def window(self, prefix: str, lookahead: int) -> int:
        """How many numbers past the head to probe: 1 + numbers `prefix` takes in ~45 s."""
        arrivals = self._arrivals.get(prefix)
        if not arrivals or len(arrivals) < 2:
            return 1
        span = (arrivals[-1][0] - arrivals[0][0]).total_seconds()
        rate = (arrivals[-1][1] - arrivals[0][1]) / max(span, 60.0)
        return max(1, min(lookahead, 1 + math.ceil(rate * PUBLIC_LAG_SECONDS)))

    def holes(
        self, prefix: str, year: int, now: datetime, depth: int, age: timedelta = HOLE_AGE
    ) -> list[int]:
        """Numbers in the `depth` below `prefix`'s head not seen yet, passed by a higher one
        less than `age` ago (newest first)."""
        head = self.head(prefix, year)
        if head is None:
            return []
        passed = {seq: at for at, seq in self._arrivals.get(prefix, ())}
        found, since = [], None
        for seq in range(head, max(0, head - depth), -1):
            since = passed.get(seq, since)
            if since is not None and now - since > age:
                break
            if seq < head and f"{prefix}-{year:02d}-{seq:06d}" not in self._seen:
                found.append(seq)
        return found

    def candidates(
        self, cik: int, year: int, lookahead: int, now: datetime | None = None
    ) -> list[Candidate]:
        """Predicted next accessions of `cik`: its own prefix (head + 1, + 2) and its top
        filer agents' (the holes below the head, head + 1 .. + W), weighted by how often
        `cik` used each prefix (`now`: the clock, for the holes' age)."""
        own = f"{cik:010d}"
        used = self._by_cik.get(cik, Counter())
        prefixes = [p for p, _ in used.most_common(AGENTS_PER_CIK + 1)]
        if own not in prefixes and self.head(own, year) is not None:
            prefixes.append(own)
        total = sum(used[p] for p in prefixes) or 1
        found: list[Candidate] = []
        for prefix in prefixes:
            share = max(used[prefix], 1) / total
            mine = self._prefix_candidates(cik, prefix, year, lookahead, now)
            norm = sum(c.weight for c in mine) or 1.0
            found += [Candidate(c.cik, c.accession_number, share * c.weight / norm) for c in mine]
        return found

    def _prefix_candidates(
        self, cik: int, prefix: str, year: int, lookahead: int, now: datetime | None
    ) -> list[Candidate]:
        head = self.head(prefix, year) or 0
        if prefix == f"{cik:010d}":
            numbers, weights = [head + 1, head + 2], [1.0, 0.3]
        else:
            width = self.window(prefix, lookahead)
            holes = self.holes(prefix, year, now, 2 * width) if now is not None else []
            numbers = [head + k for k in range(1, width + 1)] + holes
            weights = [1.0] * len(numbers)
        folder = cik if prefix == f"{cik:010d}" else ANY_CIK  # an agent's number: any filer's
        return [
            Candidate(folder, f"{prefix}-{year:02d}-{n:06d}", w)
            for n, w in zip(numbers, weights, strict=True)
            if f"{prefix}-{year:02d}-{n:06d}" not in self._seen
        ]
