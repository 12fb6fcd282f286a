"""The simulator's inputs: the measured lags, the two recorded days, and `publish`."""

from __future__ import annotations

import re
import statistics
from datetime import UTC, date, datetime, timedelta

from sniper.edgar.atom import FilingEntity
from sniper.edgar.replay import load_crawl
from sniper.edgar.sim_filings import datamule_entities
from sniper.edgar.simulated import (
    LagModel,
    RecordedFiling,
    crawl_day,
    datamule_day,
    parse_datamule_log,
    publish,
)
from tests.edgar.sim_support import APPLE, T0, feed, recorded_lags, simulated
from tests.support.paths import ATOM_DIR, SHARED_EDGAR

DATAMULE_LOG = SHARED_EDGAR / "timing/datamule_rss_receive_log_2025-05-05.txt"


def test_lag_model_holds_the_recorded_lags() -> None:
    lags = recorded_lags()
    assert len(lags.archives) == len(lags.feed) == 100
    assert (min(lags.archives), max(lags.archives), statistics.median(lags.archives)) == (
        18,
        43,
        28,
    )
    assert (min(lags.feed), max(lags.feed), statistics.median(lags.feed)) == (-1, 75, 1)


def test_publish_is_reproducible_from_a_seed_and_within_the_recorded_ranges() -> None:
    day = crawl_day(ATOM_DIR)[:300]
    first, again = publish(day, recorded_lags(), seed=7), publish(day, recorded_lags(), seed=7)
    assert first == again
    assert publish(day, recorded_lags(), seed=8) != first
    assert [f.accession_number for f in first] == sorted(f.accession_number for f in day)
    for filing in first:
        archives_lag = (filing.archives_at - filing.accepted_at).total_seconds()
        feed_lag = (filing.feed_at - filing.archives_at).total_seconds()
        assert 18 <= archives_lag <= 43
        assert -1 <= feed_lag <= 75
        assert filing.first_public == min(filing.archives_at, filing.feed_at)


def test_publish_shift_moves_every_instant_and_redates_recorded_entries() -> None:
    day = crawl_day(ATOM_DIR)[:80]
    shift = timedelta(days=3, hours=2)
    plain = publish(day, recorded_lags(), seed=1)
    moved = publish(day, recorded_lags(), seed=1, shift=shift)
    for before, after in zip(plain, moved, strict=True):
        assert after.accepted_at == before.accepted_at + shift
        assert (after.archives_at, after.feed_at) == (
            before.archives_at + shift,
            before.feed_at + shift,
        )
    sim = simulated(*moved, start=max(f.feed_at for f in moved))
    by_accession = {f.accession_number: f for f in moved}
    shown = feed(sim)
    assert len(shown) == 100
    assert all(e.accepted_at == by_accession[e.accession_number].accepted_at for e in shown)
    filed = re.compile(rb"Filed:&lt;/b&gt; (\d{4}-\d{2}-\d{2})")
    old, new = plain[0].raw_entries[0], moved[0].raw_entries[0]
    old_day = date.fromisoformat(filed.findall(old)[0].decode())
    assert filed.findall(new) == [(old_day + timedelta(days=3)).isoformat().encode()]


def test_crawl_day_keeps_every_filing_with_its_recorded_entries() -> None:
    day = crawl_day(ATOM_DIR)
    assert len(day) == 3315
    assert day[0].accepted_at == datetime(2025, 12, 11, 21, 31, 54, tzinfo=UTC)  # 16:31:54 ET
    assert day[-1].accepted_at == datetime(2025, 12, 12, 23, 2, 43, tzinfo=UTC)  # 18:02:43 ET
    assert sum(len(f.raw_entries) for f in day) == len(load_crawl(ATOM_DIR).entries)
    newest = day[-1]
    assert newest.accession_number == "0002063236-25-000004"
    assert [(e.cik, e.role) for e in newest.entities] == [
        (2063236, "Reporting"),
        (1673743, "Issuer"),
    ]


def test_datamule_day_parses_the_receive_log() -> None:
    day = datamule_day(DATAMULE_LOG)
    assert len(day) == 1630
    second = day[1]  # Submission Type: 13F-HR, Accession: 205351025000002, CIKs: ['830588'] ...
    assert (second.accession_number, second.form_type) == ("0002053510-25-000002", "13F-HR")
    assert second.accepted_at == datetime(2025, 5, 5, 19, 26, 47, tzinfo=UTC)  # 15:27:17 EDT - 30 s
    assert second.entities == (FilingEntity(830588, "CIK 830588", "Filer"),)
    baxter = next(f for f in day if f.accession_number == "0000058492-25-000308")
    assert [(e.cik, e.role) for e in baxter.entities] == [(58492, "Issuer"), (1876463, "Reporting")]


def test_datamule_log_skips_and_counts_malformed_lines() -> None:
    good = (
        "Submission Type: SCHEDULE 13G, Accession: 110465925044500, "
        "CIKs: ['1557746', '1273087'], received_time: 2025-05-05 16:00:52 EDT"
    )
    lines = [
        good,
        "garbage",
        good,
        "Submission Type: 4, Accession: 1, CIKs: [], received_time: 2025-05-05 16:00:52 EDT",
        "",
    ]
    filings, malformed = parse_datamule_log(lines)
    assert malformed == 3  # garbage, the repeated accession, no CIK
    assert [(e.cik, e.role) for e in filings[0].entities] == [
        (1557746, "Subject"),
        (1273087, "Filed by"),
    ]


def test_datamule_roles_rule() -> None:
    assert [e.role for e in datamule_entities("4", [1876463, 58492])] == ["Issuer", "Reporting"]
    assert datamule_entities("4/A", [1876463, 58492])[0].cik == 58492
    assert [e.role for e in datamule_entities("4", [2003773])] == ["Reporting"]
    assert [e.role for e in datamule_entities("144", [1964789, 1875667])] == [
        "Subject",
        "Reporting",
    ]
    assert [e.role for e in datamule_entities("424B2", [1665650, 19617])] == ["Filer", "Filer"]


def test_recorded_filing_defaults_to_synthesized_entries() -> None:
    recorded = RecordedFiling("0000320193-25-000001", "8-K", T0, APPLE)
    (published,) = publish([recorded], LagModel((20.0,), (0.0,)), seed=0)
    sim = simulated(published, start=T0 + timedelta(seconds=20))
    assert [(e.accession_number, e.cik, e.company_name) for e in feed(sim)] == [
        (recorded.accession_number, 320193, "Apple Inc.")
    ]
