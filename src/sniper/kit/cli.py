"""Helpers shared by the Typer commands: one transaction per command, errors as exit code 1."""

from __future__ import annotations

import asyncio
import importlib.metadata
from collections.abc import Awaitable, Callable
from typing import NoReturn, Protocol, TypeVar

import pydantic
import typer
from rich.console import Console
from rich.markup import escape

# Typer >= 0.20 runs its own copy of click: its usage errors are these, not click's.
from typer._click import exceptions as click

from sniper.config import Settings
from sniper.db.engine import AsyncSession, create_engine, session_factory
from sniper.db.session import transaction
from sniper.errors import SniperError

err = Console(stderr=True, soft_wrap=True)  # soft_wrap: an error stays one line when piped
T = TypeVar("T")


def print_error(message: str) -> None:
    """`error: message` as one line on stderr (no markup read from `message`)."""
    err.print(f"[red]error:[/red] {escape(message)}", highlight=False)


def print_warning(message: str) -> None:
    """`warning: message` as one line on stderr (no markup read from `message`)."""
    err.print(f"[yellow]warning:[/yellow] {escape(message)}", highlight=False)


def fail(message: str, code: int = 1) -> NoReturn:
    """Inside a command: `print_error(message)` and exit with `code` (1: the command failed,
    2: bad arguments or settings)."""
    print_error(message)
    raise typer.Exit(code)


def print_version(value: bool) -> None:
    """`--version`: print `sniper X.Y.Z` (the installed distribution's version) and exit 0."""
    if value:
        print(f"sniper {importlib.metadata.version('sniper')}")
        raise typer.Exit(0)


def usage_error(exc: click.UsageError) -> int:
    """A usage error as one `error:` line naming the command and where its help is; returns
    the exit code, 2. No arguments at all (`no_args_is_help`) prints the help instead."""
    ctx = exc.ctx
    if isinstance(exc, click.NoArgsIsHelpError) and ctx is not None:
        err.print(ctx.get_help())
        return 2
    where = f"'{ctx.command_path} --help'" if ctx is not None else "'sniper --help'"
    message = " ".join(exc.format_message().split())
    print_error(f"{message} (see {where})")
    return 2


def setting_error(exc: pydantic.ValidationError) -> str:
    """A `Settings` validation error as one line naming the variable:
    "setting SNIPER_POLL_INTERVAL: Input should be a valid timedelta ... (got 'abc')"."""
    first = exc.errors()[0]
    field = "_".join(str(part) for part in first["loc"])
    where = f"setting SNIPER_{field.upper()}" if field else "settings"
    got = f" (got {first['input']!r})" if field and isinstance(first["input"], str) else ""
    more = f"; and {exc.error_count() - 1} more" if exc.error_count() > 1 else ""
    return f"{where}: {first['msg']}{got}{more}"


class Background(Protocol):
    """Something with background work around a command (the push publisher)."""

    async def start(self) -> None: ...

    async def aclose(self) -> None: ...


def in_transaction(
    settings: Settings,
    work: Callable[[AsyncSession], Awaitable[T]],
    publisher: Background | None = None,
) -> T:
    """Run `work` in one committed transaction on the configured database; a SniperError is
    printed to stderr and exits 1. `publisher` (Redis) is started first and flushed after the
    commit, so the pushes `work` queued leave before the process does."""

    async def run() -> T:
        engine = create_engine(settings.database_url)
        if publisher is not None:
            await publisher.start()
        try:
            async with transaction(session_factory(engine)) as session:
                return await work(session)
        finally:
            if publisher is not None:
                await publisher.aclose()
            await engine.dispose()

    try:
        return asyncio.run(run())
    except SniperError as exc:
        fail(exc.message, 1)
