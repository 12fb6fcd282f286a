"""Thin routes of the Finradar reference endpoints: SEC filings, CUSIPs, 13F holdings.

Filings, 13F tables and CUSIP mappings are shared reference data (no account owns them), so
any authenticated account reads them. Priced calls are charged after their answer is built
(`billing`): a 400 or 404 costs nothing, a short balance is a 402.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from sniper.accounts.auth import CurrentAccount
from sniper.db.session import transaction
from sniper.deps import RuntimeDep, SessionDep
from sniper.filings import billing, funds, listing, securities, service
from sniper.filings.schemas import (
    CusipBatchIn,
    CusipBatchOut,
    CusipChainOut,
    CusipIssuerOut,
    CusipOut,
    CusipSearchOut,
    CusipStatsOut,
    FilingOut,
    FilingsList,
    FilingStatsOut,
    FormTypeOut,
    FundReport,
    HoldingsPage,
    Latest13F,
    TickerOut,
)
from sniper.kit.envelope import Envelope, wrap
from sniper.kit.http import request_id
from sniper.kit.openapi import error_responses
from sniper.kit.pagination import MAX_OFFSET, Offset
from sniper.kit.timefmt import iso_z
from sniper.models import Detection

router = APIRouter(prefix="/api/v1", tags=["reference"])
PRICED = error_responses(400, 402, 404)
FREE_KEYED = error_responses(400, 404)
DAY = r"^\d{4}-\d{2}-\d{2}$"  # YYYY-MM-DD (a calendar check follows: listing.parse_day)


@router.get("/sec/filings", response_model=FilingsList, responses=error_responses(400, 402))
@router.get("/filings", response_model=FilingsList, responses=error_responses(400, 402))
async def list_filings(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    account: CurrentAccount,
    ticker: Annotated[str | None, Query(max_length=32, examples=["AAPL"])] = None,
    cik: Annotated[str | None, Query(max_length=10, examples=["0000320193"])] = None,
    form_type: Annotated[str | None, Query(max_length=32, examples=["4"])] = None,
    from_date: Annotated[str | None, Query(pattern=DAY, examples=["2026-01-01"])] = None,
    to_date: Annotated[str | None, Query(pattern=DAY, examples=["2026-04-01"])] = None,
    sort: Annotated[
        str,
        Query(
            max_length=32,
            description="filed_date:desc (default), "
            "filed_date:asc, updated_at:asc|desc, asc, desc.",
        ),
    ] = "filed_date:desc",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> FilingsList:
    """Stored filings (those Sniper detected), filterable by ticker or CIK (filer or issuer),
    form type and filing date; 5 tokens. Finradar backfills a cold ticker from EDGAR, Sniper
    does not: the list holds what the pipeline ingested. `/api/v1/filings` is the same
    handler (the alias page); it answers this body, not that page's `filings` / cursor one."""
    rows, page = await listing.filings_page(
        session,
        runtime.catalog,
        ticker=ticker,
        cik=cik,
        form_type=form_type,
        from_date=from_date,
        to_date=to_date,
        sort=sort,
        limit=limit,
        offset=offset,
    )
    await billing.charge(runtime, request, account)
    return FilingsList(
        request_id=request_id(request),
        timestamp=iso_z(runtime.wall_clock.now()),
        data=rows,
        pagination=page,
    )


@router.get("/sec/forms", response_model=Envelope[list[FormTypeOut]], responses=PRICED)
async def list_forms(
    request: Request, session: SessionDep, runtime: RuntimeDep, account: CurrentAccount
) -> Envelope[list[FormTypeOut]]:
    """Form types among the stored filings with counts and first / last filing dates, most
    filed first; 1 token."""
    forms = await listing.form_types(session)
    await billing.charge(runtime, request, account)
    return wrap(request, runtime.wall_clock, forms)


@router.get("/sec/filings/stats", response_model=Envelope[FilingStatsOut], responses=PRICED)
async def filing_stats(
    request: Request, session: SessionDep, runtime: RuntimeDep, account: CurrentAccount
) -> Envelope[FilingStatsOut]:
    """Counts over the stored filings: the total, the 10 most filed form types (rows of
    `/sec/forms`) and the newest filing date; 5 tokens."""
    stats = await listing.filing_stats(session)
    await billing.charge(runtime, request, account)
    return wrap(request, runtime.wall_clock, stats)


