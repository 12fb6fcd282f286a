"""`sniper accounts ...` and `sniper keys ...`."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from sniper.accounts import service
from sniper.config import Settings
from sniper.db.engine import AsyncSession
from sniper.kit.cli import err, in_transaction
from sniper.kit.timefmt import iso_z
from sniper.serviceclock import cli_clock, stamp

accounts_app = typer.Typer(help="Accounts.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys.", no_args_is_help=True)


@accounts_app.command("create")
def accounts_create(
    name: str,
    plan: Annotated[str, typer.Option(help="free or paid")] = "free",
    tokens: Annotated[int, typer.Option(help="Initial token grant.")] = 0,
    admin: bool = False,
) -> None:
    """Create an account (stamped with the service clock: replay time while a replay runs)."""
    settings = Settings()

    async def work(session: AsyncSession) -> str:
        clock = await cli_clock(session, settings)
        account = await service.create_account(
            session, name=name, plan=plan, tokens=tokens, admin=admin, now=clock.now()
        )
        created = stamp(account.created_at, clock)
        return f"created account {account.name} (plan {account.plan}, {tokens} tokens) at {created}"

    err.print(in_transaction(settings, work), highlight=False)


@accounts_app.command("grant")
def accounts_grant(name: str, tokens: int) -> None:
    """Grant TOKENS (> 0) to account NAME; prints the new balance."""
    if tokens <= 0:
        err.print("[red]error:[/red] TOKENS must be a positive number")
        raise typer.Exit(2)

    settings = Settings()

    async def work(session: AsyncSession) -> str:
        account = await service.require_account(session, name)
        clock = await cli_clock(session, settings)
        await service.credit(
            session,
            account,
            tokens,
            type_="grant",
            cause="cli.accounts.grant",
            now=clock.now(),
        )
        return f"granted {tokens} tokens to {name}: balance {account.token_balance}"

    print(in_transaction(settings, work))


@accounts_app.command("show")
def accounts_show(name: str) -> None:
    """Plan, balance, admin flag, default webhook URL and keys of account NAME."""

    async def work(session: AsyncSession) -> Table:
        account = await service.require_account(session, name)
        table = Table(title=f"account {account.name}", show_header=False)
        for label, value in [
            ("plan", account.plan),
            ("token balance", str(account.token_balance)),
            ("admin", "yes" if account.is_admin else "no"),
            ("webhook_url", account.webhook_url or "-"),
            ("created", iso_z(account.created_at)),
            ("keys", str(len(await service.list_api_keys(session, account)))),
        ]:
            table.add_row(label, value)
        return table

    Console().print(in_transaction(Settings(), work))


@keys_app.command("create")
def keys_create(name: str) -> None:
    """Create an API key for account NAME; prints only the key (shown once)."""
    settings = Settings()

    async def work(session: AsyncSession) -> str:
        account = await service.require_account(session, name)
        clock = await cli_clock(session, settings)
        return await service.create_api_key(
            session, account, secret_key=settings.secret_key, now=clock.now()
        )

    sys.stdout.write(in_transaction(settings, work) + "\n")


@keys_app.command("list")
def keys_list(name: str) -> None:
    """Keys of account NAME: display prefix, created, revoked."""

    async def work(session: AsyncSession) -> Table:
        account = await service.require_account(session, name)
        table = Table("prefix", "created", "revoked")
        for key in await service.list_api_keys(session, account):
            revoked = iso_z(key.revoked_at) if key.revoked_at else "-"
            table.add_row(key.prefix, iso_z(key.created_at), revoked)
        return table

    Console().print(in_transaction(Settings(), work))


@keys_app.command("revoke")
def keys_revoke(prefix: str) -> None:
    """Revoke the key whose display prefix is PREFIX (idempotent)."""
    settings = Settings()

    async def work(session: AsyncSession) -> str:
        now = (await cli_clock(session, settings)).now()
        key, changed = await service.revoke_api_key(session, prefix, now=now)
        return f"revoked {key.prefix}" if changed else f"{key.prefix} was already revoked"

    print(in_transaction(settings, work))
