"""Accession numbers and Archives URLs."""

from __future__ import annotations

import pytest

from sniper.edgar.accession import archives_urls, normalize_accession


@pytest.mark.parametrize(
    "raw", ["0002063236-25-000004", "000206323625000004", " 0002063236-25-000004\n"]
)
def test_normalize_accepts_dashed_and_bare_digits(raw: str) -> None:
    assert normalize_accession(raw) == "0002063236-25-000004"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "0002063236-25-00004",
        "00020632362500000",
        "0002063236_25_000004",
        "000206323-625-000004",
        "A002063236-25-000004",
        "0002063236-25-0000044",
    ],
)
def test_normalize_rejects_anything_else(raw: str) -> None:
    with pytest.raises(ValueError, match="accession"):
        normalize_accession(raw)


def test_archives_urls_follow_edgar_layout() -> None:
    filing_url, index_url = archives_urls(1673743, "000206323625000004")
    folder = "https://www.sec.gov/Archives/edgar/data/1673743/000206323625000004"
    assert filing_url == f"{folder}/0002063236-25-000004.txt"
    assert index_url == f"{folder}/0002063236-25-000004-index.htm"


def test_archives_index_url_matches_the_feed_link() -> None:
    # The first entry of the recorded crawl links to this exact index page.
    _, index_url = archives_urls(2063236, "0002063236-25-000004")
    assert index_url == (
        "https://www.sec.gov/Archives/edgar/data/2063236/000206323625000004/"
        "0002063236-25-000004-index.htm"
    )


def test_archives_urls_reject_bad_cik() -> None:
    with pytest.raises(ValueError, match="CIK"):
        archives_urls(0, "0002063236-25-000004")
