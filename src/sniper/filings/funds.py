"""`GET /api/v1/form-13f/fund/{cik}` and `GET /api/v1/form-13f/latest` over the 13F tables
the pipeline parsed (filings Sniper detected). Never commits.

Source pages: uat.finradarapi.com/docs/institutional-holdings/form-13f-api/
get-api-v1-form-13f-fund-cik and .../get-api-v1-form-13f-latest, and
uat.finradarapi.com/llms/form-13f-api.txt. Not served from them: QoQ position-change analysis
and sector allocation (Sniper keeps no prior quarters or sectors).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from sniper.errors import BadRequest, NotFound
from sniper.filings import repository as repo
from sniper.filings.schemas import (
    FundFiling,
    FundHolding,
    FundIdentity,
    FundPagination,
    FundReport,
    Latest13F,
    VotingAuthority,
)
from sniper.models import Filing, Form13FHolding


def cik_or_400(raw: str) -> int:
    """The CIK of `raw` (1-10 digits, zero-padded or not); 400 naming `cik`."""
    text = raw.strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 10 and int(text) > 0):
        raise BadRequest(f"cik: {raw!r} is not a CIK (1-10 digits)", details={"field": "cik"})
    return int(text)


def _filing(filing: Filing) -> FundFiling:
    corrected = filing.value_unit == "thousands"
    total = filing.value_total_dollars
    original = total // 1000 if corrected and total is not None else total
    return FundFiling(
        accession_no=filing.accession_number,
        form_type=filing.form_type,
        is_amendment=filing.form_type.endswith("/A"),
        filed_at=filing.accepted_at,
        table_value_total=total,
        table_entry_total=filing.holdings_count,
        value_corrected=corrected,
        correction_method=filing.unit_rule if corrected else None,
        original_value_total=original,
    )


def _holding(row: Form13FHolding) -> FundHolding:
    return FundHolding(
        cusip=row.cusip,
        name_of_issuer=row.name_of_issuer,
        ticker=row.ticker,
        figi=row.figi,
        title_of_class=row.title_of_class,
        value=row.value_dollars,
        shares=row.amount,
        share_type=row.amount_type,
        put_call=row.put_call,
        investment_discretion=row.investment_discretion,
        voting_authority=VotingAuthority(
            sole=row.voting_sole, shared=row.voting_shared, none=row.voting_none
        ),
    )


async def fund_report(
    session: AsyncSession, raw_cik: str, period: date | None, *, limit: int, offset: int
) -> FundReport:
    """The fund's 13F report for `period` (default: its latest), holdings in table order;
    404 when Sniper holds no 13F of the fund (for that period)."""
    cik = cik_or_400(raw_cik)
    filing = await repo.fund_filing(session, cik, period)
    if filing is None:
        details = {"cik": f"{cik:010d}", "period": period.isoformat() if period else None}
        raise NotFound(f"no 13F filing of CIK {cik:010d} is held", details=details)
    latest = await repo.fund_filing(session, cik, None)
    rows, total = await repo.holdings_page(session, filing.uuid, limit=limit, offset=offset)
    return FundReport(
        fund=FundIdentity(
            cik=f"{cik:010d}",
            name=filing.filer_name,
            signing_officer=None,
            latest_filed_at=latest.accepted_at if latest else None,
        ),
        period=filing.period_of_report,
        filing=_filing(filing),
        holdings=[_holding(row) for row in rows],
        pagination=FundPagination(total=total, limit=limit, offset=offset),
    )


async def latest(session: AsyncSession, limit: int) -> list[Latest13F]:
    """The `limit` most recently parsed 13F filings across funds."""
    return [
        Latest13F(
            cik=None if f.filer_cik is None else f"{f.filer_cik:010d}",
            fund_name=f.filer_name,
            accession_no=f.accession_number,
            form_type=f.form_type,
            period_of_report=f.period_of_report,
            filed_at=f.accepted_at,
            parsed_at=f.updated_at,
            portfolio_value=f.value_total_dollars,
            holdings_count=f.holdings_count,
        )
        for f in await repo.latest_13f(session, limit)
    ]