@router.get("/sec/forms/{form_type:path}", response_model=Envelope[FormTypeOut], responses=PRICED)
async def get_form(
    form_type: str,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    account: CurrentAccount,
) -> Envelope[FormTypeOut]:
    """One row of `/sec/forms` (`13F-HR`, `10-K/A`; exact, else case-insensitive); 404 when
    no stored filing has the form type; 5 tokens."""
    form = await listing.form_type(session, form_type)
    await billing.charge(runtime, request, account)
    return wrap(request, runtime.wall_clock, form)


@router.get("/sec/filings/{accession_number}", response_model=Envelope[FilingOut], responses=PRICED)
async def get_filing(
    accession_number: str,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    account: CurrentAccount,
) -> Envelope[FilingOut]:
    """Metadata and document links of an ingested filing (dashed or 18-digit accession);
    5 tokens."""
    filing = await service.get_filing(session, accession_number)
    detection = await session.get(Detection, filing.accession_number)
    await billing.charge(runtime, request, account)
    return wrap(request, runtime.wall_clock, service.filing_out(filing, detection))


@router.get(
    "/form-13f/filings/{accession_number}/holdings",
    response_model=Envelope[HoldingsPage],
    responses=error_responses(400, 404),
)
async def list_holdings(
    accession_number: str,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    _account: CurrentAccount,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Offset = 0,
) -> Envelope[HoldingsPage]:
    """A 13F filing's information table in table order, values in dollars."""
    page = await service.holdings_page(session, accession_number, limit=limit, offset=offset)
    return wrap(request, runtime.wall_clock, page)


@router.get("/cusip/lookup/{cusip}", response_model=Envelope[CusipOut], responses=PRICED)
async def lookup_cusip(
    cusip: str,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    account: CurrentAccount,
) -> Envelope[CusipOut]:
    """The ticker, issuer, CIK, CUSIP6 and security group a CUSIP maps to (OpenFIGI, cached;
    8 characters are zero-padded to 9; 404 when nothing maps); 1 token."""
    wanted = securities.normalize_cusip(cusip)
    row = await service.cached_cusip(session, wanted)
    answers = await securities.ask_openfigi(runtime, [wanted]) if row is None else {}
    if wanted in answers:  # a GET's own transaction only reads (sniper.db.engine): the answer,
        # a known miss included, is cached in a short write transaction, committed before a 404
        async with transaction(runtime.sessions) as writer:
            row = await service.cache_answer(writer, runtime, answers[wanted])
    out = securities.cusip_out(runtime.catalog, row, wanted)
    await billing.charge(runtime, request, account)
    return wrap(request, runtime.wall_clock, out)


@router.get("/cusip/ticker/{ticker:path}", response_model=Envelope[TickerOut], responses=PRICED)
async def ticker_cusip(
    ticker: str,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    account: CurrentAccount,
    chain: Annotated[bool, Query(description="Add the successor chain (`chain[]`).")] = False,
) -> Envelope[TickerOut]:
    """The current primary CUSIP, issuer and CIK of a ticker (`BRK.A`, `BRK/A`, `BRKA` are
    `BRK-A`); with `?chain=true` its successor chain; 1 token."""
    out = await service.ticker_cusip(session, runtime, ticker, chain=chain)
    await billing.charge(runtime, request, account)
    return wrap(request, runtime.wall_clock, out)


@router.get("/cusip/chain/{cusip}", response_model=Envelope[CusipChainOut], responses=PRICED)
async def cusip_chain(
    cusip: str,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    account: CurrentAccount,
) -> Envelope[CusipChainOut]:
    """A CUSIP's successor chain, oldest first; Sniper holds no corporate-action history, so
    the chain is the current CUSIP alone; 5 tokens."""
    out = await securities.chain(session, cusip)
    await billing.charge(runtime, request, account)
    return wrap(request, runtime.wall_clock, out)


