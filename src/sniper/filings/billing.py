"""Per-call token costs of the Finradar reference endpoints, and the charge of one call.

Costs are the pages' "N tokens" badges (uat.finradarapi.com/docs/reference-data/cusip-api/*,
/docs/sec-filings/sec-filings-api/*). A call is charged once, after its answer is built, so
a 400 or 404 costs nothing; a balance below the cost is a 402 `INSUFFICIENT_TOKENS` and
nothing is debited. A GET's request transaction only reads (`sniper.db.engine`), so its
charge is a short write transaction of its own, committed before the 200 is sent; a POST is
charged in its request transaction.
"""

from __future__ import annotations

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from sniper.accounts import ledger
from sniper.db.session import transaction
from sniper.kit.http import request_id
from sniper.models import Account
from sniper.runtime import Runtime

COSTS: dict[str, int] = {
    "GET /api/v1/cusip/lookup/{cusip}": 1,
    "GET /api/v1/cusip/ticker/{ticker}": 1,
    "GET /api/v1/cusip/chain/{cusip}": 5,
    "POST /api/v1/cusip/batch": 5,
    "GET /api/v1/sec/filings": 5,
    "GET /api/v1/sec/filings/{accession_number}": 5,
    "GET /api/v1/sec/forms": 1,
    "GET /api/v1/sec/forms/{form_type}": 5,
    "GET /api/v1/sec/filings/stats": 5,
    "GET /api/v1/filings": 5,  # the alias page: "cost ... identical" (its badge says 10)
}


def _cause(request: Request) -> str:
    route = request.scope.get("route")
    path = getattr(route, "path_format", request.url.path)  # `{ticker:path}` -> `{ticker}`
    return f"{request.method} {path}"


async def charge_in(
    session: AsyncSession, runtime: Runtime, request: Request, account: Account
) -> None:
    """Charge the call's cost (COSTS, by route) in `session`, a writing transaction."""
    cause = _cause(request)
    await ledger.charge(
        session,
        account.id,
        COSTS.get(cause, 0),
        cause=cause,
        request_id=request_id(request),
        now=runtime.clock.now(),
    )


async def charge(runtime: Runtime, request: Request, account: Account) -> None:
    """Charge a GET's cost in a write transaction of its own (committed on return)."""
    async with transaction(runtime.sessions) as session:
        await charge_in(session, runtime, request, account)
