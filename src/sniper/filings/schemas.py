"""Response bodies of the Finradar reference endpoints (`/sec/filings`, `/cusip`,
`/form-13f`), snake_case, inside the `{status, request_id, timestamp, data}` envelope."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from sniper.kit.timefmt import UTCStamp


class FilingDocument(BaseModel):
    """One document of a filing: a link, never the body. `size` in bytes."""

    sequence: int | None
    description: str | None
    filename: str
    type: str | None
    size: int | None
    url: str


class FilingEntity(BaseModel):
    cik: str = Field(description="10 digits, zero-padded.")
    name: str
    role: str = Field(description="Filer, Issuer, Subject, Reporting or Filed by.")


class ThirteenFSummary(BaseModel):
    """The 13F part of a filing. Values are dollars (`value_unit` is how the filer reported
    them: dollars from 2023-01-03, thousands before, detected per filing as `unit_rule`)."""

    report_type: str | None
    amendment_type: str | None
    value_unit: str | None
    unit_rule: str | None
    unit_explanation: str | None
    value_total_dollars: int | None
    holdings_count: int | None
    cross_check: dict[str, Any] | None


class DetectionOut(BaseModel):
    """How Sniper saw the filing: `source` is the detection source that saw it first and fired
    (`atom` feed, `archives` probe, `submissions` backstop), `detected_at` when; `first_seen`
    maps every source that reported it to its first-seen time."""

    source: str
    detected_at: UTCStamp
    first_seen: dict[str, str]


class FilingOut(BaseModel):
    """`GET /api/v1/sec/filings/{accession_number}`; `detection` is None for a filing no
    source detected (ingested another way)."""

    filing_uuid: str
    accession_number: str
    form_type: str
    filer_cik: str | None
    filer_name: str | None
    issuer_cik: str | None
    issuer_name: str | None
    entities: list[FilingEntity]
    accepted_at: UTCStamp | None
    filing_date: date | None
    period_of_report: date | None
    filing_url: str
    filing_index_url: str
    documents: list[FilingDocument]
    form_13f: ThirteenFSummary | None
    detection: DetectionOut | None = None


class VotingAuthority(BaseModel):
    sole: int
    shared: int
    none: int


class HoldingOut(BaseModel):
    """One information-table row; `value` in dollars, `value_as_filed` as reported."""

    row_number: int
    name_of_issuer: str
    title_of_class: str
    cusip: str
    figi: str | None
    ticker: str | None
    value: int
    value_as_filed: int
    shares_or_principal_amount: int
    shares_or_principal_type: str
    put_call: str | None
    investment_discretion: str
    other_managers: str | None
    voting_authority: VotingAuthority


class HoldingsPage(BaseModel):
    """`GET /api/v1/form-13f/filings/{accession}/holdings`: table order, paginated."""

    accession_number: str
    form_type: str
    amendment_type: str | None = Field(
        description="13F-HR/A: RESTATEMENT rows replace the original's, NEW HOLDINGS add to them."
    )
    filing_uuid: str
    value_total_dollars: int | None
    total: int
    limit: int
    offset: int
    holdings: list[HoldingOut]


class CusipOut(BaseModel):
    """`GET /api/v1/cusip/lookup/{cusip}`: the cached OpenFIGI mapping."""

    model_config = ConfigDict(from_attributes=True)

    cusip: str
    figi: str | None
    composite_figi: str | None
    share_class_figi: str | None
    ticker: str | None
    issuer_name: str | None = Field(validation_alias="name")
    exch_code: str | None
    security_type: str | None
    market_sector: str | None
    source: str
    updated_at: UTCStamp


class TickerOut(BaseModel):
    """`GET /api/v1/cusip/ticker/{ticker}` (Finradar): the current primary CUSIP."""

    ticker: str
    cusip: str
    issuer_name: str | None
    cik: str | None = Field(description="10 digits, zero-padded; null when not in SEC's list.")
    figi: str | None