@router.post(
    "/cusip/batch", response_model=Envelope[CusipBatchOut], responses=error_responses(400, 402)
)
async def cusip_batch(
    body: CusipBatchIn,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    account: CurrentAccount,
) -> Envelope[CusipBatchOut]:
    """Up to 1,000 CUSIPs resolved in input order (unmapped ones are rows with null fields);
    5 tokens, charged in the request transaction."""
    out = await securities.batch(session, runtime, body.cusips)
    await billing.charge_in(session, runtime, request, account)
    return wrap(request, runtime.wall_clock, out)


@router.get(
    "/cusip/search", response_model=Envelope[CusipSearchOut], responses=error_responses(400)
)
async def cusip_search(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    _account: CurrentAccount,
    q: Annotated[str, Query(max_length=100, examples=["apple"])],
    limit: Annotated[int, Query(ge=1, le=1_000_000, description="1-100; more clamps to 100.")] = 50,
    offset: Offset = 0,
) -> Envelope[CusipSearchOut]:
    """Mapped CUSIPs whose CUSIP or ticker starts with `q` or whose issuer name contains it,
    best first; no matches is an empty `results`, not a 404. The page names no cost: free."""
    out = await securities.search(session, runtime.catalog, q, limit=limit, offset=offset)
    return wrap(request, runtime.wall_clock, out)


@router.get("/cusip/cusip6/{cusip6}", response_model=Envelope[CusipIssuerOut], responses=FREE_KEYED)
async def cusip6_securities(
    cusip6: str,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    _account: CurrentAccount,
) -> Envelope[CusipIssuerOut]:
    """All mapped CUSIPs sharing a 6-character issuer prefix (case-insensitive), by security
    group then ticker; 404 when none. The page names no cost: free."""
    out = await securities.by_cusip6(session, runtime.catalog, cusip6)
    return wrap(request, runtime.wall_clock, out)


@router.get("/cusip/cik/{cik}", response_model=Envelope[CusipIssuerOut], responses=FREE_KEYED)
async def cik_securities(
    cik: str,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    _account: CurrentAccount,
) -> Envelope[CusipIssuerOut]:
    """All mapped CUSIPs of an SEC CIK (`320193` or `0000320193`) through the tickers SEC's
    catalog gives it; 404 when none. The page names no cost: free."""
    out = await securities.by_cik(session, runtime.catalog, cik)
    return wrap(request, runtime.wall_clock, out)


@router.get("/cusip/stats", response_model=Envelope[CusipStatsOut])
async def cusip_stats(
    request: Request, session: SessionDep, runtime: RuntimeDep, _account: CurrentAccount
) -> Envelope[CusipStatsOut]:
    """Counts over the CUSIP cache: total, mapped (with a ticker), unmapped, with a CIK, the
    mapping rate (percent) and the security-group breakdown. The page names no cost: free."""
    return wrap(request, runtime.wall_clock, await securities.stats(session, runtime))


@router.get("/form-13f/fund/{cik}", response_model=FundReport, responses=error_responses(400, 404))
async def fund_report(
    cik: str,
    session: SessionDep,
    _account: CurrentAccount,
    period: Annotated[str | None, Query(pattern=DAY, description="Quarter end.")] = None,
    limit: Annotated[int | None, Query(ge=1, le=1000)] = None,
    size: Annotated[int | None, Query(ge=1, le=1000, description="Alias of limit.")] = None,
    offset: Annotated[int | None, Query(ge=0, le=MAX_OFFSET)] = None,
    from_: Annotated[
        int | None, Query(alias="from", ge=0, le=MAX_OFFSET, description="Alias of offset.")
    ] = None,
) -> FundReport:
    """A fund's 13F report (its latest quarter, or `period`) with paginated holdings (default
    50) as filed, values in dollars; free. 404 when Sniper holds no 13F of the fund."""
    return await funds.fund_report(
        session,
        cik,
        listing.parse_day(period, "period"),
        limit=limit or size or 50,
        offset=offset if offset is not None else (from_ or 0),
    )


@router.get(
    "/form-13f/latest", response_model=Envelope[list[Latest13F]], responses=error_responses(400)
)
async def latest_13f(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    _account: CurrentAccount,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Envelope[list[Latest13F]]:
    """The most recently parsed 13F filings across funds, newest parse first; free."""
    return wrap(request, runtime.wall_clock, await funds.latest(session, limit))
