"""The recorded 13F submissions placed into the replayed day and served by the simulated EDGAR
under their real Archives paths (`sim_documents`)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sniper.clock import ManualClock
from sniper.edgar import sgml
from sniper.edgar.sim_documents import DEMO_OFFSET, DEMO_SPACING, place_submissions
from sniper.edgar.sim_filings import LagModel, crawl_day, publish
from sniper.edgar.simulated import SimulatedEdgar
from tests.support.paths import ATOM_DIR, SHARED_EDGAR, TIMING_PATH

SUBMISSIONS = SHARED_EDGAR / "13f/full_submission"
METLIFE = "0001140361-23-013281"


def test_submissions_are_placed_after_the_first_acceptance_and_spread() -> None:
    day = crawl_day(ATOM_DIR)
    placed = place_submissions(SUBMISSIONS, day)
    first = min(f.accepted_at for f in day)
    added = [f for f in placed.day if f.accession_number in placed.documents]
    assert len(placed.day) == len(day) + 4 == len(day) + len(added)
    assert [f.accession_number for f in added] == [
        METLIFE, "0001619124-21-000002", "0001951757-25-000093", "0001894188-23-000007",
    ]  # fmt: skip
    assert [f.accepted_at - first for f in added] == [
        DEMO_OFFSET + DEMO_SPACING * i for i in range(4)
    ]
    assert [(e.cik, e.role) for e in added[0].entities] == [(1099219, "Filer")]
    header = sgml.parse_header(placed.documents[METLIFE])
    assert header.accepted_at == added[0].accepted_at  # re-stamped to the placed time
    assert header.filing_date == added[0].accepted_at.date()  # 18:31 ET: still that day


def test_the_simulated_edgar_serves_the_recorded_submission_once_published() -> None:
    placed = place_submissions(SUBMISSIONS, crawl_day(ATOM_DIR))
    filings = publish(placed.day, LagModel.recorded(TIMING_PATH), seed=0)
    metlife = next(f for f in filings if f.accession_number == METLIFE)
    clock = ManualClock(metlife.archives_at - timedelta(seconds=1))
    sim = SimulatedEdgar(filings, clock, documents=placed.documents)
    path = f"/Archives/edgar/data/1099219/{METLIFE.replace('-', '')}/{METLIFE}.txt"
    assert sim.respond("GET", path).status == 403  # not published yet: AccessDenied
    clock.set(max(metlife.archives_at, metlife.feed_at))
    reply = sim.respond("GET", path)
    assert (reply.status, reply.body) == (200, placed.documents[METLIFE])
    documents = [d.type for d in sgml.iter_documents(reply.body)]
    assert documents == ["13F-HR", "INFORMATION TABLE"]
    feed = sim.respond("GET", "/cgi-bin/browse-edgar?action=getcurrent&count=100&output=atom")
    assert METLIFE.encode() in feed.body


def test_a_directory_without_submissions_places_nothing(tmp_path: Path) -> None:
    day = crawl_day(ATOM_DIR)
    placed = place_submissions(tmp_path, day)
    assert (len(placed.day), placed.documents) == (len(day), {})
