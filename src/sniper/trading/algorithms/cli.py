"""`sniper algorithms ...`: the operator's view of trading algorithms (DESIGN.md "CLI").

`list [--account NAME] [--json]`: every algorithm that is not deleted (one account's with
`--account`) as a table: id, account, name, status, strategy type, symbols, paper trades and
realised P&L (quote currency) from the closed-trade ledger. An unknown account exits 1
("no account named 'NAME'").

`sniper backtest ALGO_ID --from D --to D [--balance N] [--plot FILE.png] [--json]` (registered
on the root app): creates a backtest as the algorithm's owner would with `POST /api/backtests`
(same rules), runs it in this process through the backtest job (`tasks.execute`) with a
progress bar on stderr, then prints a summary table (or the backtest object as JSON) and, with
`--plot`, writes the equity curve as a PNG. The backtest is stored like any other
(`GET /api/backtests/{id}`). Exit 0 completed; 1 failed, unknown algorithm or refused
configuration; 2 bad arguments or settings.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sniper.accounts.service import require_account
from sniper.app import ConfigurationError, Mode, ServeOptions, create_app
from sniper.config import Settings
from sniper.db.engine import AsyncSession
from sniper.db.session import transaction
from sniper.errors import NotFound, SniperError
from sniper.kit.cli import err, in_transaction
from sniper.models import Account, Backtest, TradingAlgorithm
from sniper.runtime import Runtime
from sniper.serviceclock import load_cli_clock
from sniper.trading.algorithms import backtests, store, tasks
from sniper.trading.algorithms import repository as repo
from sniper.trading.algorithms.schemas import BacktestCreate

algorithms_app = typer.Typer(help="Trading algorithms: list them with their paper results.")


@dataclass(frozen=True)
class AlgorithmLine:
    """One row of `sniper algorithms list`; `pnl` is the realised paper P&L."""

    id: str
    account: str
    name: str
    status: str
    strategy_type: str | None
    symbols: list[str]
    trades: int
    pnl: float


async def algorithm_lines(session: AsyncSession, account: str | None) -> list[AlgorithmLine]:
    """The rows of the list, by account name then creation time."""
    found = await repo.with_accounts(session, account)
    ledgers = await repo.paper_trades(session, [row.id for row, _ in found])
    return [
        AlgorithmLine(
            id=row.id,
            account=name,
            name=row.name,
            status=row.status,
            strategy_type=row.strategy_type,
            symbols=list(row.config.get("symbols") or []),
            trades=len(ledgers[row.id]),
            pnl=round(sum(trade.pnl for trade in ledgers[row.id]), 2),
        )
        for row, name in found
    ]


@algorithms_app.command("list")
def list_algorithms(
    account: Annotated[str | None, typer.Option(help="Only this account's algorithms.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Every algorithm (not deleted) with its status and paper results."""

    async def work(session: AsyncSession) -> list[AlgorithmLine]:
        if account is not None:
            await require_account(session, account)  # NotFound: exit 1
        return await algorithm_lines(session, account)

    lines = in_transaction(Settings(), work)
    if as_json:
        print(json.dumps([asdict(line) for line in lines], indent=2))
        return
    table = Table(
        "id",
        "account",
        "name",
        "status",
        "strategyType",
        "symbols",
        "trades",
        "P&L",
        title="algorithms",
    )
    for line in lines:
        table.add_row(
            line.id,
            line.account,
            line.name,
            line.status,
            line.strategy_type or "-",
            ", ".join(line.symbols) or "-",
            str(line.trades),
            f"{line.pnl:,.2f}",
        )
    Console(width=200).print(table)


@contextlib.asynccontextmanager
async def cli_runtime(settings: Settings) -> AsyncIterator[Runtime]:
    """The server's `Runtime` (database, clock, catalog, EDGAR clients) built by the app's own
    lifespan with no loops: live mode (submissions from data.sec.gov unless
    SNIPER_EDGAR_SUBMISSIONS_BASE_URL says otherwise; the ticker catalog downloaded unless
    SNIPER_CATALOG_PATH is set) when SNIPER_EDGAR_USER_AGENT is set, else API-only mode
    (nothing leaves the machine; SNIPER_CATALOG_PATH required). Raises ConfigurationError as
    `sniper serve` does. Its clock is the service clock (`sniper.serviceclock`): replay time
    while a replay runs."""
    mode: Mode = "live" if settings.edgar_user_agent else "off"
    clock = await load_cli_clock(settings)
    service = create_app(settings, ServeOptions(mode=mode, run_workers=False, clock=clock))
    async with service.router.lifespan_context(service):
        yield service.state.runtime


async def start_backtest(runtime: Runtime, body: BacktestCreate) -> tuple[Backtest, str]:
    """Create the backtest of `body.algorithm_id` as its owner (`backtests.create_backtest`, the
    rules of `POST /api/backtests`) and claim it (`running`) in one transaction, so no worker
    takes it first. Returns it and the algorithm's name; NotFound for an unknown or deleted
    algorithm, BadRequest as the endpoint (`details.missingFields`, `details.unsupported`)."""
    async with transaction(runtime.sessions) as session:
        algorithm = await session.get(TradingAlgorithm, body.algorithm_id)
        account = None
        if algorithm is not None and algorithm.deleted_at is None:
            account = await session.get(Account, algorithm.account_id)
        if algorithm is None or account is None:
            raise NotFound(f"algorithm {body.algorithm_id} not found")
        created = await backtests.create_backtest(session, runtime, account, body)
        [claimed] = await store.claim_backtests(session, now=runtime.clock.now(), only=created.id)
        return claimed, algorithm.name  # created in this transaction: nobody else can claim it


