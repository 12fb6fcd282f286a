"""Thin routes of the trading-control surface (seed 004; DESIGN.md "Trading control plane").

Client (any API key: Bearer, `X-API-Key` or `?apiKey=`): `GET /api/v1/trading/status`,
`POST /api/v1/trading/{pause,resume,stop,start}` (optional `reason` ≤ 500 chars in a JSON body
`{"reason": ..}` or the query), `GET /api/v1/trading/audit`.
Admin (404 to everyone else): `GET /api/v1/admin/trading/status`,
`POST /api/v1/admin/trading/{emergency,soft-pause,system-stop}` and `.../{kind}/clear` (JSON body
with a required `reason`; soft pause also `until`), `GET /api/v1/admin/trading/audit`.
Errors are `{"detail": ...}` (`routing.DetailRoute`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Body, Query, Request, Response

from sniper.accounts.auth import AdminAccount, CurrentAccount
from sniper.deps import RuntimeDep, SessionDep
from sniper.errors import Conflict
from sniper.kit.http import request_id
from sniper.trading.control import service as control
from sniper.trading.control.commands import CLIENT_COMMANDS, ClientCommand, SystemAction
from sniper.trading.control.routing import DetailRoute, detail_responses, error_response
from sniper.trading.control.schemas import (
    REASON_MAX,
    AdminStatus,
    AuditPage,
    ClientCommandBody,
    SoftPauseBody,
    SystemCommandBody,
    SystemCommandResult,
    TradingCommandResult,
    TradingStatus,
)
from sniper.trading.control.service import Refused
from sniper.trading.control.status import SystemKind

router = APIRouter(prefix="/api/v1/trading", tags=["trading control"], route_class=DetailRoute)
admin_router = APIRouter(
    prefix="/api/v1/admin/trading", tags=["trading control (admin)"], route_class=DetailRoute
)
Limit = Annotated[int, Query(ge=1, le=200, description="Entries per page, 1-200.")]
MAX_ROW_ID = 2**31 - 1  # INTEGER primary keys on PostgreSQL: larger is a 422, not a 500
BeforeId = Annotated[
    int | None, Query(alias="beforeId", ge=1, le=MAX_ROW_ID, description="Older than this id.")
]
CLIENT_ERRORS = detail_responses(401, 422, 429)
CLIENT_POST_ERRORS = detail_responses(400, 401, 409, 422, 429)
ADMIN_ERRORS = detail_responses(401, 404, 422, 429)
ADMIN_POST_ERRORS = detail_responses(400, 401, 404, 422, 429)
ACTIONS: tuple[tuple[SystemAction, str], ...] = (("set", ""), ("clear", "/clear"))
PATHS: dict[SystemKind, str] = {
    "emergency": "emergency",
    "soft_pause": "soft-pause",
    "system_stop": "system-stop",
}


def _actor(account_id: int) -> str:
    return f"account:{account_id}"


@router.get("/status", response_model=TradingStatus, responses=CLIENT_ERRORS)
async def status(
    session: SessionDep, runtime: RuntimeDep, account: CurrentAccount
) -> TradingStatus:
    """The client's trading status: manual flags, system flags, derived `status`."""
    return await control.client_status(session, account, runtime.clock.now())


ClientCommandEndpoint = Callable[..., Awaitable[TradingCommandResult | Response]]


def _client_command(command: ClientCommand) -> ClientCommandEndpoint:
    async def endpoint(
        request: Request,
        session: SessionDep,
        runtime: RuntimeDep,
        account: CurrentAccount,
        body: Annotated[ClientCommandBody | None, Body()] = None,
        reason: Annotated[str | None, Query(max_length=REASON_MAX)] = None,
    ) -> TradingCommandResult | Response:
        text = body.reason if body is not None and body.reason else (reason or "").strip()
        outcome = await control.client_command(
            session,
            runtime.publisher,
            account,
            command,
            reason=text or None,
            actor=_actor(account.id),
            request_id=request_id(request),
            now=runtime.clock.now(),
        )
        if isinstance(outcome, Refused):  # answered, not raised: the audit row commits
            return error_response(request, Conflict(outcome.message))
        return outcome

    endpoint.__doc__ = (
        f"`{command}` this client's trading; the status after it and `result` (seed 004). "
        "409 for resume / start while a system flag is in force."
    )
    return endpoint


