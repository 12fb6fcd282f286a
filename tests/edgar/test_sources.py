"""AtomSource over a local EDGAR stand-in serving the recorded getcurrent crawls."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from sniper.edgar.atom import DetectedFiling, FeedParseError, group_filings
from sniper.edgar.client import EdgarUnavailable, SecClient
from sniper.edgar.sources import AtomSource, PageFetcher, live_page_fetcher
from tests.edgar._recorded import (
    SNAP_EARLY,
    SNAP_LATE,
    USER_AGENT,
    FeedSite,
    accessions,
    crawl_entries,
    starts_requested,
)
from tests.support.http_server import LocalServer, Reply
from tests.support.paths import ATOM_DIR


async def no_wait(_: float) -> None:
    """Injected backoff sleep: retries happen without real waiting."""


@pytest.fixture(scope="module")
def shared_server() -> Iterator[LocalServer]:
    with LocalServer(FeedSite(ATOM_DIR)) as server:
        yield server


@pytest.fixture
def site(shared_server: LocalServer) -> tuple[LocalServer, FeedSite]:
    """The module's EDGAR stand-in, reset to serve the 18:03:31 crawl with no requests yet."""
    feed = FeedSite(ATOM_DIR)
    shared_server.handler = feed
    shared_server.requests.clear()
    return shared_server, feed


@pytest.fixture
async def fetcher(site: tuple[LocalServer, FeedSite]) -> AsyncIterator[PageFetcher]:
    server, _ = site
    async with httpx.AsyncClient(timeout=10.0) as http:
        client = SecClient(http, user_agent=USER_AGENT, max_rps=1000, sleep=no_wait)
        yield live_page_fetcher(client, server.url + "/")


def never_seen(_: str) -> bool:
    return False


async def test_first_poll_returns_the_whole_crawl(
    site: tuple[LocalServer, FeedSite], fetcher: PageFetcher
) -> None:
    server, _ = site
    source = AtomSource(fetcher)
    filings = await source.poll(never_seen)
    assert filings == group_filings(crawl_entries(ATOM_DIR))
    assert len(filings) == 3315
    assert starts_requested(server.requests) == list(range(0, 5001, 100))
    assert (source.polls, source.pages_fetched, source.entries_seen) == (1, 51, 5100)
    request = server.requests[0]
    assert request.path == (
        "/cgi-bin/browse-edgar?action=getcurrent&count=100&start=0&type=&owner=include&output=atom"
    )
    assert request.headers["user-agent"] == USER_AGENT


async def test_edgar_503_past_the_last_page_ends_paging(
    site: tuple[LocalServer, FeedSite], fetcher: PageFetcher
) -> None:
    server, _ = site
    source = AtomSource(fetcher, max_start=10_000)
    filings = await source.poll(never_seen)
    assert len(filings) == 3315
    starts = starts_requested(server.requests)
    assert set(starts) == {*range(0, 5001, 100), 5100}  # 5100 answered 503 (retried)
    assert source.pages_fetched == 51


async def test_503_on_the_first_page_is_an_error(site: tuple[LocalServer, FeedSite]) -> None:
    server, _ = site
    server.handler = lambda _: Reply(503, b"down")
    async with httpx.AsyncClient() as http:
        client = SecClient(http, user_agent=USER_AGENT, max_rps=1000, sleep=no_wait)
        with pytest.raises(EdgarUnavailable):
            await AtomSource(live_page_fetcher(client, server.url)).poll(never_seen)


async def test_503_inside_the_feed_fails_the_poll(
    site: tuple[LocalServer, FeedSite], fetcher: PageFetcher
) -> None:
    """Ending quietly at page 3 would mark pages 0-2 seen and never read pages 4-50."""
    server, _ = site
    serve_recorded = server.handler
    server.handler = lambda r: Reply(503, b"busy") if "start=300&" in r.path else serve_recorded(r)
    with pytest.raises(EdgarUnavailable):
        await AtomSource(fetcher).poll(never_seen)


async def test_html_instead_of_atom_raises(site: tuple[LocalServer, FeedSite]) -> None:
    server, _ = site
    server.handler = lambda _: Reply(200, b"<html><body>Undeclared tool</body></html>")
    async with httpx.AsyncClient() as http:
        client = SecClient(http, user_agent=USER_AGENT, max_rps=1000, sleep=no_wait)
        with pytest.raises(FeedParseError):
            await AtomSource(live_page_fetcher(client, server.url)).poll(never_seen)


