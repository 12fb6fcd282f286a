"""Response bodies of the Finradar reference endpoints (`/sec/filings`, `/cusip`,
`/form-13f`), snake_case, inside the `{status, request_id, timestamp, data}` envelope."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
)

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
    """`GET /api/v1/cusip/lookup/{cusip}`: the cached OpenFIGI mapping, with Finradar's `cik`,
    `cusip6` (issuer prefix) and `security_group` (Stocks, ETFs, Preferred, Warrants, Debt,
    Other)."""

    model_config = ConfigDict(from_attributes=True)

    cusip: str = Field(description="9 characters; an 8-character input is zero-padded.")
    ticker: str | None
    issuer_name: str | None = Field(validation_alias="name")
    cik: str | None = Field(default=None, description="10 digits, zero-padded.")
    cusip6: str = Field(default="", description="The first 6 characters: the issuer prefix.")
    security_group: str | None = None
    figi: str | None
    composite_figi: str | None
    share_class_figi: str | None
    exch_code: str | None
    security_type: str | None
    market_sector: str | None
    source: str
    updated_at: UTCStamp


class CusipRow(BaseModel):
    """One row of `POST /api/v1/cusip/batch` and `GET /api/v1/cusip/search`; an unmapped
    CUSIP in a batch is a row whose `ticker`, `issuer_name` and `security_group` are null."""

    cusip: str
    ticker: str | None
    issuer_name: str | None
    cik: str | None
    cusip6: str
    security_group: str | None
    figi: str | None


class CusipBatchIn(BaseModel):
    """`POST /api/v1/cusip/batch` body: 1-1,000 CUSIPs (8-character ones zero-padded)."""

    cusips: list[str] = Field(min_length=1, max_length=1000, examples=[["037833100"]])


class CusipBatchOut(BaseModel):
    """One row per requested CUSIP, in input order."""

    results: list[CusipRow]
    total: int
    mapped: int


class CusipSearchRow(CusipRow):
    relevance: float = Field(
        description="1.0 exact ticker, 0.95 exact CUSIP, 0.9 / 0.85 ticker / CUSIP prefix, "
        "0.5 issuer-name match."
    )


class CusipSearchOut(BaseModel):
    """`GET /api/v1/cusip/search`: best matches first; an empty `results` is not a 404."""

    query: str
    results: list[CusipSearchRow]
    total: int
    limit: int
    offset: int


class CusipIssuerOut(BaseModel):
    """`GET /api/v1/cusip/cusip6/{cusip6}` (`cusip6` set) and `/cusip/cik/{cik}` (`cik` set,
    10 digits): the issuer's mapped CUSIPs, Stocks, ETFs, Preferred, Warrants, Debt, Other,
    then by ticker; `issuer_name` the most common name among them."""

    cusip6: str | None = None
    cik: str | None = None
    issuer_name: str | None
    securities: list[CusipRow]
    total: int

    @model_serializer(mode="wrap")
    def _drop_other_key(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        for key in ("cusip6", "cik"):
            if data.get(key) is None:
                data.pop(key, None)
        return data


class CusipStatsOut(BaseModel):
    """`GET /api/v1/cusip/stats` over the CUSIP cache: `mapped` rows have a ticker, `with_cik`
    a ticker SEC's catalog knows; `mapping_rate` is percent (0-100, 2 decimals)."""

    total_cusips: int
    mapped: int
    unmapped: int
    with_cik: int
    mapping_rate: float
    security_groups: dict[str, int]
    openfigi_enabled: bool


class ChainEntry(BaseModel):
    """One CUSIP of a security's successor chain. Sniper holds no corporate-action history, so
    a chain is the one current CUSIP (`effective_date` and `reason` null)."""

    cusip: str
    ticker: str | None
    issuer_name: str | None
    effective_date: date | None = None
    reason: str | None = None
    from_chain: bool = False