for _command in CLIENT_COMMANDS:
    router.add_api_route(
        f"/{_command}",
        _client_command(_command),
        methods=["POST"],
        name=f"trading_{_command}",
        response_model=TradingCommandResult,
        responses=CLIENT_POST_ERRORS,
    )


@router.get("/audit", response_model=AuditPage, responses=CLIENT_ERRORS)
async def audit(
    session: SessionDep, account: CurrentAccount, limit: Limit = 50, before_id: BeforeId = None
) -> AuditPage:
    """This client's control commands, newest first."""
    entries = await control.audit(session, account_id=account.id, limit=limit, before_id=before_id)
    return AuditPage(entries=entries)


@admin_router.get("/status", response_model=AdminStatus, responses=ADMIN_ERRORS)
async def admin_status(session: SessionDep, runtime: RuntimeDep, _: AdminAccount) -> AdminStatus:
    """System flags and every client's derived status."""
    return await control.admin_status(session, runtime.clock.now())


@admin_router.get("/audit", response_model=AuditPage, responses=ADMIN_ERRORS)
async def admin_audit(
    session: SessionDep,
    _: AdminAccount,
    limit: Limit = 50,
    before_id: BeforeId = None,
    client: Annotated[
        int | None, Query(ge=1, le=MAX_ROW_ID, description="Only this client's rows.")
    ] = None,
) -> AuditPage:
    """Every control command (client and system), newest first."""
    entries = await control.audit(session, account_id=client, limit=limit, before_id=before_id)
    return AuditPage(entries=entries)


SystemEndpoint = Callable[..., Awaitable[SystemCommandResult]]


@admin_router.post(
    "/soft-pause",
    name="admin_trading_soft_pause",
    response_model=SystemCommandResult,
    responses=ADMIN_POST_ERRORS,
)
async def soft_pause(
    body: SoftPauseBody,
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    admin: AdminAccount,
) -> SystemCommandResult:
    """Soft-pause every client (reason required); with `until` it ends by itself then."""
    return await control.system_command(
        session,
        runtime.publisher,
        "soft_pause",
        "set",
        reason=body.reason,
        until=body.until,
        actor=_actor(admin.id),
        request_id=request_id(request),
        now=runtime.clock.now(),
    )


def _system_command(kind: SystemKind, action: SystemAction) -> SystemEndpoint:
    async def endpoint(
        body: SystemCommandBody,
        request: Request,
        session: SessionDep,
        runtime: RuntimeDep,
        admin: AdminAccount,
    ) -> SystemCommandResult:
        return await control.system_command(
            session,
            runtime.publisher,
            kind,
            action,
            reason=body.reason,
            actor=_actor(admin.id),
            request_id=request_id(request),
            now=runtime.clock.now(),
        )

    verb = "Set" if action == "set" else "Clear"
    endpoint.__doc__ = f"{verb} `{kind}` for every client (reason required)."
    return endpoint


for _kind, _path in PATHS.items():
    for _action, _suffix in ACTIONS:
        if (_kind, _action) == ("soft_pause", "set"):
            continue  # `soft_pause` above: its body also takes `until`
        admin_router.add_api_route(
            f"/{_path}{_suffix}",
            _system_command(_kind, _action),
            methods=["POST"],
            name=f"admin_trading_{_kind}{_suffix.replace('/', '_')}",
            response_model=SystemCommandResult,
            responses=ADMIN_POST_ERRORS,
        )
