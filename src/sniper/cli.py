"""`sniper` command line (Typer). Every command reads the same `Settings` as the server."""

from __future__ import annotations

import asyncio
import signal
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


ReplayOpt = Annotated[Path | None, typer.Option(help="Play a recorded Atom crawl directory.")]
SpeedOpt = Annotated[float, typer.Option(help="Replay speed, x real time.")]
StartOpt = Annotated[str | None, typer.Option(help="Replay start (ISO 8601).")]


def _options(
    settings: Settings, replay: Path | None, speed: float, start: str | None, workers: bool
) -> ServeOptions:
    """Serve options from the flags; exits 2 for live mode without an EDGAR User-Agent."""
    if replay is None and not settings.edgar_user_agent:
        err.print(
            "[red]error:[/red] live mode needs SNIPER_EDGAR_USER_AGENT, e.g. "
            "'Acme Capital admin@acme.example' (SEC fair access); or use --replay DIR"
        )
        raise typer.Exit(2)
    return ServeOptions(
        mode="replay" if replay else "live",
        replay_dir=replay,
        speed=speed,
        start=parse_iso(start) if start else None,
        run_workers=workers,
    )


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    replay: ReplayOpt = None,
    speed: SpeedOpt = 1.0,
    start: StartOpt = None,
    workers: Annotated[bool, typer.Option(help="Run the watcher and delivery loops.")] = True,
) -> None:
    """API + workers in one process; migrates first. Live EDGAR unless --replay."""
    settings = Settings()
    options = _options(settings, replay, speed, start, workers)
    migrations.upgrade(settings.database_url)
    try:
        uvicorn.run(create_app(settings, options), host=host, port=port, log_level="info")
    except ConfigurationError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc


@app.command()
def worker(replay: ReplayOpt = None, speed: SpeedOpt = 1.0, start: StartOpt = None) -> None:
    """Workers only (scale-out): EDGAR polling when leader, lifecycle sweeps, webhook delivery."""
    settings = Settings()
    options = _options(settings, replay, speed, start, workers=True)
    migrations.upgrade(settings.database_url)
    try:
        asyncio.run(_run_workers(settings, options))
    except ConfigurationError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc


async def _run_workers(settings: Settings, options: ServeOptions) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    service = create_app(settings, options)
    async with service.router.lifespan_context(service):
        err.print("sniper worker running; Ctrl-C stops it")
        await stop.wait()


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
