"""Targets and Live pages: the account's targets by tab with "X of N slots used", the create
form (the API's own 400 shown beside the field it names), stop buttons, each target's outcome;
and the live stream of `/ws/main-api` frames with each hit's lag from acceptance and from first
public."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from sniper.dashboard import session
from sniper.dashboard.pages import VisitorDep, act, render
from sniper.deps import RuntimeDep, SessionDep
from sniper.errors import SniperError
from sniper.kit.timefmt import iso_z
from sniper.targets import service
from sniper.targets.schemas import CreateTargetRequest, TargetOut

router = APIRouter(prefix="/dashboard", include_in_schema=False)
TABS = {"active": "ACTIVE", "scheduled": "CREATED", "stopped": "STOPPED"}
FIELDS = ("ticker", "duration_minutes", "start_time", "end_time", "form_types", "webhook_url")


async def _page(
    request: Request,
    db: SessionDep,
    runtime: RuntimeDep,
    who: session.Visitor,
    *,
    tab: str,
    status_code: int = 200,
    **form: Any,
) -> HTMLResponse:
    status = TABS.get(tab, "ACTIVE")
    rows, total, active, _ = await service.list_targets(
        db, runtime, who.account, status=status, ticker=None, limit=200, offset=0
    )
    return render(
        request,
        "targets.html",
        who,
        "Targets",
        status_code,
        tab=tab if tab in TABS else "active",
        tabs=TABS,
        targets=[TargetOut.model_validate(row) for row in rows],
        total=total,
        used=active,
        slots=runtime.settings.plan_slots(who.account.plan),
        values=form.get("values", {}),
        errors=form.get("errors", {}),
    )


@router.get("/targets", response_class=HTMLResponse)
async def targets_page(
    request: Request, db: SessionDep, runtime: RuntimeDep, who: VisitorDep, tab: str = "active"
) -> Response:
    """The targets of one tab (`active`, `scheduled`, `stopped`) and the create form."""
    return await _page(request, db, runtime, who, tab=tab)


def request_body(fields: dict[str, str]) -> dict[str, Any]:
    """The form's fields as the API's JSON body: blanks left out, `duration_minutes` an
    integer when it is one (else the text, which the schema refuses naming the field),
    `form_types` split on commas."""
    body: dict[str, Any] = {}
    for name in FIELDS:
        value = fields.get(name, "").strip()
        if not value:
            continue
        if name == "duration_minutes":
            body[name] = int(value) if value.isdigit() else value
        elif name == "form_types":
            body[name] = [part.strip() for part in value.split(",") if part.strip()]
        else:
            body[name] = value
    return body


@router.post("/targets", response_class=HTMLResponse)
async def create_target(
    request: Request, db: SessionDep, runtime: RuntimeDep, who: VisitorDep
) -> Response:
    """Create a target from the form; 303 to the page, or the form again (400/402) with the
    API's message beside the field it names (above the form when it names none)."""
    fields = await session.form(request, who)
    errors: dict[str, str] = {}
    status_code = 400
    try:
        body = CreateTargetRequest.model_validate(request_body(fields))
        target = await service.create_target(db, runtime, who.account, body)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "form"
        errors[field] = f"{field}: {first['msg']}"
    except SniperError as exc:
        errors[str(exc.details.get("field", "form"))] = exc.message
        status_code = exc.status
    else:
        tab = "active" if target.status == "ACTIVE" else "scheduled"
        return await act(
            request, f"/dashboard/targets?tab={tab}", _created(target.ticker, target.id)
        )
    return await _page(
        request,
        db,
        runtime,
        who,
        tab="active",
        status_code=status_code,
        values=fields,
        errors=errors,
    )


def _created(ticker: str, target_id: str) -> Any:
    async def notice() -> str:
        return f"Target {target_id} on {ticker} created"

    return notice


@router.post("/targets/{target_id}/stop", response_class=HTMLResponse)
async def stop_target(
    target_id: str, request: Request, db: SessionDep, runtime: RuntimeDep, who: VisitorDep
) -> Response:
    """Stop a target (CSRF-checked); back to the tab it came from."""
    await session.form(request, who)

    async def stop() -> str:
        target, _ = await service.stop_target(db, runtime, who.account, target_id)
        return f"Target {target.id} on {target.ticker} stopped"

    return await act(request, "/dashboard/targets?tab=stopped", stop)


@router.get("/tickers")
async def tickers(runtime: RuntimeDep, who: VisitorDep, q: str = "") -> list[dict[str, str]]:
    """The create form's autocomplete: `[{"ticker", "name"}]`, at most 20, for a prefix."""
    del who  # signed-in visitors only
    found = runtime.catalog.starting_with(q[:16]) if q.strip() else []
    return [{"ticker": entry.ticker, "name": entry.title} for entry in found]


@router.get("/live", response_class=HTMLResponse)
async def live_page(request: Request, who: VisitorDep) -> Response:
    """Hits and lifecycle events pushed by `/ws/main-api`, without reloading."""
    return render(request, "live.html", who, "Live")


@router.get("/first-public")
async def first_public(runtime: RuntimeDep, who: VisitorDep, accession: str = "") -> dict[str, Any]:
    """The Live page's "from first public": `{"first_public": ISO 8601 UTC or null}`, when
    the filing first showed anywhere (Archives or feed). Known in replay only (the simulated
    EDGAR's record); null live and for an accession the replay does not hold."""
    del who  # signed-in visitors only
    simulated = runtime.simulated
    if simulated is None or accession not in simulated.by_accession:
        return {"first_public": None}
    return {"first_public": iso_z(simulated.first_public(accession))}
