"""A recorded getcurrent crawl, loaded once (DESIGN "EDGAR access", Replay).

`load_crawl(directory)` parses every `getcurrent_start{N}.xml` of a recorded crawl (e.g.
`shared/edgar/atom/`, 51 pages taken 2025-12-12 18:03:31 ET) into its entries, each with its
recorded XML; `sniper.edgar.sim_filings.crawl_day` turns them into the filings the simulated
EDGAR publishes in replay mode.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from sniper.edgar.atom import (
    ATOM_NS,
    FeedEntry,
    feed_root,
    parse_entry,
)

_PAGE_FILE = re.compile(r"getcurrent_start(\d+)\.xml")


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
