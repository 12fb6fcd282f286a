"""Thin routes of the algorithms surface (x3algo seed 003; DESIGN.md "API surfaces", "Trading
algorithms"): `/api/trading/algorithms` CRUD and `.../{id}/start|stop|pause|resume`.

Auth: an API key as `Authorization: Bearer`, `X-API-Key` or `?apiKey=`. Bodies are camelCase;
errors are x3algo's `{"error": {...}}` (`routing.X3Route`); the status rules are in `service`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Path, Query, Response
from sqlalchemy.ext.asyncio import AsyncSession

from sniper.accounts.auth import CurrentAccount
from sniper.deps import RuntimeDep, SessionDep
from sniper.models import Account, TradingAlgorithm
from sniper.trading.algorithms import repository as repo
from sniper.trading.algorithms import service as algorithms
from sniper.trading.algorithms.config import StrategyType
from sniper.trading.algorithms.routing import X3Route, x3_responses
from sniper.trading.algorithms.schemas import (
    AlgorithmCreate,
    AlgorithmList,
    AlgorithmOut,
    CommandResult,
    PageInfo,
)
from sniper.trading.algorithms.service import performances

router = APIRouter(prefix="/api/trading/algorithms", tags=["algorithms"], route_class=X3Route)
AlgorithmId = Annotated[str, Path(description="Algorithm id (`alg_...`).")]
Page = Annotated[int, Query(ge=1, le=10_000_000, description="Page number, from 1.")]
Limit = Annotated[int, Query(ge=1, le=100, description="Items per page, 1-100.")]
ListedStatus = Literal["draft", "stopped", "active", "paused", "error"]
PatchBody = Annotated[
    dict[str, Any],
    Body(
        description="Any fields of the algorithm object to change (name, description, "
        "configuration sections). Nested objects merge; lists and values replace; null "
        "removes. The merged algorithm must be valid.",
        examples=[{"riskParameters": {"maxDailyLoss": 3}}],
    ),
]
READ_ERRORS = x3_responses(400, 401, 404, 429)
COMMAND_ERRORS = x3_responses(400, 401, 403, 404, 409, 422, 429)
MESSAGES = {
    "start": "Algorithm started successfully",
    "stop": "Algorithm stopped successfully",
    "pause": "Algorithm paused successfully",
    "resume": "Algorithm resumed successfully",
}


async def algorithm_out(session: AsyncSession, row: TradingAlgorithm) -> AlgorithmOut:
    """The x3algo algorithm object of `row`, with its ledger's `performance`."""
    return (await algorithm_outs(session, [row]))[0]


async def algorithm_outs(session: AsyncSession, rows: list[TradingAlgorithm]) -> list[AlgorithmOut]:
    found = await performances(session, [row.id for row in rows])
    return [
        AlgorithmOut.model_validate(
            {
                **row.config,
                "id": row.id,
                "name": row.name,
                "description": row.description,
                "status": row.status,
                "active": row.status == "active",
                "version": row.version,
                "performance": found[row.id],
                "createdAt": row.created_at,
                "updatedAt": row.updated_at,
            }
        )
        for row in rows
    ]


@router.post(
    "", status_code=201, response_model=AlgorithmOut, responses=x3_responses(400, 401, 429)
)
async def create_algorithm(
    body: AlgorithmCreate, session: SessionDep, runtime: RuntimeDep, account: CurrentAccount
) -> AlgorithmOut:
    """Create an algorithm: 201, status `draft`, version 1 (the configuration may be
    incomplete; `name` is required)."""
    row = await algorithms.create(session, account, body, runtime.clock.now())
    return await algorithm_out(session, row)


