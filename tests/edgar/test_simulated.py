"""SimulatedEdgar: EDGAR's feed, Archives, submissions and rate limit on a ManualClock, over
ASGI and a real local HTTP server."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from sniper.edgar import sgml
from sniper.edgar.atom import parse_feed_document
from sniper.edgar.replay import load_crawl
from sniper.edgar.simulated import SimulatedEdgar, crawl_day, publish
from tests.edgar.sim_support import (
    FEED,
    FORM4,
    SCHEDULE,
    T0,
    clock_of,
    feed,
    recorded_lags,
    serve_simulated,
    sim_filing,
    simulated,
)
from tests.support.paths import ATOM_DIR, SHARED_EDGAR

ACCESS_DENIED = SHARED_EDGAR / "errors/archives_nonexistent_full-index_2099_QTR1_form.gz.403.0.xml"
THRESHOLD_PAGE = SHARED_EDGAR / "errors/sec_rate_threshold_exceeded.html"
UNAVAILABLE_PAGE = ATOM_DIR / "getcurrent_start5100.503.html"


def archives(
    sim: SimulatedEdgar, cik: int, accession: str, name: str = "-index-headers.html"
) -> httpx.Response:
    path = f"/Archives/edgar/data/{cik}/{accession.replace('-', '')}/{accession}{name}"
    reply = sim.respond("GET", path)
    return httpx.Response(reply.status, content=reply.body, headers=reply.headers)


# --- Archives -----------------------------------------------------------------------------------


def test_archives_is_access_denied_until_archives_at_then_serves_the_header() -> None:
    filing = sim_filing("0000002488-25-000179", T0, 28, 1, FORM4, form="4")
    sim = simulated(filing)
    before = archives(sim, 2488, filing.accession_number)
    assert before.status_code == 403
    assert before.headers["Content-Type"] == "application/xml"
    assert before.content == ACCESS_DENIED.read_bytes()
    clock_of(sim).set(filing.archives_at - timedelta(microseconds=1))
    assert archives(sim, 2488, filing.accession_number).status_code == 403
    clock_of(sim).set(filing.archives_at)
    page = archives(sim, 1405109, filing.accession_number)
    assert (page.status_code, page.headers["Content-Type"]) == (200, "text/html")
    header = sgml.parse_header(page.content)
    assert (header.accession_number, header.form_type, header.accepted_at) == (
        "0000002488-25-000179", "4", T0,
    )  # fmt: skip
    assert [(e.role, e.cik, e.name) for e in header.entities] == [
        ("Reporting", 1405109, "Su Lisa T"),
        ("Issuer", 2488, "ADVANCED MICRO DEVICES INC"),
    ]
    assert b"<ACCEPTANCE-DATETIME>20251212160000\n" in page.content  # ET, in the SGML comment
    assert (
        b"<REPORTING-OWNER>\n<OWNER-DATA>\n<CONFORMED-NAME>Su Lisa T\n<CIK>0001405109"
        in page.content
    )


def test_archives_index_and_txt_serve_the_header_too_but_only_under_an_entity_cik() -> None:
    filing = sim_filing("0002052113-25-002079", T0, 20, 0, SCHEDULE, form="SCHEDULE 13G")
    sim = simulated(filing, start=T0 + timedelta(minutes=5))
    for name, kind in (("-index.htm", "text/html"), (".txt", "text/plain")):
        reply = archives(sim, 1100663, filing.accession_number, name)
        assert (reply.status_code, reply.headers["Content-Type"]) == (200, kind)
        header = sgml.parse_header(reply.content)
        assert [(e.role, e.name) for e in header.entities] == [
            ("Subject", "AT&T INC."), ("Filed by", "X"),
        ]  # fmt: skip
    assert archives(sim, 320193, filing.accession_number).status_code == 403  # not its CIK
    assert archives(sim, 1100663, filing.accession_number, "-primary.xml").status_code == 403
    assert archives(sim, 1100663, "0002052113-25-009999").status_code == 403  # unknown


# --- the feed -----------------------------------------------------------------------------------


def test_feed_shows_a_filing_from_feed_at_in_acceptance_order_late_insertion() -> None:
    slow = sim_filing("0000320193-25-000001", T0, 30, 75)  # accepted first, feed at +105 s
    fast = sim_filing("0001405109-25-000002", T0 + timedelta(seconds=10), 20, 0, FORM4, "4")
    sim = simulated(slow, fast)
    assert feed(sim) == []
    clock_of(sim).set(fast.feed_at)
    assert [e.accession_number for e in feed(sim)] == [fast.accession_number] * 2
    clock_of(sim).set(slow.feed_at - timedelta(microseconds=1))
    assert len(feed(sim)) == 2
    clock_of(sim).set(slow.feed_at)
    entries = feed(sim)
    assert [(e.accession_number, e.form_type, e.accepted_at, e.cik, e.role) for e in entries] == [
        (fast.accession_number, "4", fast.accepted_at, 1405109, "Reporting"),
        (fast.accession_number, "4", fast.accepted_at, 2488, "Issuer"),
        (slow.accession_number, "8-K", T0, 320193, "Filer"),  # appeared last, listed below
    ]
    assert entries[2].index_url == (
        "https://www.sec.gov/Archives/edgar/data/320193/000032019325000001/0000320193-25-000001-index.htm"
    )
    clock_of(sim).set(T0)  # the clock moved back: the feed is empty again
    assert feed(sim) == []


def test_feed_ties_order_by_accession_descending_and_escapes_names() -> None:
    low = sim_filing("0000000001-25-000001", T0, 20, 0, SCHEDULE, "SC 13G")
    high = sim_filing("0000000001-25-000002", T0, 25, 0)
    sim = simulated(low, high, start=T0 + timedelta(minutes=1))
    entries = feed(sim)
    assert [e.accession_number for e in entries] == [high.accession_number] + [
        low.accession_number
    ] * 2
    assert [(e.company_name, e.role) for e in entries[1:]] == [
        ("AT&T INC.", "Subject"),
        ("X", "Filed by"),
    ]


def test_feed_serves_the_recorded_entries_and_slices_over_entries() -> None:
    day = publish(crawl_day(ATOM_DIR), recorded_lags(), seed=11)
    sim = simulated(*day, start=datetime(2025, 12, 12, 23, 10, tzinfo=UTC), max_rps=1e9)
    top = feed(sim, 0, 100)
    assert len(top) == 100
    pages = feed(sim, 0, 20) + feed(sim, 20, 40) + feed(sim, 60, 40)
    assert pages == top
    keys = [(e.accepted_at, e.accession_number) for e in top]
    assert keys == sorted(keys, reverse=True)
    deepest = feed(sim, 5000, 100)
    assert 0 < len(deepest) <= 100
    recorded = {r.raw for r in load_crawl(ATOM_DIR).entries}
    reply = sim.respond("GET", FEED.format(count=10, start=0, type=""))
    assert sum(raw in reply.body for raw in recorded) == 10  # recorded bytes served as they are


def test_feed_type_is_a_prefix_match_on_the_form() -> None:
    forms = ("4", "424B2", "8-K", "S-4")
    filings = [
        sim_filing(f"0000320193-25-00000{i}", T0 + timedelta(seconds=i), 20, 0, form=form)
        for i, form in enumerate(forms)
    ]
    sim = simulated(*filings, start=T0 + timedelta(minutes=1))
    assert [e.form_type for e in feed(sim, form="4")] == ["424B2", "4"]
    assert [e.form_type for e in feed(sim, form="s-")] == ["S-4"]
    assert len(feed(sim)) == 4


def test_feed_rejects_a_bad_count_and_answers_503_past_its_end() -> None:
    sim = simulated(sim_filing("0000320193-25-000001", T0, 20, 0), start=T0 + timedelta(hours=1))
    bad = sim.respond("GET", FEED.format(count=15, start=0, type=""))
    assert (bad.status, bad.headers["Content-Type"]) == (400, "text/plain")
    assert b"10, 20, 40, 80 or 100" in bad.body
    past = sim.respond("GET", FEED.format(count=100, start=5100, type=""))
    assert (past.status, past.body) == (503, UNAVAILABLE_PAGE.read_bytes())
    assert past.headers["Content-Type"] == "text/html"
    assert feed(sim, 5000, 100) == []


# --- submissions, other routes ------------------------------------------------------------------


def test_submissions_lists_a_filing_from_feed_at_newest_first() -> None:
    older = sim_filing("0000320193-25-000001", T0, 20, 5)
    newer = sim_filing("0000320193-25-000002", T0 + timedelta(minutes=1), 20, 40)
    sim = simulated(older, newer)
    missing = sim.respond("GET", "/submissions/CIK0000320193.json")
    assert (missing.status, missing.headers["Content-Type"]) == (404, "application/xml")
    assert b"<Code>NoSuchKey</Code>" in missing.body
    assert b"<Key>submissions/CIK0000320193.json</Key>" in missing.body
    clock_of(sim).set(older.feed_at)
    listed = json.loads(sim.respond("GET", "/submissions/CIK0000320193.json").body)
    assert listed["filings"]["recent"]["accessionNumber"] == [older.accession_number]
    clock_of(sim).set(newer.feed_at)
    reply = sim.respond("GET", "/submissions/CIK0000320193.json")
    assert (reply.status, reply.headers["Content-Type"]) == (200, "application/json")
    document = json.loads(reply.body)
    assert (document["cik"], document["name"], document["tickers"]) == (
        "0000320193",
        "Apple Inc.",
        [],
    )
    recent = document["filings"]["recent"]
    assert recent["accessionNumber"] == [newer.accession_number, older.accession_number]
    assert recent["acceptanceDateTime"] == ["2025-12-12T21:01:00.000Z", "2025-12-12T21:00:00.000Z"]
    assert recent["filingDate"] == ["2025-12-12", "2025-12-12"]
    assert recent["form"] == ["8-K", "8-K"]
    assert recent["primaryDocument"] == ["", ""]


def test_unknown_paths_are_404_and_other_methods_405() -> None:
    sim = simulated()
    assert sim.respond("GET", "/cgi-bin/browse-edgar?action=getcompany&CIK=320193").status == 404
    assert sim.respond("GET", "/files/company_tickers.json").status == 404
    assert sim.respond("POST", "/submissions/CIK0000320193.json").status == 405


# --- SEC's rate limit ---------------------------------------------------------------------------


def test_the_eleventh_request_in_a_second_is_blocked_for_ten_minutes() -> None:
    filing = sim_filing("0000320193-25-000001", T0 - timedelta(hours=1), 20, 0)
    sim = simulated(filing)
    path = "/submissions/CIK0000320193.json"
    statuses = []
    for _ in range(11):
        statuses.append(sim.respond("GET", path).status)
        clock_of(sim).advance(0.09)  # 11 requests within 0.9 s
    assert statuses == [200] * 10 + [403]
    assert sim.threshold_hits == 1
    assert sim.blocked_until == T0 + timedelta(seconds=0.9, minutes=10)
    clock_of(sim).set(T0 + timedelta(minutes=9, seconds=59))
    blocked = sim.respond("GET", FEED.format(count=20, start=0, type=""))
    assert (blocked.status, blocked.body) == (403, THRESHOLD_PAGE.read_bytes())
    assert blocked.headers["Content-Type"] == "text/html"
    clock_of(sim).set(sim.blocked_until)
    assert sim.respond("GET", path).status == 200
    assert sim.threshold_hits == 1
    assert sim.peak_requests_per_second() == 11


def test_ten_requests_per_second_are_never_blocked() -> None:
    sim = simulated()
    for _ in range(50):
        assert sim.respond("GET", FEED.format(count=20, start=0, type="")).status == 200
        clock_of(sim).advance(0.1)
    assert (sim.threshold_hits, sim.blocked_until) == (0, None)
    assert sim.peak_requests_per_second() == 10
    assert sim.requests[0] == (T0, FEED.format(count=20, start=0, type=""))


def test_block_now_forces_the_threshold_page() -> None:
    sim = simulated()
    sim.block_now()
    assert sim.respond("GET", "/anything").body == THRESHOLD_PAGE.read_bytes()
    clock_of(sim).advance(timedelta(minutes=10))
    assert sim.respond("GET", "/anything").status == 404


# --- over HTTP ----------------------------------------------------------------------------------


async def test_end_to_end_through_asgi_transport() -> None:
    filing = sim_filing("0000002488-25-000179", T0, 28, 1, FORM4, form="4")
    sim = simulated(filing, start=T0 + timedelta(minutes=1))
    transport = httpx.ASGITransport(app=sim.asgi)
    async with httpx.AsyncClient(transport=transport, base_url="https://www.sec.gov") as client:
        page = await client.get(
            "/cgi-bin/browse-edgar",
            params={"action": "getcurrent", "count": 20, "start": 0, "type": "", "output": "atom"},
        )
        folder = "/Archives/edgar/data/2488/000000248825000179"
        header = await client.get(f"{folder}/0000002488-25-000179-index-headers.html")
        early = await client.get(f"{folder}/0000002488-25-000180-index-headers.html")
        submissions = await client.get("https://data.sec.gov/submissions/CIK0000002488.json")
        post = await client.post("/submissions/CIK0000002488.json")
    assert page.status_code == 200
    assert [e.role for e in parse_feed_document(page.content).entries] == ["Reporting", "Issuer"]
    assert sgml.parse_header(header.content).accession_number == filing.accession_number
    assert early.status_code == 403
    assert submissions.json()["filings"]["recent"]["form"] == ["4"]
    assert post.status_code == 405
    assert [path.split("?")[0] for _, path in sim.requests][:2] == [
        "/cgi-bin/browse-edgar", f"{folder}/0000002488-25-000179-index-headers.html",
    ]  # fmt: skip


def test_end_to_end_through_a_local_http_server() -> None:
    filing = sim_filing("0000002488-25-000179", T0, 28, 1, FORM4, form="4")
    sim = simulated(filing, start=T0 + timedelta(minutes=1))
    with serve_simulated(sim) as server, httpx.Client(base_url=server.url) as client:
        page = client.get(FEED.format(count=40, start=0, type=""))
        header = client.get(
            "/Archives/edgar/data/1405109/000000248825000179/0000002488-25-000179.txt"
        )
        bad = client.get(FEED.format(count=15, start=0, type=""))
    assert [e.cik for e in parse_feed_document(page.content).entries] == [1405109, 2488]
    assert header.headers["content-type"] == "text/plain"
    assert sgml.parse_header(header.content).form_type == "4"
    assert bad.status_code == 400
    assert len(server.requests) == len(sim.requests) == 3


def test_page_zero_stays_cheap_over_a_whole_recorded_day() -> None:
    day = publish(crawl_day(ATOM_DIR), recorded_lags(), seed=3)
    start = min(f.feed_at for f in day)
    sim = simulated(*day, start=start, max_rps=1e9)
    path = FEED.format(count=20, start=0, type="")
    began = time.perf_counter()
    for _ in range(2000):
        clock_of(sim).advance(47)  # the whole day in 2,000 polls
        assert sim.respond("GET", path).status == 200
    assert time.perf_counter() - began < 2.0  # ~0.05 ms each when idle; 1 ms is the budget
    assert len(feed(sim, 0, 100)) == 100


def test_repeated_accessions_are_refused_and_first_public_is_exposed() -> None:
    filing = sim_filing("0000320193-25-000001", T0, 28, -1)
    with pytest.raises(ValueError, match="repeated"):
        simulated(filing, replace(filing, form_type="8-K/A"))
    sim = simulated(filing)
    assert sim.first_public(filing.accession_number) == T0 + timedelta(seconds=27)
    assert sim.by_accession[filing.accession_number] is sim.filings[0]
