"""Trading control page: the client's derived status with every flag, reason and timestamp,
the order gate's answer for new entries, pause / stop / resume / start, the audit trail; for
admins the emergency / soft-pause / system-stop switches (reason and a confirmation box)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from sniper.dashboard import session
from sniper.dashboard.pages import VisitorDep, act, back, render
from sniper.deps import RuntimeDep, SessionDep
from sniper.errors import BadRequest, Forbidden, NotFound
from sniper.kit.http import request_id
from sniper.trading.control import service as control
from sniper.trading.control.commands import CLIENT_COMMANDS, SystemAction
from sniper.trading.control.service import Refused
from sniper.trading.control.status import SystemKind

router = APIRouter(prefix="/dashboard", include_in_schema=False)
PAGE = "/dashboard/trading"
SYSTEM_KINDS: dict[str, SystemKind] = {
    "emergency": "emergency",
    "soft_pause": "soft_pause",
    "system_stop": "system_stop",
}


@router.get("/trading", response_class=HTMLResponse)
async def trading_page(
    request: Request, db: SessionDep, runtime: RuntimeDep, who: VisitorDep
) -> Response:
    """Status, commands and audit of the signed-in client (and the system switches for admins)."""
    now = runtime.clock.now()
    status = await control.client_status(db, who.account, now)
    system = await control.system_status(db, now)
    entries = await control.audit(
        db, account_id=None if who.account.is_admin else who.account.id, limit=30
    )
    return render(
        request,
        "trading.html",
        who,
        "Trading control",
        status=status,
        system=system,
        commands=CLIENT_COMMANDS,
        kinds=SYSTEM_KINDS,
        entries=entries,
    )


@router.post("/trading/{command}", response_class=HTMLResponse)
async def client_command(
    command: str, request: Request, db: SessionDep, runtime: RuntimeDep, who: VisitorDep
) -> Response:
    """pause / resume / stop / start this client (optional `reason`); a refusal (a system flag
    in force) is shown as the problem, its audit row kept."""
    fields = await session.form(request, who)
    if command not in CLIENT_COMMANDS:
        return back(PAGE, problem=f"unknown command {command!r}")
    outcome = await control.client_command(
        db,
        runtime.publisher,
        who.account,
        command,
        reason=fields.get("reason", "").strip() or None,
        actor=f"account:{who.account.id}",
        request_id=request_id(request),
        now=runtime.clock.now(),
    )
    if isinstance(outcome, Refused):
        return back(PAGE, problem=f"{command} refused: {outcome.message}")
    return back(PAGE, notice=f"{command}: {outcome.result}")


@router.post("/trading/system/{kind}/{action}", response_class=HTMLResponse)
async def system_command(
    kind: str,
    action: str,
    request: Request,
    db: SessionDep,
    runtime: RuntimeDep,
    who: VisitorDep,
) -> Response:
    """Set or clear a system flag: admins only, `reason` required, `confirm` ticked."""
    fields = await session.form(request, who)

    async def run() -> str:
        if not who.account.is_admin:
            raise Forbidden("Only an admin account can set or clear system flags")
        if kind not in SYSTEM_KINDS or action not in ("set", "clear"):
            raise NotFound(f"unknown system switch {kind}/{action}")
        reason = fields.get("reason", "").strip()
        if not reason:
            raise BadRequest("reason: give a reason (it goes to the audit trail)")
        if fields.get("confirm") != "yes":
            raise BadRequest("confirm: tick the confirmation box")
        verb: SystemAction = "set" if action == "set" else "clear"
        result = await control.system_command(
            db,
            runtime.publisher,
            SYSTEM_KINDS[kind],
            verb,
            reason=reason,
            actor=f"account:{who.account.id}",
            request_id=request_id(request),
            now=runtime.clock.now(),
        )
        return f"{kind} {action}: {result.result}"

    return await act(request, PAGE, run)
