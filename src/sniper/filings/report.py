"""Any 13F document in, one `ThirteenFReport` out: form, amendment type, rows, value total in
dollars, the unit rule applied and the cover-page cross-check.

Accepted documents: an information table (XML, or SEC's XSL-rendered HTML view of one), a full
submission (`.txt` SGML or `.nc`) holding the primary document and the table, or a primary
document alone (which for EDGARLink submissions, such as SEC's samples, embeds the table).
13F-NT / 13F-NT/A (report type `13F NOTICE`) carry no table: outcome `no_holdings`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sniper.edgar import sgml
from sniper.filings.cover import CoverPage, DocumentError, parse_cover
from sniper.filings.thirteenf import Holding, iter_information_table, iter_rendered_table
from sniper.filings.units import CrossCheck, TableTotals, ValueUnit, cross_check, detect_unit

INFORMATION_TABLE = "INFORMATION TABLE"


@dataclass
class ThirteenFReport:
    """The result of `parse_13f`.

    `source` is `information_table`, `rendered_table`, `submission` or `primary_doc`;
    `outcome` is `holdings`, `no_holdings` (13F-NT or an empty table) or `cover_only` (a
    primary document without its table). `unit`, `cross_check` and `value_total_dollars` are
    None without a table; `holdings` (values as filed; `dollars(h)` converts) is empty unless
    asked for.
    """

    source: str
    form_type: str | None
    accession_number: str | None
    filed: date | None
    period_of_report: date | None
    cover: CoverPage | None
    outcome: str
    totals: TableTotals
    unit: ValueUnit | None
    cross_check: CrossCheck | None
    holdings: list[Holding] = field(default_factory=list)

    @property
    def amendment_type(self) -> str | None:
        return self.cover.amendment_type if self.cover else None

    @property
    def value_total_dollars(self) -> int | None:
        return None if self.unit is None else self.totals.value * self.unit.multiplier

    def dollars(self, holding: Holding) -> int:
        """`holding.value` in dollars (the filing's unit applied)."""
        return holding.value * (self.unit.multiplier if self.unit else 1)


@dataclass(frozen=True, slots=True)
class _Parts:
    source: str
    form_type: str | None
    accession_number: str | None
    filed: date | None
    period: date | None
    cover: CoverPage | None
    table: bytes | Path | None
    rendered: bool = False


def sniff(head: bytes) -> str:
    """The kind of document whose first bytes are `head` (see `ThirteenFReport.source`);
    raises `DocumentError` for anything else."""
    if sgml.is_submission(head):
        return "submission"
    lowered = head[:2048].lower()
    if b"<html" in lowered or b"<!doctype html" in lowered:
        return "rendered_table"
    if b"informationtable" in lowered and b"edgarsubmission" not in lowered:
        return "information_table"
    if b"edgarsubmission" in lowered:
        return "primary_doc"
    raise DocumentError("not a 13F information table, submission or primary document")


def parse_13f(
    source: bytes | Path, *, filed: date | None = None, keep_holdings: bool = True
) -> ThirteenFReport:
    """Parse one 13F document (bytes or a path; see the module docstring).

    `filed` overrides the filing date used by the unit rule (else: the submission header's
    filing date, or a primary document's signature date; none for a bare table). With
    `keep_holdings=False` rows are counted and totalled without being kept (constant memory).
    Raises `DocumentError` for a document that is none of the accepted kinds or not well-formed.
    """
    parts = _parts(source)
    when = filed or parts.filed
    if parts.cover is not None and parts.cover.is_notice:
        return _report(parts, when, "no_holdings", TableTotals(), None, [])
    if parts.table is None:
        return _report(parts, when, "cover_only", TableTotals(), None, [])
    rows = (
        iter_rendered_table(_bytes(parts.table))
        if parts.rendered
        else iter_information_table(parts.table)
    )
    kept: list[Holding] = []
    totals = _consume(rows, kept if keep_holdings else None)
    outcome = "holdings" if totals.rows else "no_holdings"
    unit = detect_unit(totals, when)
    return _report(parts, when, outcome, totals, unit, kept)


def parse_filing_documents(
    primary_doc: bytes,
    table: bytes | None,
    *,
    filed: date | None,
    accession_number: str | None = None,
    form_type: str | None = None,
) -> ThirteenFReport:
    """Parse a filing's 13F primary document and information table fetched separately (the
    pipeline's case); `filed` is the filing date for the unit rule. Raises `DocumentError`."""
    cover = parse_cover(primary_doc)
    parts = _Parts("submission", form_type, accession_number, filed, None, cover, table)
    if cover.is_notice:
        return _report(parts, filed, "no_holdings", TableTotals(), None, [])
    if table is None:
        return _report(parts, filed, "cover_only", TableTotals(), None, [])
    kept: list[Holding] = []
    totals = _consume(iter_information_table(table), kept)
    outcome = "holdings" if totals.rows else "no_holdings"
    return _report(parts, filed, outcome, totals, detect_unit(totals, filed), kept)


def _consume(rows: Iterable[Holding], kept: list[Holding] | None) -> TableTotals:
    totals = TableTotals()
    for holding in rows:
        totals = totals.add(holding.value, holding.amount, holding.amount_type)
        if kept is not None:
            kept.append(holding)
    return totals


def _report(
    parts: _Parts,
    filed: date | None,
    outcome: str,
    totals: TableTotals,
    unit: ValueUnit | None,
    holdings: list[Holding],
) -> ThirteenFReport:
    cover = parts.cover
    check = None
    if unit is not None:
        entries = cover.table_entry_total if cover else None
        check = cross_check(totals, entries, cover.table_value_total if cover else None)
    return ThirteenFReport(
        source=parts.source,
        form_type=parts.form_type or (cover.submission_type if cover else None),
        accession_number=parts.accession_number,
        filed=filed,
        period_of_report=parts.period or (cover.period_of_report if cover else None),
        cover=cover,
        outcome=outcome,
        totals=totals,
        unit=unit,
        cross_check=check,
        holdings=holdings,
    )


def _bytes(source: bytes | Path) -> bytes:
    return source if isinstance(source, bytes) else source.read_bytes()


def _head(source: bytes | Path) -> bytes:
    if isinstance(source, bytes):
        return source[:4096]
    with source.open("rb") as handle:
        return handle.read(4096)


def _parts(source: bytes | Path) -> _Parts:
    kind = sniff(_head(source))
    if kind == "submission":
        return _submission_parts(_bytes(source))
    if kind == "primary_doc":
        cover = parse_cover(_bytes(source))
        table = next((d.body for d in cover.embedded if _is_table(d.type, d.name)), None)
        return _Parts(kind, None, None, cover.signature_date, None, cover, table)
    return _Parts(kind, None, None, None, None, None, source, rendered=kind == "rendered_table")


def _is_table(doc_type: str | None, name: str | None) -> bool:
    if (doc_type or "").upper() == INFORMATION_TABLE:
        return True
    return doc_type is None and (name or "").lower().endswith(".xml")


def _submission_parts(data: bytes) -> _Parts:
    header = sgml.parse_header(data)
    cover: CoverPage | None = None
    table: bytes | None = None
    for document in _xml_documents(sgml.iter_documents(data)):
        if document.type.upper() == INFORMATION_TABLE and table is None:
            table = document.body
        elif cover is None and document.type.upper().startswith("13F"):
            cover = parse_cover(document.body)
    filed = header.filing_date or (header.accepted_at.date() if header.accepted_at else None)
    return _Parts(
        "submission",
        header.form_type,
        header.accession_number,
        filed,
        header.period_of_report,
        cover,
        table,
    )


def _xml_documents(documents: Iterable[sgml.SgmlDocument]) -> Iterator[sgml.SgmlDocument]:
    for document in documents:
        if document.body.lstrip()[:1] == b"<":
            yield document


def holding_dict(report: ThirteenFReport, holding: Holding) -> dict[str, object]:
    """One row as JSON: the information-table columns, `value` as filed and `value_dollars`."""
    return {
        "row_number": holding.row_number,
        "name_of_issuer": holding.name_of_issuer,
        "title_of_class": holding.title_of_class,
        "cusip": holding.cusip,
        "figi": holding.figi,
        "value": holding.value,
        "value_dollars": report.dollars(holding),
        "shares_or_principal_amount": holding.amount,
        "shares_or_principal_type": holding.amount_type,
        "put_call": holding.put_call,
        "investment_discretion": holding.investment_discretion,
        "other_managers": holding.other_managers,
        "voting_authority": {
            "sole": holding.voting_sole,
            "shared": holding.voting_shared,
            "none": holding.voting_none,
        },
    }


def report_dict(report: ThirteenFReport, *, holdings: bool = False) -> dict[str, object]:
    """The report as one JSON object (what `sniper 13f parse --json` prints)."""
    unit = report.unit
    body: dict[str, object] = {
        "source": report.source,
        "form_type": report.form_type,
        "accession_number": report.accession_number,
        "amendment_type": report.amendment_type,
        "report_type": report.cover.report_type if report.cover else None,
        "period_of_report": report.period_of_report.isoformat()
        if report.period_of_report
        else None,
        "filed": report.filed.isoformat() if report.filed else None,
        "outcome": report.outcome,
        "rows": report.totals.rows,
        "value_total_as_filed": report.totals.value if unit else None,
        "value_total_dollars": report.value_total_dollars,
        "unit": unit.unit if unit else None,
        "unit_rule": unit.rule.value if unit else None,
        "implied_price_per_share": unit.implied_price if unit else None,
        "unit_explanation": unit.explanation if unit else None,
        "cross_check": report.cross_check.as_dict() if report.cross_check else None,
    }
    if holdings:
        body["holdings"] = [holding_dict(report, h) for h in report.holdings]
    return body
