"""Thin routes of the Finradar sniper module (seeds 000-002)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from sniper.accounts.auth import CurrentAccount, RuntimeDep, SessionDep
from sniper.kit.http import request_id
from sniper.targets import service
from sniper.targets.schemas import (
    CreateTargetRequest,
    ListMeta,
    StopResult,
    TargetList,
    TargetOut,
)

router = APIRouter(prefix="/api/v1/sniper", tags=["sniper"])


@router.post("/targets", response_model=TargetOut)
async def create_target(
    body: CreateTargetRequest, session: SessionDep, runtime: RuntimeDep, account: CurrentAccount
) -> TargetOut:
    """Create a target; 200 with the target (seed 001)."""
    target = await service.create_target(session, runtime, account, body)
    return TargetOut.model_validate(target)


@router.get("/targets", response_model=TargetList)
async def list_targets(
    session: SessionDep,
    runtime: RuntimeDep,
    account: CurrentAccount,
    status: str | None = None,
    ticker: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> TargetList:
    """The account's targets, newest first, with `meta` (seed 002)."""
    rows, total, active, slots = await service.list_targets(
        session, runtime, account, status=status, ticker=ticker, limit=limit, offset=offset
    )
    return TargetList(
        targets=[TargetOut.model_validate(row) for row in rows],
        meta=ListMeta(
            total=total, limit=limit, offset=offset, active_count=active, slots_available=slots
        ),
    )


@router.post("/targets/{target_id}/stop", response_model=StopResult)
async def stop_target(
    target_id: str,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    account: CurrentAccount,
) -> StopResult:
    """Stop a target; idempotent, 404 for unknown or another account's target (seed 000)."""
    target, slots = await service.stop_target(
        session, runtime, account, target_id, request_id=request_id(request)
    )
    return StopResult(
        target_id=target.id,
        ticker=target.ticker,
        status=target.status,
        resolution_reason=target.resolution_reason,
        stopped_at=target.stopped_at,
        slots_available=slots,
    )
