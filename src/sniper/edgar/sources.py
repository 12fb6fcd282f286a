"""Detection sources over EDGAR's "Latest Filings" Atom feed (DESIGN "EDGAR access").

`browse-edgar?action=getcurrent&count=N&start=S&output=atom` pages the last ~5,100 feed entries
newest first; `count` must be 10, 20, 40, 80 or 100, and a `start` past the end answers HTTP 503
(recorded `atom/getcurrent_start5100.503.html`). Filings accepted after 17:30 ET keep their evening
timestamp but are dated the next business day, so newness is decided by accession number only.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sniper.edgar.atom import DetectedFiling, FeedEntry, group_filings, parse_feed_document
from sniper.edgar.client import SecClient
from sniper.edgar.errors import EdgarUnavailable

PageFetcher = Callable[[int, int], Awaitable[bytes]]
"""`await fetch(start, count)` -> the bytes of one getcurrent Atom page (live or replayed)."""

PAGE_SIZES = frozenset({10, 20, 40, 80, 100})


def live_page_fetcher(client: SecClient, base_url: str, source: str = "atom") -> PageFetcher:
    """A `PageFetcher` that GETs
    `{base_url}/cgi-bin/browse-edgar?action=getcurrent&count={count}&start={start}&type=&owner=include&output=atom`
    through `client` (rate limit and retries apply) and returns the body bytes. Errors are the
    client's (`EdgarHTTPError`, `EdgarUnavailable`)."""
    root = base_url.rstrip("/")

    async def fetch(start: int, count: int) -> bytes:
        url = (
            f"{root}/cgi-bin/browse-edgar?action=getcurrent&count={count}&start={start}"
            "&type=&owner=include&output=atom"
        )
        response = await client.get(url, source=source)
        return response.content

    return fetch


# The recorded crawl: start=5000 was the last page served, start=5100 answered HTTP 503.
FEED_END_START = 5100


class AtomSource:
    """Incremental poller of the getcurrent feed: `await poll(is_seen)` -> new filings.

    `page_size` is the feed's `count` (10, 20, 40, 80 or 100; `ValueError` otherwise);
    `max_start` the last `start` offset ever requested. Counters: `polls`, `pages_fetched`,
    `entries_seen`, `entries_skipped` (malformed entries), `last_poll_pages`; `last_entries`
    holds every entry the last poll read, seen or not (the prefixes' live heads).
    """

    def __init__(self, fetch_page: PageFetcher, *, page_size: int = 100, max_start: int = 5000):
        if page_size not in PAGE_SIZES:
            raise ValueError(f"page_size must be one of {sorted(PAGE_SIZES)}, got {page_size}")
        if max_start < 0:
            raise ValueError(f"max_start must not be negative, got {max_start}")
        self._fetch_page = fetch_page
        self.page_size = page_size
        self.max_start = max_start
        self.polls = 0
        self.pages_fetched = 0
        self.entries_seen = 0
        self.entries_skipped = 0
        self.last_poll_pages = 0
        self.last_entries: list[FeedEntry] = []

    async def _page(self, start: int) -> tuple[list[FeedEntry], bool] | None:
        """(entries, is_last_page) of the page at `start`, or None when EDGAR answers 503 past
        the feed's end (`start` >= FEED_END_START). A 503 inside the feed is raised: ending the
        poll there would mark the pages before it seen and never read the pages after it."""
        try:
            content = await self._fetch_page(start, self.page_size)
        except EdgarUnavailable as exc:
            if exc.status == 503 and start >= FEED_END_START:
                return None
            raise
        parsed = parse_feed_document(content)
        self.pages_fetched += 1
        self.last_poll_pages += 1
        self.entries_seen += len(parsed.entries)
        self.entries_skipped += parsed.skipped
        return list(parsed.entries), len(parsed.entries) + parsed.skipped < self.page_size

    async def poll(self, is_seen: Callable[[str], bool], depth: int = 0) -> list[DetectedFiling]:
        """Fetch pages 0, 1, ... while a page still holds an accession `is_seen` rejects or the
        first `depth` entries are not read yet (the scheduled deeper re-read: EDGAR orders the
        feed by acceptance time, so a filing reaching it late lands below newer, seen entries);
        stop at a page of only seen accessions past `depth`, a short or empty page, EDGAR's
        end-of-feed 503, or past `max_start`. Returns the unseen filings, one per accession with
        the entities from every page (an accession split across pages is merged), newest first
        as the feed orders them.
        Raises the fetcher's errors (`EdgarUnavailable`, ...) and `FeedParseError`."""
        self.polls += 1
        self.last_poll_pages = 0
        self.last_entries = []
        verdicts: dict[str, bool] = {}
        unseen: list[FeedEntry] = []
        start = 0
        while start <= self.max_start:
            page = await self._page(start)
            if page is None:
                break
            entries, is_last = page
            self.last_entries.extend(entries)
            fresh = [e for e in entries if not self._seen(e.accession_number, is_seen, verdicts)]
            unseen.extend(fresh)
            if is_last or (not fresh and start + self.page_size >= depth):
                break
            start += self.page_size
        return group_filings(unseen)

    @staticmethod
    def _seen(accession: str, is_seen: Callable[[str], bool], verdicts: dict[str, bool]) -> bool:
        """`is_seen(accession)`, asked once per accession per poll."""
        verdict = verdicts.get(accession)
        if verdict is None:
            verdict = verdicts[accession] = is_seen(accession)
        return verdict