class CusipChainOut(BaseModel):
    """`GET /api/v1/cusip/chain/{cusip}`: oldest first; the last entry is current."""

    cusip: str
    chain: list[ChainEntry]
    current_cusip: str
    current_ticker: str | None


class TickerOut(BaseModel):
    """`GET /api/v1/cusip/ticker/{ticker}` (Finradar): the current primary CUSIP; `chain` only
    with `?chain=true` (without it the body has no `chain` key, as the page says)."""

    ticker: str
    cusip: str
    issuer_name: str | None
    cik: str | None = Field(description="10 digits, zero-padded; null when not in SEC's list.")
    figi: str | None
    chain: list[ChainEntry] | None = None

    @model_serializer(mode="wrap")
    def _drop_absent_chain(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if data.get("chain") is None:
            data.pop("chain", None)
        return data


class FilingRow(BaseModel):
    """One row of `GET /api/v1/sec/filings`: filer CIK (10 digits), dates, document links."""

    accession_number: str
    cik: str | None
    company_name: str | None
    ticker: str | None
    form_type: str
    filed_date: date | None
    accepted_at: UTCStamp | None
    period_of_report: date | None
    primary_link: str
    primary_html_url: str | None
    filing_index_url: str
    all_links: list[str]


class ListPagination(BaseModel):
    total: int
    limit: int
    offset: int
    has_more: bool


class FilingsList(BaseModel):
    """`GET /api/v1/sec/filings`: `data` is the array of rows; `pagination` beside it."""

    status: str = "success"
    request_id: str
    timestamp: str
    data: list[FilingRow]
    pagination: ListPagination


class FormTypeOut(BaseModel):
    """One row of `GET /api/v1/sec/forms`: a form type among the filings Sniper holds."""

    form_type: str
    root_form_type: str
    description: str
    filing_count: int
    first_filed: date | None
    last_filed: date | None


class FilingStatsOut(BaseModel):
    """`GET /api/v1/sec/filings/stats`: counts over the stored filings; `top_form_types` the 10
    most filed (rows of `/sec/forms`), `latest_filing_date` the newest filing date."""

    total_entries: int
    top_form_types: list[FormTypeOut]
    latest_filing_date: date | None


class FundIdentity(BaseModel):
    cik: str = Field(description="10 digits, zero-padded.")
    name: str | None
    signing_officer: str | None = Field(description="Not parsed by Sniper: always null.")
    latest_filed_at: UTCStamp | None


class FundFiling(BaseModel):
    """The filing of a fund report. `table_value_total` is dollars; `value_corrected` is true
    when the table was filed in thousands and converted (`correction_method` the unit rule,
    `original_value_total` the total as filed)."""

    accession_no: str
    form_type: str
    is_amendment: bool
    filed_at: UTCStamp | None
    table_value_total: int | None
    table_entry_total: int | None
    value_corrected: bool
    correction_method: str | None
    original_value_total: int | None


class FundHolding(BaseModel):
    """One information-table row as filed; `value` in dollars, `share_type` SH or PRN."""

    cusip: str
    name_of_issuer: str
    ticker: str | None
    figi: str | None
    title_of_class: str
    value: int
    shares: int
    share_type: str
    put_call: str | None
    investment_discretion: str
    voting_authority: VotingAuthority


class FundPagination(BaseModel):
    total: int
    limit: int
    offset: int


class FundReport(BaseModel):
    """`GET /api/v1/form-13f/fund/{cik}` (flat, as the page shows it)."""

    fund: FundIdentity
    period: date | None
    filing: FundFiling
    holdings: list[FundHolding]
    pagination: FundPagination


class Latest13F(BaseModel):
    """One row of `GET /api/v1/form-13f/latest`: a parsed 13F filing, newest parse first."""

    cik: str | None
    fund_name: str | None
    accession_no: str
    form_type: str
    period_of_report: date | None
    filed_at: UTCStamp | None
    parsed_at: UTCStamp
    portfolio_value: int | None = Field(description="Dollars.")
    holdings_count: int | None
