"""Algorithms page (status, paper P&L, start / stop / pause / resume, create a draft from
`algorithm_form`'s inputs, queue a backtest) and a backtest's page: equity curve, drawdown and
trade markers charted by plotly.js (served from the `plotly` wheel,
`/dashboard/vendor/plotly.min.js`), the results and the trades table."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from sniper.dashboard import algorithm_form, session
from sniper.dashboard.pages import VisitorDep, act, back, render
from sniper.dashboard.session import Visitor
from sniper.deps import RuntimeDep, SessionDep
from sniper.trading.algorithms import backtests
from sniper.trading.algorithms import repository as algorithm_repo
from sniper.trading.algorithms import service as algorithms
from sniper.trading.algorithms.endpoints import algorithm_outs
from sniper.trading.algorithms.routing import validation_details
from sniper.trading.algorithms.schemas import AlgorithmCreate, BacktestCreate, BacktestOut

router = APIRouter(prefix="/dashboard", include_in_schema=False)
PAGE = "/dashboard/algorithms"
COMMANDS = {
    "start": algorithms.start,
    "stop": algorithms.stop,
    "pause": algorithms.pause,
    "resume": algorithms.resume,
}


@router.get("/algorithms", response_class=HTMLResponse)
async def algorithms_page(request: Request, db: SessionDep, who: VisitorDep) -> Response:
    """The account's algorithms (newest first, 100 at most), the create form and the latest
    backtests."""
    return await algorithms_view(request, db, who)


async def algorithms_view(
    request: Request,
    db: AsyncSession,
    who: Visitor,
    *,
    status_code: int = 200,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    """The Algorithms page; the create form refilled with `values` and `errors` (by field
    path, `form` above it) when it was refused."""
    rows, _ = await algorithm_repo.list_page(
        db,
        who.account.id,
        status=None,
        strategy_type=None,
        sort="createdAt",
        order="desc",
        limit=100,
        offset=0,
    )
    tests, _ = await backtests.list_backtests(
        db, who.account, algorithm_id=None, status=None, limit=20, offset=0
    )
    return render(
        request,
        "algorithms.html",
        who,
        "Algorithms",
        status_code,
        algorithms=[a.model_dump(by_alias=True) for a in await algorithm_outs(db, list(rows))],
        backtests=[backtests.backtest_summary(row, name) for row, name in tests],
        commands=COMMANDS,
        fields=algorithm_form.FIELDS,
        values=values or {},
        errors=errors or {},
    )


@router.post("/algorithms", response_class=HTMLResponse)
async def create_algorithm(
    request: Request, db: SessionDep, runtime: RuntimeDep, who: VisitorDep
) -> Response:
    """Create a `draft` algorithm from the form (CSRF-checked); 303 to the page with a notice,
    or the page again (400) with the API's message beside the field it names."""
    fields = await session.form(request, who)
    try:
        body = AlgorithmCreate.model_validate(algorithm_form.request_body(fields))
    except ValidationError as exc:
        message, details = validation_details(exc.errors())
        errors = {algorithm_form.field_of(details["field"]): message}
        return await algorithms_view(
            request, db, who, status_code=400, values=fields, errors=errors
        )
    row = await algorithms.create(db, who.account, body, runtime.clock.now())
    return back(PAGE, notice=f"Algorithm {row.name} ({row.id}) created as a draft")


@router.post("/algorithms/{algorithm_id}/{command}", response_class=HTMLResponse)
async def algorithm_command(
    algorithm_id: str,
    command: str,
    request: Request,
    db: SessionDep,
    runtime: RuntimeDep,
    who: VisitorDep,
) -> Response:
    """start / stop / pause / resume an algorithm; the service's refusal shown as the problem."""
    await session.form(request, who)
    move = COMMANDS.get(command)
    if move is None:
        return back(PAGE, problem=f"unknown command {command!r}")

    async def run() -> str:
        row = await move(db, who.account, algorithm_id, runtime.clock.now())
        return f"{row.name}: {command} done, now {row.status}"

    return await act(request, PAGE, run)


@router.post("/backtests", response_class=HTMLResponse)
async def create_backtest(
    request: Request, db: SessionDep, runtime: RuntimeDep, who: VisitorDep
) -> Response:
    """Queue a backtest (`algorithmId`, `startDate`, `endDate`, `initialBalance`); 303 to
    its page, or back with the schema's or service's message."""
    fields = await session.form(request, who)
    try:
        balance: Any = float(fields.get("initialBalance", ""))
    except ValueError:
        balance = fields.get("initialBalance")
    try:
        body = BacktestCreate.model_validate(
            {k: fields.get(k) for k in _BODY} | {"initialBalance": balance}
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        return back(PAGE, problem=f"{'.'.join(map(str, first['loc']))}: {first['msg']}")
    created: list[str] = []

    async def run() -> str:
        row = await backtests.create_backtest(db, runtime, who.account, body)
        created.append(row.id)
        return f"Backtest {row.id} queued"

    answer = await act(request, PAGE, run)
    if created:
        return back(f"/dashboard/backtests/{created[0]}", notice=f"Backtest {created[0]} queued")
    return answer


_BODY = ("algorithmId", "startDate", "endDate")


@router.get("/backtests/{backtest_id}", response_class=HTMLResponse)
async def backtest_page(
    backtest_id: str, request: Request, db: SessionDep, who: VisitorDep
) -> Response:
    """One backtest: progress until it completes, then its chart, results and trades."""
    out = backtests.backtest_out(*await backtests.get_backtest(db, who.account, backtest_id))
    return render(
        request,
        "backtest.html",
        who,
        f"Backtest {out.id}",
        test=out,
        chart=chart_data(out),
    )


def chart_data(out: BacktestOut) -> dict[str, Any]:
    """The chart's series: `dates`, `equity` (account currency), `drawdown` (% below the
    running peak, <= 0), and the trades' `entries` / `exits` as `{date, balance, label}` on
    the equity curve (the day's balance)."""
    dates = [point.date for point in out.equity_curve]
    equity = [point.balance for point in out.equity_curve]
    drawdown, peak = [], float("-inf")
    for balance in equity:
        peak = max(peak, balance)
        drawdown.append(round((balance / peak - 1) * 100, 3) if peak > 0 else 0.0)
    by_date = dict(zip(dates, equity, strict=True))

    def marks(kind: str) -> list[dict[str, Any]]:
        found = []
        for trade in out.trades:
            day = (trade.entry_time if kind == "entry" else trade.exit_time)[:10]
            if day in by_date:
                label = f"{kind} {trade.side} {trade.quantity} {trade.symbol}"
                found.append({"date": day, "balance": by_date[day], "label": label})
        return found

    return {
        "dates": dates,
        "equity": equity,
        "drawdown": drawdown,
        "entries": marks("entry"),
        "exits": marks("exit"),
    }
