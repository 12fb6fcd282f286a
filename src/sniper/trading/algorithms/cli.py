"""`sniper algorithms ...`: the operator's view of trading algorithms (DESIGN.md "CLI").

`list [--account NAME] [--json]`: every algorithm that is not deleted (one account's with
`--account`) as a table: id, account, name, status, strategy type, symbols, paper trades and
realised P&L (quote currency) from the closed-trade ledger. An unknown account lists nothing.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from sniper.config import Settings
from sniper.db.engine import AsyncSession
from sniper.kit.cli import in_transaction
from sniper.trading.algorithms import repository as repo

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
