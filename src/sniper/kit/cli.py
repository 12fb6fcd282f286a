"""Helpers shared by the Typer commands: one transaction per command, errors as exit code 1."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from rich.console import Console

from sniper.config import Settings
from sniper.db.engine import AsyncSession, create_engine, session_factory
from sniper.db.session import transaction
from sniper.errors import SniperError

err = Console(stderr=True)
T = TypeVar("T")


def in_transaction(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work` in one committed transaction on the configured database; a SniperError is
    printed to stderr and exits 1."""

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
