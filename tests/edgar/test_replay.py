"""The recorded crawl as replay mode loads it, and the simulated feed it plays (read by the
real parser and AtomSource)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sniper.clock import ManualClock
from sniper.edgar.replay import load_crawl, recorded_pages
from sniper.edgar.simulated import SimulatedEdgar, crawl_day, publish
from sniper.edgar.sources import AtomSource
from tests.edgar._recorded import SNAP_EARLY, crawl_entries
from tests.edgar.sim_support import FEED, recorded_lags
from tests.support.paths import ATOM_DIR

EARLIEST = datetime(2025, 12, 11, 21, 31, 54, tzinfo=UTC)  # 16:31:54 ET
LATEST = datetime(2025, 12, 12, 23, 2, 43, tzinfo=UTC)  # 18:02:43 ET


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
    crawl = load_crawl(ATOM_DIR)
    stamps = [r.entry.accepted_at for r in crawl.entries]
    assert (min(stamps), max(stamps)) == (EARLIEST, LATEST)
    assert len({r.entry.accession_number for r in crawl.entries}) == 3315
    assert (len(crawl.entries), crawl.duplicates_dropped, crawl.entries_skipped) == (5057, 43, 0)


def test_directory_without_pages_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_crawl(tmp_path)


async def test_the_replayed_day_read_through_the_feed_is_the_recorded_crawl() -> None:
    clock = ManualClock(LATEST + timedelta(minutes=3))  # past every lag: all is public
    filings = publish(crawl_day(ATOM_DIR), recorded_lags(), seed=0)
    sim = SimulatedEdgar(filings, clock, max_rps=1000)  # 51 pages read at one instant

    async def fetch(start: int, count: int) -> bytes:
        reply = sim.respond("GET", FEED.format(count=count, start=start, type=""))
        assert reply.status == 200
        return reply.body

    source = AtomSource(fetch, page_size=100)
    filings = await source.poll(lambda accession: False)
    assert Counter(f.accession_number for f in filings) == Counter(
        {e.accession_number: 1 for e in crawl_entries()}
    )
    assert source.pages_fetched == 51
