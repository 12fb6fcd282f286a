"""Helpers over the recorded EDGAR crawl (read in place from `shared/edgar/atom/`)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from sniper.edgar.atom import FeedEntry, parse_feed_document
from tests.support.http_server import Reply, Request
from tests.support.paths import ATOM_DIR

SNAP_EARLY = ATOM_DIR / "snap_20251212T180234"
SNAP_LATE = ATOM_DIR / "snap_20251212T180344"
UNAVAILABLE_PAGE = ATOM_DIR / "getcurrent_start5100.503.html"
USER_AGENT = "Sniper Tests admin@example.com"


def crawl_pages(directory: Path = ATOM_DIR) -> list[Path]:
    """`getcurrent_start{N}.xml` files of a crawl, in N order."""
    found = [
        (int(m[1]), p)
        for p in directory.glob("getcurrent_start*.xml")
        if (m := re.fullmatch(r"getcurrent_start(\d+)\.xml", p.name))
    ]
    return [p for _, p in sorted(found)]


@lru_cache(maxsize=8)
def _parsed_pages(directory: Path) -> tuple[tuple[FeedEntry, ...], ...]:
    return tuple(parse_feed_document(p.read_bytes()).entries for p in crawl_pages(directory))


def page_entries(directory: Path = ATOM_DIR) -> list[list[FeedEntry]]:
    """Parsed entries of every page of a crawl, page by page (parsed once per directory)."""
    return [list(page) for page in _parsed_pages(directory)]


def crawl_entries(directory: Path = ATOM_DIR) -> list[FeedEntry]:
    """All entries of a crawl in feed order."""
    return [entry for page in _parsed_pages(directory) for entry in page]


def accessions(entries: list[FeedEntry]) -> list[str]:
    """Distinct accession numbers in order of first appearance."""
    return list(dict.fromkeys(entry.accession_number for entry in entries))


class FeedSite:
    """A LocalServer handler acting as EDGAR's getcurrent endpoint over one recorded crawl.

    `start` maps to `getcurrent_start{start}.xml`; a start with no page answers 503 with the
    recorded EDGAR error page, as EDGAR did for start=5100. `directory` may be switched between
    polls to play successive snapshots.
    """

    def __init__(self, directory: Path = ATOM_DIR) -> None:
        self.directory = directory

    def __call__(self, request: Request) -> Reply:
        parts = urlsplit(request.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        if parts.path != "/cgi-bin/browse-edgar" or query.get("action") != ["getcurrent"]:
            return Reply(404, b"not found")
        if query.get("count") != ["100"] or query.get("output") != ["atom"]:
            return Reply(400, b"unexpected query")
        page = self.directory / f"getcurrent_start{int(query['start'][0])}.xml"
        if not page.exists():
            return Reply(503, UNAVAILABLE_PAGE.read_bytes(), {"Content-Type": "text/html"})
        return Reply(200, page.read_bytes(), {"Content-Type": "application/atom+xml"})


def starts_requested(requests: list[Request]) -> list[int]:
    """The `start` parameter of each recorded getcurrent request, in arrival order."""
    return [int(parse_qs(urlsplit(r.path).query)["start"][0]) for r in requests]
