"""Parsing the real recorded getcurrent crawl (51 pages taken 2025-12-12 18:03:31 ET)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest

from sniper.edgar.atom import (
    MATCH_ROLES,
    FeedParseError,
    group_filings,
    parse_feed,
    parse_feed_document,
)
from tests.edgar._recorded import (
    UNAVAILABLE_PAGE,
    accessions,
    crawl_entries,
    crawl_pages,
    page_entries,
)
from tests.support.paths import ATOM_DIR, SHARED_EDGAR

FIRST_PAGE = ATOM_DIR / "getcurrent_start0.xml"


def test_every_page_of_the_crawl_parses_completely() -> None:
    pages = crawl_pages()
    assert len(pages) == 51
    for path in pages:
        parsed = parse_feed_document(path.read_bytes())
        assert len(parsed.entries) == 100, path.name
        assert parsed.skipped == 0, path.name


def test_crawl_holds_3315_filings_in_5100_entries() -> None:
    entries = crawl_entries()
    filings = group_filings(entries)
    assert len(entries) == 5100
    assert len(filings) == 3315
    # 43 entries repeat an (accession, CIK, role) already listed: 42 within a page, 1 that
    # shifted across a page boundary while the crawl ran.
    distinct = {(e.accession_number, e.cik, e.role) for e in entries}
    assert len(distinct) == 5057
    assert sum(len(f.entities) for f in filings) == 5057


def test_roles_seen_in_the_crawl() -> None:
    roles = Counter(entry.role for entry in crawl_entries())
    assert roles == {
        "Filer": 2100,
        "Reporting": 1390,
        "Issuer": 1039,
        "Subject": 476,
        "Filed by": 95,
    }


def test_first_entry_fields_and_utc_conversion() -> None:
    entry = parse_feed(FIRST_PAGE.read_bytes())[0]
    assert entry.accession_number == "0002063236-25-000004"
    assert entry.form_type == "4"
    assert entry.company_name == "Perez Daniel Antonio"
    assert entry.cik == 2063236
    assert entry.role == "Reporting"
    # <updated>2025-12-12T18:02:43-05:00</updated> is 23:02:43 UTC
    assert entry.accepted_at == datetime(2025, 12, 12, 23, 2, 43, tzinfo=UTC)
    assert entry.accepted_at.utcoffset() is not None
    assert entry.accepted_at.tzinfo is UTC
    assert entry.index_url == (
        "https://www.sec.gov/Archives/edgar/data/2063236/000206323625000004/"
        "0002063236-25-000004-index.htm"
    )


def test_crawl_spans_the_manifest_acceptance_window() -> None:
    stamps = [entry.accepted_at for entry in crawl_entries()]
    assert min(stamps) == datetime(2025, 12, 11, 21, 31, 54, tzinfo=UTC)  # 16:31:54 ET
    assert max(stamps) == datetime(2025, 12, 12, 23, 2, 43, tzinfo=UTC)  # 18:02:43 ET
    assert stamps == sorted(stamps, reverse=True)  # newest first


def test_feed_updated_is_the_crawl_time() -> None:
    parsed = parse_feed_document(FIRST_PAGE.read_bytes())
    assert parsed.updated == datetime(2025, 12, 12, 23, 3, 31, tzinfo=UTC)


@pytest.mark.parametrize(
    ("form", "name", "cik", "role"),
    [
        ("6-K", "Premium Catering (Holdings) Ltd", 1998056, "Filer"),
        ("485BXT", "Pruco Life Insurance Co of New Jersey (RILA/MVA)", 2077808, "Filer"),
        ("SCHEDULE 13D/A", "BCPE Watson (DE) BML, LP", 1910890, "Filed by"),
        ("4", "General Atlantic (SPV) GP, LLC", 1793940, "Reporting"),
        ("D", "EquityZen Growth Technology Fund LLC - Series 2203", None, "Filer"),
        ("FWP", "JPMORGAN CHASE & CO", 19617, "Subject"),
    ],
)
def test_names_with_parentheses_dashes_and_ampersands(
    form: str, name: str, cik: int | None, role: str | None
) -> None:
    matches = [e for e in crawl_entries() if e.company_name == name and e.form_type == form]
    assert matches, name
    for entry in matches:
        assert cik is None or entry.cik == cik
        assert role is None or entry.role == role


def test_index_url_points_into_the_entitys_archives_folder() -> None:
    for entry in crawl_entries():
        folder = entry.accession_number.replace("-", "")
        assert entry.index_url.endswith(
            f"/data/{entry.cik}/{folder}/{entry.accession_number}-index.htm"
        )


def test_entries_of_one_accession_agree_on_form_and_acceptance() -> None:
    seen: dict[str, tuple[str, datetime]] = {}
    for entry in crawl_entries():
        first = seen.setdefault(entry.accession_number, (entry.form_type, entry.accepted_at))
        assert first == (entry.form_type, entry.accepted_at), entry.accession_number


def test_group_filings_merges_interleaved_roles() -> None:
    entries = crawl_entries()
    filings = {f.accession_number: f for f in group_filings(entries)}
    # 0001104659-25-120726 (PLUG POWER Form 4) is interleaved with another filing accepted the
    # same second: its Reporting and Issuer entries are not adjacent.
    positions = [i for i, e in enumerate(entries) if e.accession_number == "0001104659-25-120726"]
    assert positions[-1] - positions[0] > len(positions) - 1
    plug = filings["0001104659-25-120726"]
    assert {(e.cik, e.role) for e in plug.entities} == {(2085249, "Reporting"), (1093691, "Issuer")}
    assert plug.ciks_for(MATCH_ROLES) == {1093691}
    assert plug.ciks_for(frozenset({"Reporting"})) == {2085249}


def test_group_filings_orders_by_first_appearance_and_dedupes() -> None:
    entries = crawl_entries()
    filings = group_filings(entries + entries)
    assert [f.accession_number for f in filings] == accessions(entries)
    first = filings[0]
    assert first.accession_number == "0002063236-25-000004"
    assert first.source == "atom"
    assert [(e.name, e.role) for e in first.entities] == [
        ("Perez Daniel Antonio", "Reporting"),
        ("Hinge Health, Inc.", "Issuer"),
    ]


def test_accession_split_across_pages_groups_to_one_filing() -> None:
    pages = page_entries()
    boundary = next(
        i
        for i in range(len(pages) - 1)
        if pages[i][-1].accession_number == pages[i + 1][0].accession_number
    )
    accession = pages[boundary][-1].accession_number
    filing = next(f for f in group_filings(crawl_entries()) if f.accession_number == accession)
    keys = {(e.cik, e.role) for page in pages for e in page if e.accession_number == accession}
    assert {(e.cik, e.role) for e in filing.entities} == keys
    assert len(keys) >= 2


def test_malformed_entries_are_skipped_and_counted() -> None:
    content = FIRST_PAGE.read_bytes()
    broken = (
        content.replace(b"accession-number=0002063236-25-000004", b"accession-number=oops", 1)
        .replace(b"(0001673743) (Issuer)</title>", b"(Issuer)</title>", 1)
        .replace(b"<updated>2025-12-12T18:02:41-05:00</updated>", b"<updated>soon</updated>", 1)
    )
    parsed = parse_feed_document(broken)
    assert parsed.skipped == 3
    assert len(parsed.entries) == 97
    assert len(parse_feed(broken)) == 97


def test_latin1_names_decode_per_the_xml_declaration() -> None:
    content = FIRST_PAGE.read_bytes().replace(
        b"Perez Daniel Antonio", "Pérez Daniel Antonio".encode("iso-8859-1"), 1
    )
    assert parse_feed(content)[0].company_name == "Pérez Daniel Antonio"


@pytest.mark.parametrize(
    "content",
    [
        UNAVAILABLE_PAGE.read_bytes(),
        b"",
        b"<rss version='2.0'><channel/></rss>",
        (SHARED_EDGAR / "reference" / "company_tickers.json").read_bytes()[:2000],
    ],
    ids=["edgar-503-html", "empty", "rss", "json"],
)
def test_a_document_that_is_not_an_atom_feed_raises(content: bytes) -> None:
    with pytest.raises(FeedParseError):
        parse_feed(content)


def test_empty_feed_has_no_entries() -> None:
    assert parse_feed(b'<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title></feed>') == []


def test_type_filter_is_a_prefix_match() -> None:
    # MANIFEST: type=4 also returns 424B2, 497K, 485...
    entries = crawl_entries(ATOM_DIR / "snap_20251212T180357_type4")
    forms = {entry.form_type for entry in entries}
    assert all(form.startswith("4") for form in forms)
    assert {"4", "424B2", "497K"} <= forms


def test_relative_or_missing_link_becomes_the_archives_index_url() -> None:
    content = FIRST_PAGE.read_bytes()
    absolute = b'href="https://www.sec.gov/Archives/edgar/data/2063236/'
    relative = content.replace(absolute, b'href="/Archives/edgar/data/2063236/', 1)
    first = parse_feed(FIRST_PAGE.read_bytes())[0]
    assert parse_feed(relative)[0].index_url == first.index_url
    start = content.index(b'<link rel="alternate" type="text/html"')
    end = content.index(b"/>", start) + 2
    assert parse_feed(content[:start] + content[end:])[0].index_url == first.index_url