async def test_incremental_polls_over_three_snapshots(
    site: tuple[LocalServer, FeedSite], fetcher: PageFetcher
) -> None:
    server, feed = site
    source = AtomSource(fetcher)
    seen: set[str] = set()

    async def poll() -> list[DetectedFiling]:
        server.requests.clear()
        found = await source.poll(seen.__contains__)
        assert not seen & {f.accession_number for f in found}
        seen.update(f.accession_number for f in found)
        return found

    feed.directory = SNAP_EARLY  # 18:02:34 ET
    first = await poll()
    assert [f.accession_number for f in first] == accessions(crawl_entries(SNAP_EARLY))

    feed.directory = ATOM_DIR  # 18:03:31 ET: five filings arrived
    previous = set(accessions(crawl_entries(SNAP_EARLY)))
    expected = [a for a in accessions(crawl_entries(ATOM_DIR)) if a not in previous]
    assert expected == [
        "0002063236-25-000004",
        "0001572985-25-000003",
        "0001702455-25-000007",
        "0001700538-25-000015",
        "0001700537-25-000015",
    ]
    second = await poll()
    assert [f.accession_number for f in second] == expected
    assert starts_requested(server.requests) == [0, 100]
    assert second[0].ciks_for(frozenset({"Issuer"})) == {1673743}  # Hinge Health

    feed.directory = SNAP_LATE  # 18:03:44 ET: nothing new arrived in those 13 s
    third = await poll()
    assert third == []
    assert starts_requested(server.requests) == [0]
    assert source.polls == 3


async def test_poll_never_uses_timestamps(
    site: tuple[LocalServer, FeedSite], fetcher: PageFetcher
) -> None:
    # Everything on the first page seen except one filing deep in it: that filing is returned
    # even though newer filings (by timestamp) were already seen.
    server, _ = site
    page0 = accessions(crawl_entries(ATOM_DIR)[:100])
    target = page0[-2]
    all_accessions = set(accessions(crawl_entries(ATOM_DIR)))
    seen = all_accessions - {target}
    found = await AtomSource(fetcher).poll(seen.__contains__)
    assert [f.accession_number for f in found] == [target]
    assert starts_requested(server.requests) == [0, 100]


async def test_accession_split_across_pages_is_one_filing(fetcher: PageFetcher) -> None:
    entries = crawl_entries(ATOM_DIR)
    # the first page boundary an accession straddles (14 of the 50 boundaries do)
    edge = next(
        end
        for end in range(100, len(entries), 100)
        if entries[end - 1].accession_number == entries[end].accession_number
    )
    split = entries[edge].accession_number
    unseen = set(accessions(entries[: edge + 100]))
    found = await AtomSource(fetcher).poll(lambda a: a not in unseen)
    assert [f.accession_number for f in found] == accessions(entries[: edge + 100])
    filing = next(f for f in found if f.accession_number == split)
    expected = {(e.cik, e.role) for e in entries if e.accession_number == split}
    assert {(e.cik, e.role) for e in filing.entities} == expected
    assert [f.accession_number for f in found].count(split) == 1


@pytest.mark.parametrize("size", [0, 25, 50, 101])
def test_page_size_must_be_one_edgar_accepts(size: int) -> None:
    async def fetch(start: int, count: int) -> bytes:
        raise AssertionError("not called")

    with pytest.raises(ValueError, match="page_size"):
        AtomSource(fetch, page_size=size)


async def test_short_page_is_the_last(
    fetcher: PageFetcher, site: tuple[LocalServer, FeedSite]
) -> None:
    server, _ = site
    first_page = (ATOM_DIR / "getcurrent_start0.xml").read_bytes()
    cut = first_page[: first_page.index(b"<entry>", first_page.index(b"<entry>") + 1)]
    server.handler = lambda _: Reply(200, cut + b"</feed>\n")
    found = await AtomSource(fetcher).poll(never_seen)
    assert [f.accession_number for f in found] == ["0002063236-25-000004"]
    assert len(server.requests) == 1
