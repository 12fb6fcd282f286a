"""Rows of `filings` and `form_13f_holdings` built from what was fetched and parsed.

Metadata precedence: the index page, then the full submission's header, then the detection
(the Atom feed entry that fired the target). `filing_uuid` is a UUID5 of the accession number,
so a re-run of the same accession keeps the same record and its holdings' foreign key.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sniper.edgar.accession import archives_urls
from sniper.edgar.atom import eastern_zone
from sniper.filings.archives import FilingMaterial, is_13f
from sniper.filings.cover import DocumentError
from sniper.filings.report import ThirteenFReport, parse_filing_documents

_NAMESPACE = uuid.UUID("6f1d1c2e-5e0a-4c4b-9a57-0d2c1f3e8b11")


def filing_uuid(accession_number: str) -> str:
    """The stable `filings.uuid` of an accession number (UUID5)."""
    return str(uuid.uuid5(_NAMESPACE, accession_number))


@dataclass(frozen=True, slots=True)
class JobView:
    """The detection a job works on (a detached copy of the job row's fields)."""

    id: int
    accession_number: str
    cik: int
    form_type: str
    accepted_at: datetime
    entities: list[dict[str, Any]]
    stage: str
    attempts: int


def filing_date(job: JobView, material: FilingMaterial) -> date:
    """EDGAR's filing date: the index page's, the header's, else the ET date of acceptance."""
    if material.index is not None and material.index.filing_date is not None:
        return material.index.filing_date
    if material.header is not None and material.header.filing_date is not None:
        return material.header.filing_date
    return job.accepted_at.astimezone(eastern_zone()).date()


def parse_13f_material(job: JobView, material: FilingMaterial) -> ThirteenFReport | None:
    """The 13F report of a fetched 13F filing; None for other forms. Raises `DocumentError`
    (no primary document, malformed XML)."""
    if not is_13f(job.form_type):
        return None
    if material.primary_doc is None:
        raise DocumentError(f"{job.accession_number}: no 13F primary document found")
    return parse_filing_documents(
        material.primary_doc,
        material.table,
        filed=filing_date(job, material),
        accession_number=job.accession_number,
        form_type=job.form_type,
    )


def _entities(job: JobView, material: FilingMaterial) -> list[dict[str, Any]]:
    if material.index is not None and material.index.entities:
        return [{"cik": c, "name": n, "role": r} for r, c, n in material.index.entities]
    if material.header is not None and material.header.entities:
        return [{"cik": e.cik, "name": e.name, "role": e.role} for e in material.header.entities]
    return list(job.entities)


def _first(entities: list[dict[str, Any]], *roles: str) -> dict[str, Any] | None:
    return next((e for e in entities if e.get("role") in roles), None)


def filing_values(
    job: JobView, material: FilingMaterial, report: ThirteenFReport | None, now: datetime
) -> dict[str, Any]:
    """The `filings` row (see `sniper.models.Filing`)."""
    entities = _entities(job, material)
    filer = _first(entities, "Filer", "Filed by", "Reporting") or {}
    issuer = _first(entities, "Issuer", "Subject") or {}
    index, header = material.index, material.header
    filing_url, index_url = archives_urls(job.cik, job.accession_number)
    accepted = (index.accepted_at if index else None) or (header.accepted_at if header else None)
    period = (index.period_of_report if index else None) or (
        header.period_of_report if header else None
    )
    values: dict[str, Any] = {
        "uuid": filing_uuid(job.accession_number),
        "accession_number": job.accession_number,
        "form_type": (index.form_type if index else None) or job.form_type,
        "filer_cik": filer.get("cik"),
        "filer_name": filer.get("name"),
        "issuer_cik": issuer.get("cik"),
        "issuer_name": issuer.get("name"),
        "entities": entities,
        "accepted_at": accepted or job.accepted_at,
        "filing_date": filing_date(job, material),
        "period_of_report": period or (report.period_of_report if report else None),
        "filing_url": filing_url,
        "index_url": index_url,
        "documents": [d.as_dict() for d in material.documents],
        "source": material.source,
        "created_at": now,
        "updated_at": now,
    }
    return values | thirteenf_values(report)


def thirteenf_values(report: ThirteenFReport | None) -> dict[str, Any]:
    """The 13F columns of the `filings` row (all None for other forms)."""
    unit = report.unit if report else None
    check = report.cross_check if report else None
    count = report.totals.rows if report and report.outcome != "no_holdings" else None
    if report is not None and report.outcome == "no_holdings" and unit is not None:
        count = 0  # an empty table, as opposed to a 13F-NT
    return {
        "report_type": report.cover.report_type if report and report.cover else None,
        "amendment_type": report.amendment_type if report else None,
        "value_unit": unit.unit if unit else None,
        "unit_rule": unit.rule.value if unit else None,
        "unit_explanation": unit.explanation if unit else None,
        "value_total_dollars": report.value_total_dollars if report else None,
        "holdings_count": count,
        "cross_check": check.as_dict() if check else None,
    }


def holding_rows(uuid_: str, report: ThirteenFReport) -> Iterator[dict[str, Any]]:
    """`form_13f_holdings` rows of the report, values in dollars (and as filed)."""
    for h in report.holdings:
        yield {
            "filing_uuid": uuid_,
            "row_number": h.row_number,
            "name_of_issuer": h.name_of_issuer[:200],
            "title_of_class": h.title_of_class[:150],
            "cusip": h.cusip[:9],
            "figi": h.figi[:12] if h.figi else None,
            "value_reported": h.value,
            "value_dollars": report.dollars(h),
            "amount": h.amount,
            "amount_type": h.amount_type[:3],
            "put_call": h.put_call,
            "investment_discretion": h.investment_discretion[:8],
            "other_managers": h.other_managers[:100] if h.other_managers else None,
            "voting_sole": h.voting_sole,
            "voting_shared": h.voting_shared,
            "voting_none": h.voting_none,
            "ticker": None,
        }