async def run_in_process(runtime: Runtime, backtest: Backtest, progress: Progress) -> Backtest:
    """Run the claimed `backtest` with the job's code (`tasks.execute`), drawing `progress`;
    returns the stored row (`completed` or `failed`). An interruption or an unexpected error
    marks it `failed` (no worker re-runs it later) and is raised again."""
    bar = progress.add_task(f"backtest {backtest.id}", total=None)

    async def report(done: int, total: int) -> None:
        progress.update(bar, completed=done, total=total)

    try:
        await tasks.execute(runtime, backtest, report)
    except BaseException as exc:
        reason = "interrupted" if not isinstance(exc, Exception) else type(exc).__name__
        async with transaction(runtime.sessions) as session:
            message = f"sniper backtest stopped: {reason}"
            await store.fail_backtest(session, backtest.id, message, now=runtime.clock.now())
        raise
    async with transaction(runtime.sessions) as session:
        row = await session.get(Backtest, backtest.id, populate_existing=True)
    assert row is not None
    return row


async def _backtest(settings: Settings, body: BacktestCreate) -> tuple[Backtest, str]:
    async with cli_runtime(settings) as runtime:
        backtest, name = await start_backtest(runtime, body)
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
        with Progress(*columns, TimeElapsedColumn(), console=err, transient=True) as progress:
            return await run_in_process(runtime, backtest, progress), name


def summary_table(row: Backtest, name: str) -> Table:
    """The results of a completed backtest: trades, win rate (%), profit factor, Sharpe (per
    trade), max drawdown (%), total return (%), final balance (quote currency)."""
    results: dict[str, Any] = row.results or {}

    def number(key: str, unit: str = "", digits: int = 2) -> str:
        value = results.get(key)
        return "-" if value is None else f"{value:,.{digits}f}{unit}"

    table = Table(show_header=False, title=f"backtest {row.id}")
    table.add_row("algorithm", name)
    table.add_row("period", f"{row.start_date} to {row.end_date}")
    table.add_row("trades", str(results.get("totalTrades", 0)))
    table.add_row("win rate", number("winRate", " %"))
    table.add_row("profit factor", number("profitFactor", digits=4))
    table.add_row("Sharpe", number("sharpeRatio", digits=4))
    table.add_row("max drawdown", number("maxDrawdown", " %"))
    table.add_row("total return", number("totalReturn", " %"))
    table.add_row("initial balance", f"{row.initial_balance:,.2f}")
    table.add_row("final balance", number("finalBalance"))
    return table


def write_plot(path: Path, curve: list[dict[str, Any]], title: str) -> None:
    """Draw `curve` (`[{date: YYYY-MM-DD, balance}]`) as a PNG at `path`: date on x, balance
    on y. Headless (Agg canvas, no display); raises OSError when `path` cannot be written."""
    import numpy  # imported here (as matplotlib): only --plot pays for them
    from matplotlib.figure import Figure

    figure = Figure(figsize=(10, 5), dpi=100, layout="constrained")
    axes = figure.subplots()
    days = numpy.array([p["date"] for p in curve], dtype="datetime64[D]")
    axes.plot(days, [p["balance"] for p in curve])
    axes.set(title=title, xlabel="date", ylabel="balance")
    axes.grid(True, alpha=0.3)
    figure.savefig(path, format="png")


def _request(algorithm_id: str, start: str, end: str, balance: float) -> BacktestCreate:
    fields = {"algorithmId": algorithm_id, "startDate": start, "endDate": end}
    try:
        return BacktestCreate.model_validate(fields | {"initialBalance": balance})
    except ValidationError as exc:
        option = {"startDate": "--from", "endDate": "--to", "initialBalance": "--balance"}
        for problem in exc.errors():
            where = option.get(str(problem["loc"][0]), "ALGO_ID")
            err.print(f"[red]error:[/red] {where}: {problem['msg']}")
        raise typer.Exit(2) from exc


def _refused(exc: SniperError) -> typer.Exit:
    missing = exc.details.get("missingFields")
    extra = f": missing {', '.join(missing)}" if missing else ""
    err.print(f"[red]error:[/red] {exc.message}{extra}")
    return typer.Exit(1)


def backtest_command(
    algorithm_id: Annotated[str, typer.Argument(metavar="ALGO_ID", help="The algorithm's id.")],
    start: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD.")],
    end: Annotated[str, typer.Option("--to", help="Last day (inclusive), YYYY-MM-DD.")],
    balance: Annotated[float, typer.Option(help="Initial balance.")] = 100_000.0,
    plot: Annotated[Path | None, typer.Option(help="Write the equity curve as a PNG.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the backtest as JSON.")] = False,
) -> None:
    """Backtest an algorithm over [--from, --to] in this process: progress bar, summary table,
    equity-curve PNG with --plot. Exit 0 completed, 1 failed or refused, 2 bad arguments."""
    body = _request(algorithm_id, start, end, balance)
    try:
        row, name = asyncio.run(_backtest(Settings(), body))
    except ConfigurationError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    except SniperError as exc:
        raise _refused(exc) from exc
    if as_json:
        print(json.dumps(backtests.backtest_out(row, name).model_dump(mode="json", by_alias=True)))
    if row.status != "completed":
        err.print(f"[red]backtest {row.id} failed:[/red] {row.error}")
        raise typer.Exit(1)
    if not as_json:
        Console(width=200).print(summary_table(row, name))
    if plot is not None:
        title = f"{name}: equity {row.start_date} to {row.end_date}"
        try:
            write_plot(plot, row.equity_curve or [], title)
        except OSError as exc:
            err.print(f"[red]error:[/red] cannot write {plot}: {exc.strerror or exc}")
            raise typer.Exit(1) from exc
        err.print(f"equity curve written to {plot}")
