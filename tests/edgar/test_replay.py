"""ReplayFeed: the recorded crawl on a ManualClock, read by the real parser and AtomSource."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sniper.clock import ManualClock
from sniper.edgar.atom import group_filings, parse_feed, parse_feed_document
from sniper.edgar.client import EdgarUnavailable
from sniper.edgar.replay import ReplayFeed, recorded_pages
from sniper.edgar.sources import AtomSource
from tests.edgar._recorded import SNAP_EARLY, accessions, crawl_entries
from tests.support.paths import ATOM_DIR

LAG = timedelta(seconds=30)
EARLIEST = datetime(2025, 12, 11, 21, 31, 54, tzinfo=UTC)  # 16:31:54 ET
LATEST = datetime(2025, 12, 12, 23, 2, 43, tzinfo=UTC)  # 18:02:43 ET


def never_seen(_: str) -> bool:
    return False


def replay_at(instant: datetime, directory: Path = ATOM_DIR) -> tuple[ReplayFeed, ManualClock]:
    clock = ManualClock(instant)
    return ReplayFeed(directory, clock), clock


async def first_page(feed: ReplayFeed) -> list[str]:
    return accessions(parse_feed(await feed.fetch_page(0, 100)))


def test_pages_are_loaded_in_start_order() -> None:
    names = [p.name for p in recorded_pages(SNAP_EARLY)]
    assert names[:3] == [
        "getcurrent_start0.xml",
        "getcurrent_start100.xml",
        "getcurrent_start200.xml",
    ]
    assert names[-1] == "getcurrent_start5000.xml"
    assert len(names) == 51  # the count=40 pages beside them are not part of the crawl


def test_recording_summary() -> None:
    feed, _ = replay_at(LATEST)
    assert feed.earliest_acceptance() == EARLIEST
    assert feed.latest_acceptance() == LATEST
    assert feed.filing_count() == 3315
    assert feed.entry_count() == 5057
    assert feed.duplicates_dropped == 43
    assert feed.entries_skipped == 0


async def test_nothing_is_visible_before_the_first_acceptance_plus_lag() -> None:
    feed, clock = replay_at(EARLIEST + LAG - timedelta(microseconds=1))
    assert parse_feed(await feed.fetch_page(0, 100)) == []
    assert await AtomSource(feed.fetch_page).poll(never_seen) == []
    clock.advance(timedelta(microseconds=1))
    oldest = accessions([e for e in crawl_entries() if e.accepted_at == EARLIEST])
    assert oldest
    assert await first_page(feed) == oldest


async def test_a_filing_appears_exactly_at_acceptance_plus_30_seconds() -> None:
    newest = "0002063236-25-000004"  # accepted 18:02:43 ET
    feed, clock = replay_at(LATEST + LAG - timedelta(milliseconds=1))
    assert newest not in await first_page(feed)
    clock.advance(timedelta(milliseconds=1))
    assert (await first_page(feed))[0] == newest


async def test_upcoming_lists_the_next_filings_soonest_first() -> None:
    feed, clock = replay_at(datetime(2025, 12, 12, 21, 0, tzinfo=UTC))  # 16:00 ET
    upcoming = feed.upcoming(20)
    assert len(upcoming) == 20
    stamps = [f.accepted_at for f in upcoming]
    assert stamps == sorted(stamps)
    assert all(stamp + LAG > clock.now() for stamp in stamps)
    assert len({f.accession_number for f in upcoming}) == 20
    hidden = [e.accepted_at for e in crawl_entries() if e.accepted_at + LAG > clock.now()]
    assert stamps[0] == min(hidden)

    clock.set(upcoming[0].accepted_at + LAG)
    assert upcoming[0].accession_number in await first_page(feed)
    assert upcoming[0].accession_number not in {f.accession_number for f in feed.upcoming(5)}


def test_upcoming_is_empty_once_everything_is_visible() -> None:
    feed, _ = replay_at(LATEST + LAG)
    assert feed.upcoming(10) == []


async def test_full_visibility_reproduces_the_crawl() -> None:
    feed, clock = replay_at(LATEST + LAG)
    source = AtomSource(feed.fetch_page)
    filings = await source.poll(never_seen)
    assert filings == group_filings(crawl_entries())
    assert len(filings) == 3315
    assert source.pages_fetched == 51  # 5,057 entries: the 51st page is short, paging ends
    page = parse_feed_document(await feed.fetch_page(0, 100))
    assert page.updated == clock.now()


@pytest.mark.parametrize("directory", [ATOM_DIR, SNAP_EARLY], ids=["crawl", "snap-180234"])
async def test_rendered_pages_never_repeat_an_entry(directory: Path) -> None:
    feed, _ = replay_at(LATEST + LAG, directory)
    rendered = []
    for start in range(0, 5100, 100):
        rendered += parse_feed(await feed.fetch_page(start, 100))
    keys = Counter((e.accession_number, e.cik, e.role) for e in rendered)
    assert keys.most_common(1)[0][1] == 1
    assert len(rendered) == feed.entry_count()


async def test_past_max_start_answers_like_edgar() -> None:
    feed, _ = replay_at(LATEST + LAG)
    with pytest.raises(EdgarUnavailable) as caught:
        await feed.fetch_page(5100, 100)
    assert caught.value.status == 503
    assert await AtomSource(feed.fetch_page, max_start=10_000).poll(never_seen)


async def test_polling_through_the_day_detects_each_filing_once() -> None:
    feed, clock = replay_at(EARLIEST)
    source = AtomSource(feed.fetch_page)
    seen: list[str] = []
    seen_set: set[str] = set()
    while clock.now() <= LATEST + LAG:
        for filing in await source.poll(seen_set.__contains__):
            assert filing.accepted_at + LAG <= clock.now()
            seen.append(filing.accession_number)
            seen_set.add(filing.accession_number)
        clock.advance(timedelta(minutes=15))
    for filing in await source.poll(seen_set.__contains__):
        seen.append(filing.accession_number)
    assert len(seen) == len(set(seen)) == 3315
    assert set(seen) == set(accessions(crawl_entries()))


def test_directory_without_pages_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        ReplayFeed(tmp_path, ManualClock(EARLIEST))
