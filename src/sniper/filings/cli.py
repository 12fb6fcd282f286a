"""`sniper 13f parse PATH [--json]` and `sniper cusip seed FILE.csv`."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from sniper.config import Settings
from sniper.db.engine import AsyncSession
from sniper.filings import cusips
from sniper.filings.cover import DocumentError
from sniper.filings.report import ThirteenFReport, parse_13f, report_dict
from sniper.kit.cli import err, in_transaction
from sniper.serviceclock import cli_clock

thirteenf_app = typer.Typer(help="Form 13F documents.", no_args_is_help=True)
cusip_app = typer.Typer(help="The CUSIP -> FIGI / ticker cache.", no_args_is_help=True)


def _filed(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        err.print(f"[red]error:[/red] --filed must be a date (YYYY-MM-DD), got {value!r}")
        raise typer.Exit(2) from None


@thirteenf_app.command("parse")
def parse(
    path: Annotated[
        Path, typer.Argument(help="Information table, .txt/.nc submission or primary_doc.xml.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object, with holdings.")] = (
        False
    ),
    filed: Annotated[
        str | None, typer.Option(help="Filing date for the unit rule (YYYY-MM-DD).")
    ] = None,
) -> None:
    """Parse a 13F document: form, amendment type, rows, value total in dollars, the unit rule
    applied and the cover-page cross-check."""
    try:
        report = parse_13f(path, filed=_filed(filed), keep_holdings=as_json)
    except (DocumentError, OSError) as exc:
        err.print(f"[red]error:[/red] {path}: {exc}")
        raise typer.Exit(1) from exc
    if as_json:
        sys.stdout.write(json.dumps(report_dict(report, holdings=True), indent=2) + "\n")
    else:
        Console().print(_table(path, report))


def _table(path: Path, report: ThirteenFReport) -> Table:
    table = Table(title=str(path), show_header=False)
    unit, check = report.unit, report.cross_check
    rows: list[tuple[str, str]] = [
        ("document", report.source),
        ("form", report.form_type or "-"),
        ("amendment type", report.amendment_type or "-"),
        ("outcome", report.outcome),
        ("rows", f"{report.totals.rows:,}"),
        ("value total", "-" if unit is None else f"${report.value_total_dollars:,}"),
        ("unit", "-" if unit is None else f"{unit.unit} ({unit.rule.value}): {unit.explanation}"),
    ]
    if check is not None:
        expected = "-" if check.expected_rows is None else f"{check.expected_rows:,}"
        rows.append(("cover rows", f"{expected} ({_verdict(check.rows_match)})"))
        cover_value = check.expected_value_total
        shown = "-" if cover_value is None else f"{cover_value:,}"
        rows.append(("cover value total", f"{shown} as filed ({check.value_note})"))
    for label, value in rows:
        table.add_row(label, value)
    return table


def _verdict(matches: bool | None) -> str:
    return "no cover" if matches is None else "match" if matches else "MISMATCH"


@cusip_app.command("seed")
def seed(
    path: Annotated[Path, typer.Argument(help="CSV with a `cusip` column and OpenFIGI columns.")],
) -> None:
    """Load CUSIP -> FIGI / ticker rows into the cache (a row without a FIGI is a known miss).
    Columns by header: cusip (required), figi, ticker, name, exchCode, compositeFIGI,
    shareClassFIGI, securityType, marketSector."""
    try:
        rows = cusips.read_seed_csv(path)
    except (OSError, ValueError) as exc:
        err.print(f"[red]error:[/red] {path}: {exc}")
        raise typer.Exit(1) from exc

    async def work(session: AsyncSession) -> int:
        now = (await cli_clock(session, settings)).now()
        return await cusips.store(session, rows.mappings, now=now)

    settings = Settings()
    stored = in_transaction(settings, work)
    mapped = sum(1 for row in rows.mappings if row.figi)
    print(
        f"seeded {stored} CUSIPs ({mapped} mapped, {stored - mapped} known misses); "
        f"{rows.skipped} rows skipped"  # repeated or malformed CUSIPs
    )
