"""Thin routes of the Finradar reference endpoints: SEC filings, CUSIPs, 13F holdings."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from sniper.accounts.auth import CurrentAccount
from sniper.db.session import transaction
from sniper.deps import RuntimeDep, SessionDep
from sniper.filings import service
from sniper.filings.schemas import CusipOut, FilingOut, HoldingsPage, TickerOut
from sniper.kit.envelope import Envelope, wrap
from sniper.kit.openapi import error_responses
from sniper.kit.pagination import Offset
from sniper.models import Detection

router = APIRouter(prefix="/api/v1", tags=["reference"])


@router.get(
    "/sec/filings/{accession_number}",
    response_model=Envelope[FilingOut],
    responses=error_responses(404),
)
async def get_filing(
    accession_number: str,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    _account: CurrentAccount,
) -> Envelope[FilingOut]:
    """Metadata and document links of an ingested filing (dashed or 18-digit accession)."""
    filing = await service.get_filing(session, accession_number)
    detection = await session.get(Detection, filing.accession_number)
    return wrap(request, runtime.wall_clock, service.filing_out(filing, detection))


@router.get(
    "/form-13f/filings/{accession_number}/holdings",
    response_model=Envelope[HoldingsPage],
    responses=error_responses(404),
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


@router.get(
    "/cusip/lookup/{cusip}", response_model=Envelope[CusipOut], responses=error_responses(404)
)
async def lookup_cusip(
    cusip: str,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    _account: CurrentAccount,
) -> Envelope[CusipOut]:
    """The FIGI, ticker and issuer a CUSIP maps to (OpenFIGI, cached; 404 when nothing maps)."""
    wanted = service.cusip_or_400(cusip)
    row = await service.cached_cusip(session, wanted)
    answer = await service.ask_openfigi(runtime, wanted) if row is None else None
    if answer is not None:  # a GET's own transaction only reads (sniper.db.engine): the answer,
        # a known miss included, is cached in a short write transaction, committed before a 404
        async with transaction(runtime.sessions) as writer:
            row = await service.cache_answer(writer, runtime, answer)
    return wrap(request, runtime.wall_clock, service.cusip_out(row, wanted))


@router.get(
    "/cusip/ticker/{ticker}", response_model=Envelope[TickerOut], responses=error_responses(404)
)
async def ticker_cusip(
    ticker: str,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    _account: CurrentAccount,
) -> Envelope[TickerOut]:
    """The current primary CUSIP, issuer and CIK of a ticker."""
    return wrap(request, runtime.wall_clock, await service.ticker_cusip(session, runtime, ticker))
