"""`sniper webhooks secret ACCOUNT`: the account's current webhook signing secret.

The API shows only a display prefix (`GET /api/v1/webhooks/secret`) and reveals a secret once,
on rotation; an operator with the database (the CLI's settings) can print the current one, so
the demo and a first receiver can verify signatures without rotating.
"""

from __future__ import annotations

import typer

from sniper.accounts import service
from sniper.config import Settings
from sniper.db.engine import AsyncSession
from sniper.kit.cli import in_transaction

webhooks_app = typer.Typer(help="Webhook signing secrets.", no_args_is_help=True)


@webhooks_app.command("secret")
def webhooks_secret(name: str) -> None:
    """Print account NAME's current webhook signing secret (`whsec_...`) on stdout; an
    unknown account is one line on stderr and exit 1."""

    async def work(session: AsyncSession) -> str:
        account = await service.require_account(session, name)
        return account.webhook_secret

    print(in_transaction(Settings(), work))
