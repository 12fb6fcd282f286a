"""Full submissions (.txt / .nc), filing index pages and the cover-page cross-check notes."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from sniper.edgar import sgml
from sniper.filings.cover import DocumentError
from sniper.filings.index import parse_index_json, parse_index_page
from sniper.filings.units import TableTotals, cross_check
from tests.support.paths import SHARED_EDGAR


def test_txt_header_and_documents() -> None:
    data = (SHARED_EDGAR / "13f/full_submission/0001140361-23-013281.txt").read_bytes()
    header = sgml.parse_header(data)
    assert header.accession_number == "0001140361-23-013281"
    assert header.form_type == "13F-HR"
    assert header.accepted_at == datetime(2023, 3, 23, 15, 27, 45, tzinfo=UTC)  # 11:27:45 ET
    assert (header.filing_date, header.period_of_report) == (date(2023, 3, 23), date(2021, 12, 31))
    assert [(e.role, e.cik, e.name) for e in header.entities] == [("Filer", 1099219, "METLIFE INC")]
    documents = list(sgml.iter_documents(data))
    assert [(d.type, d.sequence, d.filename) for d in documents] == [
        ("13F-HR", 1, "primary_doc.xml"),
        ("INFORMATION TABLE", 2, "informationtable.xml"),
    ]
    assert documents[1].body.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    assert documents[1].body.endswith(b"</informationTable>")


def test_nc_header_runs_tags_together() -> None:
    data = (SHARED_EDGAR / "13f/full_submission/0001951757-25-000093.nc").read_bytes()
    header = sgml.parse_header(data)
    assert (header.accession_number, header.form_type) == ("0001951757-25-000093", "13F-HR")
    assert header.accepted_at is None  # the .nc header has no acceptance time
    assert (header.filing_date, header.period_of_report) == (date(2025, 1, 22), date(2024, 12, 31))
    assert [(e.role, e.cik) for e in header.entities] == [("Filer", 1994827)]
    names = [d.filename for d in sgml.iter_documents(data)]
    assert names == ["primary_doc.xml", "F_13F_AcornCreek_Q42024.xml"]


def test_a_non_13f_submission_lists_its_documents() -> None:
    data = (SHARED_EDGAR / "filings/0001045810-26-000024/0001045810-26-000024.txt").read_bytes()
    assert sgml.is_submission(data)
    header = sgml.parse_header(data)
    assert (header.form_type, header.period_of_report) == ("8-K", date(2026, 3, 2))
    documents = list(sgml.iter_documents(data))
    assert documents[0].filename == "nvda-20260302.htm"
    assert documents[0].description == "8-K"
    assert len(documents) == 12


def test_index_page() -> None:
    page = parse_index_page(
        (SHARED_EDGAR / "filing_index/0001045810-26-000024-index.html").read_bytes()
    )
    assert page.accession_number == "0001045810-26-000024"
    assert page.form_type == "8-K"
    assert page.filing_date == date(2026, 3, 6)
    assert page.accepted_at == datetime(2026, 3, 6, 21, 11, 25, tzinfo=UTC)  # 16:11:25 ET
    assert page.period_of_report == date(2026, 3, 2)
    assert page.entities == (("Filer", 1045810, "NVIDIA CORP"),)
    first = page.documents[0]
    assert (first.sequence, first.type, first.size) == (1, "8-K", 31103)
    assert first.url == (
        "https://www.sec.gov/Archives/edgar/data/1045810/000104581026000024/nvda-20260302.htm"
    )  # the inline-XBRL viewer link is unwrapped
    full_text = next(d for d in page.documents if d.filename.endswith(".txt"))
    assert (full_text.sequence, full_text.size) == (None, 165811)


def test_index_page_of_an_ownership_filing_names_its_roles() -> None:
    page = parse_index_page(
        (SHARED_EDGAR / "filing_index/0000950142-22-003095-index.html").read_bytes()
    )
    assert page.form_type == "4"
    assert page.entities == (
        ("Reporting", 1300650, "Davis Anthony Lynn"),
        ("Issuer", 1609804, "Orion Engineered Carbons S.A."),
    )


def test_not_an_index_page() -> None:
    with pytest.raises(DocumentError):
        parse_index_page((SHARED_EDGAR / "errors/sec_rate_threshold_exceeded.html").read_bytes())
    with pytest.raises(DocumentError):
        parse_index_json(b"[]")
    listing = (
        b'{"directory": {"item": [{"name": "a.xml", "size": "120"}, {"name": "b", "size": ""}]}}'
    )
    assert parse_index_json(listing) == {"a.xml": 120, "b": None}


@pytest.mark.parametrize(
    ("table_value", "cover", "note", "matches"),
    [
        (732_158, 732_158, "match", True),
        (732_160, 732_158, "rounding", True),
        (732_158_400, 732_158, "cover_in_thousands", False),
        (732_158, 732_158_000, "cover_in_dollars", False),
        (732_158, 911_000, "mismatch", False),
        (732_158, None, "no_cover_total", None),
    ],
)
def test_cover_value_notes(table_value: int, cover: int | None, note: str, matches: bool) -> None:
    check = cross_check(TableTotals(rows=5, value=table_value), 5, cover)
    assert (check.value_note, check.value_match, check.rows_match) == (note, matches, True)
