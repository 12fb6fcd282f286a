"""13F parsing on every real document in `shared/edgar/13f/`: rows and dollar totals equal to
the cover pages, units on both sides of 2023-01-03, NT and amendment types, put/call rows."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from sniper.filings.cover import DocumentError, parse_cover
from sniper.filings.report import parse_13f
from sniper.filings.thirteenf import amount, iter_information_table, iter_rendered_table
from sniper.filings.units import UnitRule
from tests.support.paths import SHARED_EDGAR

F13 = SHARED_EDGAR / "13f"

# (file, form, outcome, rows, dollars, unit, rule, cover rows, cover value note)
SUBMISSIONS = [
    # MetLife, period 2021-12-31 but filed 2023-03-23: dollars (ECH 98,000 sh = $2,049,983).
    ("full_submission/0001140361-23-013281.txt", 6, 11_019_796, "dollars", 6, "match"),
    # ACTIAM, filed 2021-02-12: thousands (AAPL 1,733,777 sh = 230,054 -> $230,054,000).
    ("full_submission/0001619124-21-000002.txt", 5, 732_158_000, "thousands", 5, "match"),
    # LTS One, filed 2023-11-14: dollars rounded to thousands by the filer (AMZN 17,479,000).
    ("full_submission/13F.0001894188-23-000007.txt", 14, 454_926_000, "dollars", 14, "match"),
    # Acorn Creek, .nc, ns1: prefix, one line, filed 2025-01-22.
    ("full_submission/0001951757-25-000093.nc", 77, 194_611_845, "dollars", 77, "match"),
]


@pytest.mark.parametrize(("name", "rows", "dollars", "unit", "cover_rows", "note"), SUBMISSIONS)
def test_full_submissions_match_their_cover_pages(
    name: str, rows: int, dollars: int, unit: str, cover_rows: int, note: str
) -> None:
    report = parse_13f(F13 / name)
    assert report.source == "submission"
    assert report.form_type == "13F-HR"
    assert report.outcome == "holdings"
    assert report.totals.rows == rows == cover_rows
    assert report.value_total_dollars == dollars
    assert report.unit is not None
    assert (report.unit.unit, report.unit.rule) == (unit, UnitRule.FILING_DATE)
    assert report.cross_check is not None
    assert report.cross_check.rows_match is True
    assert report.cross_check.value_match is True
    assert report.cross_check.value_note == note
    assert len(report.holdings) == rows


@pytest.mark.parametrize(
    ("folder", "table", "filed"),
    [
        ("0001140361-23-013281", "informationtable.xml", date(2023, 3, 23)),
        ("0001619124-21-000002", "Q4202013FHOLDINGSACTIAMNV.xml", date(2021, 2, 12)),
        ("0001894188-23-000007", "index.xml", date(2023, 11, 14)),
        ("0001951757-25-000093", "F_13F_AcornCreek_Q42024.xml", date(2025, 1, 22)),
    ],
)
def test_extracted_documents_agree_with_the_submission(
    folder: str, table: str, filed: date
) -> None:
    submission = next(parse_13f(p) for p in (F13 / "full_submission").iterdir() if folder in p.name)
    alone = parse_13f(F13 / "extracted" / folder / table, filed=filed)
    assert alone.source == "information_table"
    assert alone.totals == submission.totals
    assert alone.value_total_dollars == submission.value_total_dollars
    assert alone.holdings == submission.holdings
    cover = parse_cover((F13 / "extracted" / folder / "primary_doc.xml").read_bytes())
    assert cover.table_entry_total == alone.totals.rows
    assert cover.table_value_total == alone.totals.value


def test_units_on_both_sides_of_the_cutover_are_dollars() -> None:
    before = parse_13f(F13 / "full_submission/0001619124-21-000002.txt")
    after = parse_13f(F13 / "full_submission/0001951757-25-000093.nc")
    apple = next(h for h in before.holdings if h.cusip == "037833100")
    assert (apple.value, before.dollars(apple)) == (230_054, 230_054_000)  # $132.69 a share
    abbvie = next(h for h in after.holdings if h.cusip == "00287Y109")
    assert (abbvie.value, after.dollars(abbvie)) == (406_755, 406_755)  # $177.70 a share


def test_a_filer_reporting_thousands_after_the_cutover_is_caught() -> None:
    # ACTIAM's real table, as if it had been filed after 2023-01-03 still in thousands.
    table = F13 / "extracted/0001619124-21-000002/Q4202013FHOLDINGSACTIAMNV.xml"
    report = parse_13f(table, filed=date(2023, 2, 1))
    assert report.unit is not None
    assert report.unit.unit == "thousands"
    assert report.unit.rule == UnitRule.IMPLIED_PRICE_OVERRIDE
    assert report.value_total_dollars == 732_158_000
    assert "thousands" in report.unit.explanation


def test_a_filer_reporting_dollars_before_the_cutover_is_caught() -> None:
    table = F13 / "extracted/0001894188-23-000007/index.xml"
    report = parse_13f(table, filed=date(2022, 8, 15))
    assert report.unit is not None
    assert (report.unit.unit, report.unit.rule) == ("dollars", UnitRule.IMPLIED_PRICE_OVERRIDE)
    assert report.value_total_dollars == 454_926_000


def test_a_bare_table_without_a_date_uses_the_implied_price() -> None:
    # 255 real rows, a blank line before <?xml, default namespace; 3M at $175 a share.
    report = parse_13f(F13 / "infotable/13F-HR.infotable.xml")
    assert report.totals.rows == 255
    assert report.value_total_dollars == 350_153_407
    assert report.unit is not None
    assert (report.unit.unit, report.unit.rule) == ("dollars", UnitRule.IMPLIED_PRICE)
    assert report.cross_check is not None
    assert report.cross_check.value_note == "no_cover_total"


def test_the_rendered_html_view_reads_like_the_xml() -> None:
    xml = list(iter_information_table(F13 / "infotable/13F-HR.infotable.xml"))
    rendered = list(
        iter_rendered_table((F13 / "infotable/13F-HR.privateportfolio.infotable.html").read_bytes())
    )
    assert rendered == xml
    other = parse_13f(F13 / "infotable/form.13FHR.rendered.html.xml")
    assert (other.source, other.totals.rows) == ("rendered_table", 375)


@pytest.mark.parametrize(
    ("name", "form", "amendment"),
    [
        ("amendments/sec_restatement_primary_doc.extract.xml", "13F-HR/A", "RESTATEMENT"),
        ("amendments/sec_add_holdings_primary_doc.extract.xml", "13F-HR/A", "NEW HOLDINGS"),
        ("sec_samples/Sample_13F-HRA.xml", "13F-HR/A", "RESTATEMENT"),
        ("sec_samples/Sample_13F-HR.xml", "13F-HR", None),
        ("primary_doc/abacus.13F-HR.primarydoc.xml", "13F-HR", None),
    ],
)
def test_amendment_types_come_from_the_cover_page(
    name: str, form: str, amendment: str | None
) -> None:
    report = parse_13f(F13 / name)
    assert report.form_type == form
    assert report.amendment_type == amendment
    assert report.cover is not None
    assert report.cover.is_amendment is (amendment is not None)


@pytest.mark.parametrize("name", ["Sample_13F-NT.xml", "Sample_13F-NTA.xml"])
def test_notices_have_no_holdings(name: str) -> None:
    report = parse_13f(F13 / "sec_samples" / name)
    assert report.outcome == "no_holdings"
    assert report.form_type in ("13F-NT", "13F-NT/A")
    assert report.totals.rows == 0
    assert report.unit is None
    assert report.value_total_dollars is None


def test_primary_documents_alone_are_cover_only() -> None:
    report = parse_13f(F13 / "primary_doc/metlife.13F-HR.primarydoc.xml")
    assert report.outcome == "cover_only"
    assert report.cover is not None
    assert (report.cover.table_entry_total, report.cover.table_value_total) == (6, 11_019_796)
    assert report.cover.report_type == "13F COMBINATION REPORT"


@pytest.mark.parametrize("name", ["Sample_13F-HR.xml", "Sample_13F-HRA.xml", "Sample_13F-CTR.xml"])
def test_sec_samples_embed_their_table_and_the_synthetic_mismatch_is_recorded(
    name: str,
) -> None:
    # SEC's technical-specification samples: synthetic data whose cover says 111 rows / 111
    # (1,222 / 1,122 on the HR/A) against 169 rows in the embedded table. The parse keeps the
    # table's figures and records the disagreement rather than trusting either.
    report = parse_13f(F13 / "sec_samples" / name)
    assert report.totals.rows == 169
    assert report.cross_check is not None
    assert report.cross_check.rows_match is False
    assert report.cross_check.value_match is False
    assert report.cross_check.value_note == "mismatch"
    assert report.holdings[1].cusip == "00724F101"


def test_the_sec_sample_table_has_figis() -> None:
    rows = list(iter_information_table(F13 / "sec_samples/information_table.xml"))
    assert len(rows) == 169
    assert sum(1 for row in rows if row.figi) == 3


def test_the_derived_25000_row_table_streams() -> None:
    count = value = managers = 0
    for row in iter_information_table(F13 / "derived/derived_infotable_25000rows.xml"):
        count, value = count + 1, value + row.value
        managers += row.other_managers is not None
    assert (count, value) == (25_000, 35_269_641_646)
    assert managers == 9_452


PUT_CALL_TABLE = b"""
<?xml version="1.0" encoding="UTF-8"?>
<informationTable xmlns="http://www.sec.gov/edgar/document/thirteenf/informationtable">
  <infoTable><nameOfIssuer>APPLE INC</nameOfIssuer><titleOfClass>COM</titleOfClass>
    <cusip>037833100</cusip><value>1000000</value>
    <shrsOrPrnAmt><sshPrnamt>5000</sshPrnamt><sshPrnamtType>SH</sshPrnamtType></shrsOrPrnAmt>
    <investmentDiscretion>SOLE</investmentDiscretion>
    <votingAuthority><Sole>5000</Sole><Shared>0</Shared><None>0</None></votingAuthority>
  </infoTable>
  <infoTable><nameOfIssuer>APPLE INC</nameOfIssuer><titleOfClass>COM</titleOfClass>
    <cusip>037833100</cusip><value>400000</value>
    <shrsOrPrnAmt><sshPrnamt>2000</sshPrnamt><sshPrnamtType>SH</sshPrnamtType></shrsOrPrnAmt>
    <putCall>Call</putCall><investmentDiscretion>DFND</investmentDiscretion>
    <otherManager>1</otherManager><otherManager>3</otherManager>
    <votingAuthority><Sole>0</Sole><Shared>2000</Shared><None>0</None></votingAuthority>
  </infoTable>
  <infoTable><nameOfIssuer>APPLE INC</nameOfIssuer><titleOfClass>COM</titleOfClass>
    <cusip>037833100</cusip><value>200000</value>
    <shrsOrPrnAmt><sshPrnamt>1000</sshPrnamt><sshPrnamtType>SH</sshPrnamtType></shrsOrPrnAmt>
    <putCall>PUT</putCall><investmentDiscretion>SOLE</investmentDiscretion>
    <votingAuthority><Sole>1000</Sole><Shared>0</Shared><None>0</None></votingAuthority>
  </infoTable>
