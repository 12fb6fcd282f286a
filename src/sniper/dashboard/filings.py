"""Filings pages: the filings Sniper detected and stored (newest first), and one filing with
its documents and, for a 13F, its holdings table (sortable; values in dollars, ticker, FIGI)
and totals. Viewing costs no tokens (the API's reference calls do)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from sniper.dashboard.pages import VisitorDep, render
from sniper.deps import RuntimeDep, SessionDep
from sniper.filings import listing, service
from sniper.models import Detection

router = APIRouter(prefix="/dashboard", include_in_schema=False)
HOLDINGS_SHOWN = 1000


@router.get("/filings", response_class=HTMLResponse)
async def filings_page(
    request: Request, db: SessionDep, runtime: RuntimeDep, who: VisitorDep
) -> Response:
    """The latest 100 stored filings with links to each."""
    rows, page = await listing.filings_page(
        db,
        runtime.catalog,
        ticker=None,
        cik=None,
        form_type=None,
        from_date=None,
        to_date=None,
        sort="filed_date:desc",
        limit=100,
        offset=0,
    )
    return render(request, "filings.html", who, "Filings", rows=rows, total=page.total)


@router.get("/filings/{accession_number}", response_class=HTMLResponse)
async def filing_page(
    accession_number: str, request: Request, db: SessionDep, who: VisitorDep
) -> Response:
    """One filing: metadata, detection, documents; a 13F's first 1000 holdings and totals."""
    filing = await service.get_filing(db, accession_number)
    out = service.filing_out(filing, await db.get(Detection, filing.accession_number))
    holdings = None
    if out.form_13f is not None:
        holdings = await service.holdings_page(
            db, out.accession_number, limit=HOLDINGS_SHOWN, offset=0
        )
    return render(
        request,
        "filing.html",
        who,
        f"{out.form_type} {out.accession_number}",
        filing=out,
        holdings=holdings,
    )
