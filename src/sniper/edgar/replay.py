"""Replay of a recorded getcurrent crawl on a `Clock` (DESIGN "EDGAR access", Replay).

`ReplayFeed(directory, clock)` loads every `getcurrent_start{N}.xml` of a recorded crawl (e.g.
`shared/edgar/atom/`, 51 pages taken 2025-12-12 18:03:31 ET) and serves them as EDGAR would have
at `clock.now()`: an entry appears `lag` after its acceptance time (the measured acceptance -> feed
lag: median 30 s, p95 46 s). `fetch_page` is a `PageFetcher`, so the real parser and `AtomSource`
run unchanged on replay.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_left
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path

from lxml import etree

from sniper.clock import Clock
from sniper.edgar.atom import (
    ATOM_NS,
    DetectedFiling,
    FeedEntry,
    eastern_zone,
    feed_root,
    group_filings,
    parse_entry,
)
from sniper.edgar.errors import EdgarUnavailable

_PAGE_FILE = re.compile(r"getcurrent_start(\d+)\.xml")
_FEED_HEAD = (
    '<?xml version="1.0" encoding="ISO-8859-1" ?>\n'
    f'<feed xmlns="{ATOM_NS}">\n'
    "<title>Latest Filings - {title}</title>\n"
    '<link rel="alternate" href="/cgi-bin/browse-edgar?action=getcurrent"/>\n'
    '<link rel="self" href="/cgi-bin/browse-edgar?action=getcurrent"/>\n'
    "<id>https://www.sec.gov/cgi-bin/browse-edgar?action=getcurrent</id>\n"
    "<author><name>Webmaster</name><email>webmaster@sec.gov</email></author>\n"
    "<updated>{updated}</updated>\n"
)


@dataclass(frozen=True, slots=True)
class RecordedEntry:
    """One recorded `<entry>`: its serialized element (ASCII, own xmlns) and parsed form."""

    raw: bytes
    entry: FeedEntry


def recorded_pages(directory: Path) -> list[Path]:
    """The `getcurrent_start{N}.xml` files of `directory`, ordered by N numerically."""
    pages = [(int(m[1]), p) for p in directory.iterdir() if (m := _PAGE_FILE.fullmatch(p.name))]
    return [path for _, path in sorted(pages)]


@dataclass(frozen=True)
class RecordedCrawl:
    """The parsed entries of one recorded crawl directory, with what loading dropped."""

    entries: tuple[RecordedEntry, ...]
    duplicates_dropped: int
    entries_skipped: int


def load_crawl(directory: Path) -> RecordedCrawl:
    """Parse `directory`'s pages once per process (keyed by path and the pages' mtimes): the
    server builds one feed, but tests and benchmarks build many."""
    pages = recorded_pages(directory)
    if not pages:
        raise FileNotFoundError(f"no getcurrent_start*.xml pages in {directory}")
    return _load_crawl(tuple((page, page.stat().st_mtime_ns) for page in pages))


@functools.lru_cache(maxsize=8)
def _load_crawl(pages: tuple[tuple[Path, int], ...]) -> RecordedCrawl:
    kept: list[RecordedEntry] = []
    keys: set[tuple[str, int, str]] = set()
    duplicates = skipped = 0
    for path, _ in pages:
        for element in feed_root(path.read_bytes()).iterchildren(f"{{{ATOM_NS}}}entry"):
            try:
                entry = parse_entry(element)
            except ValueError:
                skipped += 1
                continue
            key = (entry.accession_number, entry.cik, entry.role)
            if key in keys:
                duplicates += 1
                continue
            keys.add(key)
            kept.append(RecordedEntry(etree.tostring(element, with_tail=False), entry))
    return RecordedCrawl(tuple(kept), duplicates, skipped)


class ReplayFeed:
    """A recorded crawl served as the live feed at `clock.now()`.

    Entries keep their recorded order (newest acceptance first); an entry repeated on two pages
    (paging shifted while the crawl ran) or within a page — same accession, CIK and role — is kept
    once, first copy wins (`duplicates_dropped` counts the rest; `entries_skipped` counts
    malformed ones). Raises `FileNotFoundError` when `directory` has no recorded pages and
    `ValueError` when they hold no usable entry; `FeedParseError` for a page that is not Atom.
    """

    def __init__(
        self,
        directory: Path,
        clock: Clock,
        *,
        lag: timedelta = timedelta(seconds=30),
        max_start: int = 5000,
    ) -> None:
        self.directory = Path(directory)
        self.clock = clock
        self.lag = lag
        self.max_start = max_start
        crawl = load_crawl(self.directory)
        self._entries = list(crawl.entries)
        self.duplicates_dropped = crawl.duplicates_dropped
        self.entries_skipped = crawl.entries_skipped
        if not self._entries:
            raise ValueError(f"no usable feed entries in {self.directory}")
        stamps = [r.entry.accepted_at for r in self._entries]
        self._newest_first = all(a >= b for a, b in pairwise(stamps))
        self._keys = [-s.timestamp() for s in stamps]

    def earliest_acceptance(self) -> datetime:
        """The oldest recorded acceptance time (aware UTC)."""
        return min(r.entry.accepted_at for r in self._entries)

    def latest_acceptance(self) -> datetime:
        """The newest recorded acceptance time (aware UTC)."""
        return max(r.entry.accepted_at for r in self._entries)

    def filing_count(self) -> int:
        """Distinct accession numbers in the recording."""
        return len({r.entry.accession_number for r in self._entries})

    def entry_count(self) -> int:
        """Recorded entries after dropping duplicates."""
        return len(self._entries)

    def _visible(self) -> list[RecordedEntry]:
        """Entries with `accepted_at + lag <= clock.now()`, in recorded order."""
        cutoff = self.clock.now() - self.lag
        if self._newest_first:
            return self._entries[bisect_left(self._keys, -cutoff.timestamp()) :]
        return [r for r in self._entries if r.entry.accepted_at <= cutoff]

    async def fetch_page(self, start: int, count: int) -> bytes:
        """One Atom page as EDGAR would serve it now: the visible entries `[start:start+count]`
        (newest first) in a valid feed document (ISO-8859-1 declared, ASCII bytes). Raises
        `EdgarUnavailable(503, ...)` past `max_start` like EDGAR, `ValueError` for a negative
        `start` or `count < 1`."""
        if start < 0 or count < 1:
            raise ValueError(f"bad page request start={start} count={count}")
        if start > self.max_start:
            raise EdgarUnavailable(503, f"replay:{self.directory}?start={start}")
        now_et = self.clock.now().astimezone(eastern_zone())
        head = _FEED_HEAD.format(
            title=now_et.strftime("%a, %d %b %Y %H:%M:%S %Z"),
            updated=now_et.isoformat(timespec="seconds"),
        )
        body = b"\n".join(r.raw for r in self._visible()[start : start + count])
        return head.encode("ascii") + body + b"\n</feed>\n"

    def upcoming(self, limit: int) -> list[DetectedFiling]:
        """Up to `limit` filings not yet visible, soonest to appear first (ties: the order the
        feed will show them, bottom up)."""
        cutoff = self.clock.now() - self.lag
        hidden = [r.entry for r in self._entries if r.entry.accepted_at > cutoff]
        filings = group_filings(hidden)
        filings.reverse()
        filings.sort(key=lambda f: f.accepted_at)
        return filings[: max(0, limit)]