</informationTable>
"""


def test_put_and_call_rows_stay_separate_from_the_share_row() -> None:
    report = parse_13f(PUT_CALL_TABLE, filed=date(2024, 5, 15))
    assert [(h.cusip, h.put_call, h.value, h.amount) for h in report.holdings] == [
        ("037833100", None, 1_000_000, 5000),
        ("037833100", "CALL", 400_000, 2000),
        ("037833100", "PUT", 200_000, 1000),
    ]
    assert report.holdings[1].other_managers == "1,3"
    assert report.holdings[1].investment_discretion == "DFND"
    assert report.value_total_dollars == 1_600_000


def test_a_broken_table_says_where_it_broke() -> None:
    broken = PUT_CALL_TABLE.replace(b"</infoTable>\n  <infoTable>", b"<infoTable>", 1)
    with pytest.raises(DocumentError, match="not well-formed after"):
        parse_13f(broken)
    with pytest.raises(DocumentError, match="not a 13F"):
        parse_13f(b"<?xml version='1.0'?><catalog><book/></catalog>")


def test_numbers_are_read_leniently() -> None:
    assert amount("1,234") == 1234
    assert amount(" 12.6 ") == 13
    assert amount("") == 0
    assert amount("n/a") == 0


def test_a_table_from_a_stream_skips_the_leading_blank_line(tmp_path: Path) -> None:
    path = F13 / "infotable/13F-HR.infotable.xml"
    assert path.read_bytes()[:1] == b"\n"
    with path.open("rb") as handle:
        assert sum(1 for _ in iter_information_table(handle)) == 255