@router.get("", response_model=AlgorithmList, responses=x3_responses(400, 401, 429))
async def list_algorithms(
    session: SessionDep,
    account: CurrentAccount,
    page: Page = 1,
    limit: Limit = 20,
    status: ListedStatus | None = None,
    strategy_type: Annotated[StrategyType | None, Query(alias="strategyType")] = None,
    sort: Literal["createdAt", "updatedAt", "name"] = "createdAt",
    order: Literal["asc", "desc"] = "desc",
) -> AlgorithmList:
    """The account's algorithms (deleted ones never), `{data, pagination}`; ties by id."""
    rows, total = await repo.list_page(
        session,
        account.id,
        status=status,
        strategy_type=strategy_type,
        sort=sort,
        order=order,
        limit=limit,
        offset=(page - 1) * limit,
    )
    pages = (total + limit - 1) // limit
    return AlgorithmList(
        data=await algorithm_outs(session, list(rows)),
        pagination=PageInfo(page=page, limit=limit, total=total, total_pages=pages),
    )


@router.get("/{algorithm_id}", response_model=AlgorithmOut, responses=READ_ERRORS)
async def get_algorithm(
    algorithm_id: AlgorithmId, session: SessionDep, account: CurrentAccount
) -> AlgorithmOut:
    """One algorithm with its `performance`; 404 for an unknown, deleted or another account's
    id."""
    return await algorithm_out(session, await algorithms.get(session, account, algorithm_id))


@router.patch(
    "/{algorithm_id}",
    response_model=AlgorithmOut,
    responses=x3_responses(400, 401, 403, 404, 409, 429),
)
async def update_algorithm(
    algorithm_id: AlgorithmId,
    patch: PatchBody,
    session: SessionDep,
    runtime: RuntimeDep,
    account: CurrentAccount,
) -> AlgorithmOut:
    """Merge `patch` into the algorithm, bump `version`; status becomes `stopped` when the
    configuration is complete, else `draft`. 403 while active or paused."""
    now = runtime.clock.now()
    row = await algorithms.update(session, account, algorithm_id, patch, now)
    return await algorithm_out(session, row)


@router.delete(
    "/{algorithm_id}",
    status_code=204,
    response_class=Response,
    responses=x3_responses(400, 401, 403, 404, 429),
)
async def delete_algorithm(
    algorithm_id: AlgorithmId, session: SessionDep, runtime: RuntimeDep, account: CurrentAccount
) -> Response:
    """Archive the algorithm: 204; its trades and metrics stay in the database, the API
    answers 404 for it afterwards. 403 while active or paused."""
    await algorithms.delete(session, account, algorithm_id, runtime.clock.now())
    return Response(status_code=204)


Command = Callable[[AsyncSession, Account, str, Any], Awaitable[Any]]
CommandEndpoint = Callable[..., Awaitable[CommandResult]]
COMMANDS: dict[str, Command] = {
    "start": algorithms.start,
    "stop": algorithms.stop,
    "pause": algorithms.pause,
    "resume": algorithms.resume,
}
DOCS = {
    "start": "`draft` / `stopped` → `active`. 400 `missingFields` when incomplete, 409 when "
    "the trading control plane blocks, 403 at the daily loss limit, 422 when already active.",
    "stop": "`active` / `paused` → `stopped` (seed 003): no new entries, open positions stay "
    "with their stop loss and take profit watched. 422 `Algorithm not active` otherwise.",
    "pause": "`active` → `paused`: no new entries, indicators stay warm. 422 otherwise.",
    "resume": "`paused` → `active`. 409 when the trading control plane blocks, 422 when not "
    "paused.",
}


def _command(name: str) -> CommandEndpoint:
    method = COMMANDS[name]

    async def endpoint(
        algorithm_id: AlgorithmId, session: SessionDep, runtime: RuntimeDep, account: CurrentAccount
    ) -> CommandResult:
        row = await method(session, account, algorithm_id, runtime.clock.now())
        return CommandResult(
            id=row.id,
            name=row.name,
            status=row.status,
            active=row.status == "active",
            message=MESSAGES[name],
        )

    endpoint.__doc__ = DOCS[name]
    return endpoint


for _name in COMMANDS:
    router.add_api_route(
        f"/{{algorithm_id}}/{_name}",
        _command(_name),
        methods=["POST"],
        name=f"algorithm_{_name}",
        response_model=CommandResult,
        responses=COMMAND_ERRORS,
    )
