"""Thin routes of the backtests surface (x3algo backtests; issue 6 item 5): `POST /api/backtests`
queues a run, `GET /api/backtests` lists them, `GET /api/backtests/{id}` reads one with its
`results`, `equityCurve[{date, balance}]` and `trades`. Same auth and error body as the
algorithms routes (`routing.X3Route`); rules in `backtests`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from sniper.accounts.auth import CurrentAccount
from sniper.deps import RuntimeDep, SessionDep
from sniper.models import TradingAlgorithm
from sniper.trading.algorithms import backtests
from sniper.trading.algorithms.endpoints import Limit, Page
from sniper.trading.algorithms.routing import X3Route, x3_responses
from sniper.trading.algorithms.schemas import BacktestCreate, BacktestList, BacktestOut, PageInfo

router = APIRouter(prefix="/api/backtests", tags=["backtests"], route_class=X3Route)


@router.post(
    "", status_code=201, response_model=BacktestOut, responses=x3_responses(400, 401, 404, 429)
)
async def create_backtest(
    body: BacktestCreate, session: SessionDep, runtime: RuntimeDep, account: CurrentAccount
) -> BacktestOut:
    """Queue a backtest of one of the account's algorithms over `[startDate, endDate]`: 201,
    status `queued`, progress 0. 404 for another account's algorithm; 400 for `endDate`
    before `startDate` or an incomplete algorithm (`details.missingFields`)."""
    row = await backtests.create_backtest(session, runtime, account, body)
    algorithm = await session.get(TradingAlgorithm, row.algorithm_id)
    return backtests.backtest_out(row, algorithm.name if algorithm is not None else None)


@router.get("", response_model=BacktestList, responses=x3_responses(400, 401, 429))
async def list_backtests(
    session: SessionDep,
    account: CurrentAccount,
    page: Page = 1,
    limit: Limit = 20,
    algorithm_id: Annotated[str | None, Query(alias="algorithmId", max_length=64)] = None,
    status: Literal["queued", "running", "completed", "failed"] | None = None,
    sort: Literal["createdAt", "completedAt"] = "createdAt",
    order: Literal["asc", "desc"] = "desc",
) -> BacktestList:
    """The account's backtests, `{data, pagination}` (no curves or trades), by `sort`
    (`createdAt` default, or `completedAt`: unfinished ones last) in `order` (`desc` default)."""
    rows, total = await backtests.list_backtests(
        session,
        account,
        algorithm_id=algorithm_id,
        status=status,
        sort=sort,
        order=order,
        limit=limit,
        offset=(page - 1) * limit,
    )
    return BacktestList(
        data=[backtests.backtest_summary(row, name) for row, name in rows],
        pagination=PageInfo(
            page=page, limit=limit, total=total, total_pages=(total + limit - 1) // limit
        ),
    )


@router.get(
    "/{backtest_id}", response_model=BacktestOut, responses=x3_responses(400, 401, 404, 429)
)
async def get_backtest(
    backtest_id: Annotated[str, Path(description="Backtest id (`bt_...`).")],
    session: SessionDep,
    account: CurrentAccount,
) -> BacktestOut:
    """One backtest with `results`, `equityCurve` and `trades`; 404 for another account's."""
    return backtests.backtest_out(*await backtests.get_backtest(session, account, backtest_id))
