"""Reference lookups behind the `/sec/filings`, `/cusip` and `/form-13f` endpoints. Never
commits: the request's transaction does."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from sniper.edgar.accession import normalize_accession
from sniper.errors import BadRequest, NotFound
from sniper.filings import cusips, securities
from sniper.filings import repository as repo
from sniper.filings.archives import is_13f
from sniper.filings.openfigi import FigiMapping
from sniper.filings.schemas import (
    DetectionOut,
    FilingDocument,
    FilingEntity,
    FilingOut,
    HoldingOut,
    HoldingsPage,
    ThirteenFSummary,
    TickerOut,
    VotingAuthority,
)
from sniper.models import CusipMap, Detection, Filing, Form13FHolding
from sniper.runtime import Runtime


def _invalid(field: str, message: str) -> BadRequest:
    return BadRequest(f"{field}: {message}", details={"field": field})


def accession_or_400(raw: str, field: str = "accession_number") -> str:
    """The dashed accession number; 400 naming `field` for anything but the dashed or the
    18-digit form."""
    try:
        return normalize_accession(raw)
    except ValueError as exc:
        raise _invalid(
            field,
            f"{raw!r} is not an accession number such as "
            "0001140361-23-013281 or 000114036123013281",
        ) from exc


def _cik(value: int | None) -> str | None:
    return None if value is None else f"{value:010d}"


def detection_out(detection: Detection | None) -> DetectionOut | None:
    """Every source's first-seen time of a detected filing (None when none detected it)."""
    if detection is None:
        return None
    return DetectionOut(
        source=detection.source,
        detected_at=detection.detected_at,
        first_seen=detection.seen_times(),
    )


def filing_out(filing: Filing, detection: Detection | None = None) -> FilingOut:
    """The filing record as the API shows it, with how it was detected."""
    summary = None
    if is_13f(filing.form_type):
        summary = ThirteenFSummary.model_validate(filing, from_attributes=True)
    return FilingOut(
        filing_uuid=filing.uuid,
        accession_number=filing.accession_number,
        form_type=filing.form_type,
        filer_cik=_cik(filing.filer_cik),
        filer_name=filing.filer_name,
        issuer_cik=_cik(filing.issuer_cik),
        issuer_name=filing.issuer_name,
        entities=[
            FilingEntity(cik=_cik(int(e["cik"])) or "", name=e["name"], role=e["role"])
            for e in filing.entities
        ],
        accepted_at=filing.accepted_at,
        filing_date=filing.filing_date,
        period_of_report=filing.period_of_report,
        filing_url=filing.filing_url,
        filing_index_url=filing.index_url,
        documents=[FilingDocument.model_validate(d) for d in filing.documents],
        detection=detection_out(detection),
        form_13f=summary,
    )


async def get_filing(session: AsyncSession, raw_accession: str) -> Filing:
    """The ingested filing (404 when the pipeline never stored it)."""
    accession = accession_or_400(raw_accession)
    filing = await repo.filing_by_accession(session, accession)
    if filing is None:
        raise NotFound(f"filing {accession} not found", details={"accession_number": accession})
    return filing


def _holding(row: Form13FHolding) -> HoldingOut:
    return HoldingOut(
        row_number=row.row_number,
        name_of_issuer=row.name_of_issuer,
        title_of_class=row.title_of_class,
        cusip=row.cusip,
        figi=row.figi,
        ticker=row.ticker,
        value=row.value_dollars,
        value_as_filed=row.value_reported,
        shares_or_principal_amount=row.amount,
        shares_or_principal_type=row.amount_type,
        put_call=row.put_call,
        investment_discretion=row.investment_discretion,
        other_managers=row.other_managers,
        voting_authority=VotingAuthority(
            sole=row.voting_sole, shared=row.voting_shared, none=row.voting_none
        ),
    )


async def holdings_page(
    session: AsyncSession, raw_accession: str, *, limit: int, offset: int
) -> HoldingsPage:
    """One page of a 13F filing's holdings; 404 for an unknown or non-13F filing."""
    filing = await get_filing(session, raw_accession)
    if not is_13f(filing.form_type):
        raise NotFound(
            f"filing {filing.accession_number} is a {filing.form_type}, not a 13F",
            details={"accession_number": filing.accession_number},
        )
    rows, total = await repo.holdings_page(session, filing.uuid, limit=limit, offset=offset)
    return HoldingsPage(
        accession_number=filing.accession_number,
        form_type=filing.form_type,
        amendment_type=filing.amendment_type,
        filing_uuid=filing.uuid,
        value_total_dollars=filing.value_total_dollars,
        total=total,
        limit=limit,
        offset=offset,
        holdings=[_holding(row) for row in rows],
    )


async def cached_cusip(session: AsyncSession, cusip: str) -> CusipMap | None:
    """The cache row of `cusip` (normalized by `securities.normalize_cusip`): mapped, a known
    miss, or None when never asked."""
    return await repo.mapping(session, cusip)


async def cache_answer(
    session: AsyncSession, runtime: Runtime, answer: FigiMapping
) -> CusipMap | None:
    """Store an OpenFIGI `answer` in the cache (a writing transaction) and return its row."""
    await cusips.store(session, [answer], now=runtime.clock.now(), source="openfigi")
    return await repo.mapping(session, answer.cusip)


def _primary(rows: list[CusipMap]) -> CusipMap:
    """US common stock first, then any US listing, then the most recently updated."""

    def rank(row: CusipMap) -> tuple[int, int]:
        return (row.exch_code != "US", row.security_type != "Common Stock")

    return min(rows, key=rank)


async def ticker_cusip(
    session: AsyncSession, runtime: Runtime, raw: str, *, chain: bool = False
) -> TickerOut:
    """The current primary CUSIP of a ticker (any spelling: `brk.b` and `BRKB` are `BRK-B`,
    `securities.resolve_ticker`), with the issuer's CIK from SEC's ticker list; with `chain`,
    its successor chain too. 404 when no cached CUSIP maps to it."""
    ticker = securities.resolve_ticker(runtime.catalog, raw)
    rows = list(await repo.mappings_for_ticker(session, ticker))
    if not rows:
        raise NotFound(f"no CUSIP maps to ticker {ticker}", details={"ticker": ticker})
    row = _primary(rows)
    entry = runtime.catalog.lookup(ticker)
    return TickerOut(
        ticker=ticker,
        cusip=row.cusip,
        issuer_name=row.name or (entry.title if entry else None),
        cik=_cik(entry.cik) if entry else None,
        figi=row.figi,
        chain=securities.chain_of(row) if chain else None,
    )
