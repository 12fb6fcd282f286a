"""`sniper` command line (Typer). Every command reads the same `Settings` as the server."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
import uvicorn
from rich.console import Console

from sniper.accounts import service as accounts
from sniper.app import ConfigurationError, ServeOptions, create_app
from sniper.clock import SystemClock
from sniper.config import Settings
from sniper.db import migrate as migrations
from sniper.db.engine import AsyncSession, create_engine, session_factory
from sniper.db.session import transaction
from sniper.errors import SniperError
from sniper.kit.timefmt import parse_iso

app = typer.Typer(
    help="Sniper: snipe SEC filings the moment EDGAR publishes them.", no_args_is_help=True
)
accounts_app = typer.Typer(help="Accounts.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys.", no_args_is_help=True)
app.add_typer(accounts_app, name="accounts")
app.add_typer(keys_app, name="keys")
err = Console(stderr=True)
T = TypeVar("T")


def _in_transaction(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    async def run() -> T:
        engine = create_engine(settings.database_url)
        try:
            async with transaction(session_factory(engine)) as session:
                return await work(session)
        finally:
            await engine.dispose()

    try:
        return asyncio.run(run())
    except SniperError as exc:
        err.print(f"[red]error:[/red] {exc.message}")
        raise typer.Exit(1) from exc


@app.command()
def migrate() -> None:
    """Apply database migrations."""
    settings = Settings()
    migrations.upgrade(settings.database_url)
    err.print(f"migrated {settings.database_url}")


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    replay: Annotated[
        Path | None, typer.Option(help="Play a recorded Atom crawl directory.")
    ] = None,
    speed: Annotated[float, typer.Option(help="Replay speed, x real time.")] = 1.0,
    start: Annotated[str | None, typer.Option(help="Replay start (ISO 8601).")] = None,
    workers: Annotated[bool, typer.Option(help="Run the watcher and delivery loops.")] = True,
) -> None:
    """API + workers in one process; migrates first. Live EDGAR unless --replay."""
    settings = Settings()
    options = ServeOptions(
        mode="replay" if replay else "live",
        replay_dir=replay,
        speed=speed,
        start=parse_iso(start) if start else None,
        run_workers=workers,
    )
    if options.mode == "live" and not settings.edgar_user_agent:
        err.print(
            "[red]error:[/red] live mode needs SNIPER_EDGAR_USER_AGENT, e.g. "
            "'Acme Capital admin@acme.example' (SEC fair access); or use --replay DIR"
        )
        raise typer.Exit(2)
    migrations.upgrade(settings.database_url)
    try:
        uvicorn.run(create_app(settings, options), host=host, port=port, log_level="info")
    except ConfigurationError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc


@accounts_app.command("create")
def accounts_create(
    name: str,
    plan: Annotated[str, typer.Option(help="free or paid")] = "free",
    tokens: Annotated[int, typer.Option(help="Initial token grant.")] = 0,
    admin: bool = False,
) -> None:
    """Create an account."""
    settings = Settings()

    async def work(session: AsyncSession) -> str:
        account = await accounts.create_account(
            session, name=name, plan=plan, tokens=tokens, admin=admin, now=SystemClock().now()
        )
        return f"created account {account.name} (plan {account.plan}, {tokens} tokens)"

    err.print(_in_transaction(settings, work))


@keys_app.command("create")
def keys_create(name: str) -> None:
    """Create an API key for account NAME; prints only the key (shown once)."""
    settings = Settings()

    async def work(session: AsyncSession) -> str:
        account = await accounts.require_account(session, name)
        return await accounts.create_api_key(
            session, account, secret_key=settings.secret_key, now=SystemClock().now()
        )

    sys.stdout.write(_in_transaction(settings, work) + "\n")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
