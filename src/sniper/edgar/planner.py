"""The detection planner: every source under one SEC request budget (DESIGN "EDGAR access").

Each `run_second()` spends at most `plan_rps` requests (default 8 of SEC's 10, leaving room for
retries and the filing pipeline; `SecClient`'s budget is the hard cap) over one second of clock
time, slot by slot, one request at a time:

- slot 0, the **feed backbone** (`atom`): page 0 of the getcurrent feed at a small `count`, and
  every `deep_interval` a re-read of the first `deep_entries` entries, so a filing inserted late
  below newer, seen entries is found. Every entry read moves its prefix's live head.
- one **backstop** (`submissions`) request when a watched CIK is due (every `backstop_interval`,
  at once for a newly watched one): it teaches the prefixes that CIK files through, and an
  accession it lists that no source has seen is fetched (its header) and fired.
- the other slots, **Archives probes** (`archives`) of the predicted next accessions of the
  watched CIKs (a filer agent's number in the accession's own folder, as it may be any
  company's) and the **agent sweep** (the busiest prefixes' fresh holes and next numbers, any
  company: the share of targets whose prefixes are unknown, at least `SWEEP_FLOOR`), chosen
  slot by slot (so a feed that moved re-plans the rest) by smooth weighted round robin: a
  CIK's share doubles in the first 5 minutes of its window, and every slot is used only then
  or at 16:00-16:10 ET (the day's peak); otherwise one slot a second is left to the filing
  pipeline.

All sources report to one `Detector` keyed by accession number: the first source to see a
filing fires it, later ones only add their first-seen time. SEC's rate-threshold page pauses
every source (`RateLimited`); a planner second during the pause sends nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any, Protocol

from sniper.clock import Clock
from sniper.edgar import probes
from sniper.edgar.atom import MATCH_ROLES, DetectedFiling, eastern_zone, group_filings
from sniper.edgar.client import SecClient
from sniper.edgar.errors import EdgarError, RateLimited
from sniper.edgar.prefixes import ANY_CIK, Candidate, Prefixes
from sniper.edgar.sources import AtomSource, live_page_fetcher

logger = logging.getLogger(__name__)
SOURCES = ("atom", "archives", "submissions")
START_BOOST = timedelta(minutes=5)
PEAK = (time(16, 0), time(16, 10))  # ET: results after the close
# the share of probes the agent sweep keeps when every target's prefixes are known
SWEEP_FLOOR = 0.25


@dataclass(frozen=True, slots=True)
class Watched:
    """A target inside its window: the CIK to watch, the window (aware UTC)."""

    cik: int
    start: datetime
    end: datetime


class Detector(Protocol):
    """Where sources report (the watcher)."""

    def seen(self, accession: str, source: str | None = None) -> bool:
        """Whether `source` (any source for None) has reported `accession`."""
        ...

    async def detected(self, filings: Sequence[DetectedFiling], source: str) -> int:
        """Record `filings` as seen by `source`; returns how many no source had seen before."""
        ...


@dataclass
class PlannerSettings:
    """Knobs of the planner (from `Settings`: `SNIPER_EDGAR_PLAN_RPS`, `SNIPER_FEED_*`, ...)."""

    plan_rps: int = 8
    feed_page_size: int = 20
    feed_max_start: int = 5000
    deep_interval: timedelta = timedelta(seconds=30)
    deep_entries: int = 300
    backstop_interval: timedelta = timedelta(seconds=45)
    lookahead: int = 12


@dataclass
class SourceStats:
    """Per source: `hits` = filings it saw first, `seen` = filings it reported at all."""

    hits: int = 0
    seen: int = 0


@dataclass
class Urls:
    """Base URLs: www.sec.gov (feed), Archives, data.sec.gov (submissions), no trailing /."""

    feed: str
    archives: str
    submissions: str


@dataclass
class _State:
    credit: dict[tuple[int, str], float] = field(default_factory=dict)
    backstop_due: dict[int, datetime] = field(default_factory=dict)
    last_deep: datetime | None = None


class DetectionPlanner:
    """Plans and sends every detection request; see the module docstring."""

    def __init__(
        self, sec: SecClient, urls: Urls, clock: Clock, settings: PlannerSettings | None = None
    ) -> None:
        self.sec = sec
        self.urls = urls
        self.clock = clock
        self.settings = settings or PlannerSettings()
        fetch = live_page_fetcher(sec, urls.feed, "atom")
        limit = self.settings.feed_max_start
        self.feed = AtomSource(fetch, page_size=self.settings.feed_page_size, max_start=limit)
        self.deep = AtomSource(fetch, page_size=100, max_start=limit)
        self.prefixes = Prefixes()
        self.stats = {source: SourceStats() for source in SOURCES}
        self.probes_sent = 0
        self.paused_seconds = 0
        self.last_error: str | None = None
        self._state = _State()

    async def run_second(self, watched: Sequence[Watched], detector: Detector) -> None:
        """Spend one second of the budget (see the module docstring). Requests go one at a
        time, each answered before the next slot, so every plan sees what the last request
        learnt. An error of one source is kept in `last_error` and the others go on; SEC's
        threshold page ends the second."""
        started = self.clock.now()
        if self.sec.budget.paused_until is not None:
            self.paused_seconds += 1
            return
        slots = self.settings.plan_rps
        used = 1
        if not await self._guarded(self._feed(detector, started)):
            return
        due = self._backstop_due(watched, started)
        if due is not None:
            used += 1
            if not await self._guarded(self._backstop(due, detector)):
                return
        spare = 0 if self._boosted(watched, started) else 1
        for k in range(max(0, slots - used - spare) if watched else 0):
            await self._sleep_until(started + timedelta(seconds=(used + k) / slots))
            pick = self._pick(watched, detector)
            if pick is not None and not await self._guarded(self._probe(pick, detector)):
                return

    async def _sleep_until(self, moment: datetime) -> None:
        delay = (moment - self.clock.now()).total_seconds()
        if delay > 0:
            await self.clock.sleep(delay)

    async def _guarded(self, job: Coroutine[Any, Any, None]) -> bool:
        """Run one source's request(s); False when SEC's block has begun."""
        try:
            await job
        except RateLimited as exc:
            self.last_error = f"RateLimited: SEC blocks requests until {exc.until.isoformat()}"
            return False
        except EdgarError as exc:
            self.last_error = f"{type(exc).__name__}: {exc}"
            logger.warning("detection request failed: %s", exc)
        return True

    def _observe(self, filings: Sequence[DetectedFiling]) -> None:
        now = self.clock.now()
        for filing in filings:
            self.prefixes.observe(filing.accession_number, filing.ciks_for(MATCH_ROLES), now)

    async def _report_found(
        self, detector: Detector, filings: Sequence[DetectedFiling], source: str
    ) -> None:
        """Tell `detector` what `source` saw that it had not reported before (already
        observed by the prefixes)."""
        fresh = [f for f in filings if not detector.seen(f.accession_number, source)]
        if fresh:
            self.stats[source].seen += len(fresh)
            self.stats[source].hits += await detector.detected(fresh, source)

    async def _feed(self, detector: Detector, now: datetime) -> None:
        state, settings = self._state, self.settings
        deep = state.last_deep is None or now - state.last_deep >= settings.deep_interval
        source = self.deep if deep else self.feed
        filings = await source.poll(
            lambda accession: detector.seen(accession, "atom"),
            depth=settings.deep_entries if deep else 0,
        )
        if deep:
            state.last_deep = now
        self._observe(group_filings(source.last_entries))  # every entry read, the new ones too
        await self._report_found(detector, filings, "atom")

    def _backstop_due(self, watched: Sequence[Watched], now: datetime) -> int | None:
        due = self._state.backstop_due
        ciks = {w.cik for w in watched}
        for cik in [c for c in due if c not in ciks]:
            del due[cik]
        waiting = [(due.get(cik, now - timedelta(days=1)), cik) for cik in ciks]
        ready = [(at, cik) for at, cik in waiting if at <= now]
        if not ready:
            return None
        cik = min(ready)[1]
        due[cik] = now + self.settings.backstop_interval
        return cik

    async def _backstop(self, cik: int, detector: Detector) -> None:
        """Read `cik`'s submissions JSON; fetch the header of each accession listed in the
        last day that no source has seen, and fire it."""
        listed = await probes.submissions(self.sec, self.urls.submissions, cik)
        now = self.clock.now()
        for row in reversed(listed):
            self.prefixes.observe(row.accession_number, {cik}, now)
        recent = now - timedelta(days=1)
        for row in listed[:20]:
            if row.accepted_at is None or row.accepted_at < recent:
                continue
            if detector.seen(row.accession_number):
                continue
            found = await probes.probe(
                self.sec, self.urls.archives, cik, row.accession_number, "submissions"
            )
            if found is not None:
                self._observe([found])
                await self._report_found(detector, [found], "submissions")

    def _boosted(self, watched: Sequence[Watched], now: datetime) -> bool:
        """Near a window's start, or in the 16:00-16:10 ET peak: every slot goes to probes."""
        clock_et = now.astimezone(eastern_zone()).time()
        return PEAK[0] <= clock_et < PEAK[1] or any(now - w.start < START_BOOST for w in watched)

    def _candidates(self, watched: Sequence[Watched], detector: Detector) -> list[Candidate]:
        now = self.clock.now()
        year = now.astimezone(eastern_zone()).year % 100
        shares = {w.cik: 2.0 if now - w.start < START_BOOST else 1.0 for w in watched}
        total = sum(shares.values())
        unknown = sum(s for cik, s in shares.items() if not self.prefixes.knows(cik))
        sweep_share = max(unknown, SWEEP_FLOOR * total) / total
        found: dict[str, Candidate] = {}
        guesses = [
            (c, share / total)
            for cik, share in shares.items()
            for c in self.prefixes.candidates(cik, year, self.settings.lookahead, now)
        ]
        guesses += [(c, sweep_share) for c in self.prefixes.sweep(year, now)]
        for c, share in guesses:  # weights of one accession add up; a company's folder wins
            known = found.get(c.accession_number)
            weight = c.weight * share + (known.weight if known else 0.0)
            folder = known.cik if known and known.cik != ANY_CIK else c.cik
            found[c.accession_number] = Candidate(folder, c.accession_number, weight)
        return [c for c in found.values() if not detector.seen(c.accession_number)]

    def _pick(self, watched: Sequence[Watched], detector: Detector) -> Candidate | None:
        """Smooth weighted round robin: every candidate gains its weight, the richest is
        probed and pays 1 (so each is probed in proportion to its weight)."""
        candidates = self._candidates(watched, detector)
        if not candidates:
            return None
        old = self._state.credit
        credit = {
            (c.cik, c.accession_number): old.get((c.cik, c.accession_number), 0.0)
            for c in candidates
        }
        for c in candidates:
            credit[c.cik, c.accession_number] += c.weight
        best = max(candidates, key=lambda c: credit[c.cik, c.accession_number])
        credit[best.cik, best.accession_number] -= sum(c.weight for c in candidates)
        self._state.credit = credit
        return best

    async def _probe(self, candidate: Candidate, detector: Detector) -> None:
        self.probes_sent += 1
        found = await probes.probe(
            self.sec, self.urls.archives, candidate.cik, candidate.accession_number
        )
        if found is not None:
            self._observe([found])
            await self._report_found(detector, [found], "archives")
