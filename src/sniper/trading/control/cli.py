"""`sniper trading ...`: the operator's side of the control plane (DESIGN.md "CLI").

`status [--json]`, `emergency|soft-pause|system-stop --reason R` (`soft-pause --until ISO`),
`clear emergency|soft-pause|system-stop --reason R`. Changes are audited with actor `cli`, in
one transaction, like the admin endpoints. The result code goes to stdout; already-set or
already-cleared flags are not an error (exit 0); bad input exits 2. With SNIPER_REDIS_URL the
change is pushed, after commit, to the `/ws/subscribe` clients of every `sniper serve` process
(`sniper.notify.publisher`); without it there is no other process to reach.
"""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from sniper.config import Settings
from sniper.db.engine import AsyncSession
from sniper.errors import Unprocessable
from sniper.kit.cli import err, in_transaction
from sniper.kit.timefmt import iso_z, parse_iso
from sniper.notify.publisher import Publisher
from sniper.serviceclock import cli_clock, stamp
from sniper.trading.control import service as control
from sniper.trading.control.commands import SystemAction
from sniper.trading.control.schemas import REASON_MAX, AdminStatus, SystemCommandResult
from sniper.trading.control.status import SystemKind

trading_app = typer.Typer(help="Trading control plane: system flags, client status.")
ACTOR = "cli"


class Kind(StrEnum):
    emergency = "emergency"
    soft_pause = "soft-pause"
    system_stop = "system-stop"


KINDS: dict[Kind, SystemKind] = {
    Kind.emergency: "emergency",
    Kind.soft_pause: "soft_pause",
    Kind.system_stop: "system_stop",
}
ReasonOpt = Annotated[str, typer.Option(help="Why (required, at most 500 characters).")]


def _reason(value: str) -> str:
    text = value.strip()
    if not text or len(text) > REASON_MAX:
        err.print(f"[red]error:[/red] --reason needs 1-{REASON_MAX} characters")
        raise typer.Exit(2)
    return text


def _run(kind: SystemKind, action: SystemAction, reason: str, until: datetime | None) -> None:
    text = _reason(reason)
    settings = Settings()

    async def work(session: AsyncSession) -> SystemCommandResult:
        clock = await cli_clock(session, settings)
        if until is not None and until <= clock.now():
            message = (
                f"--until {iso_z(until)} is not in the future: it is {stamp(clock.now(), clock)}"
            )
            raise Unprocessable(message, details={"field": "until"})
        return await control.system_command(
            session,
            publisher,
            kind,
            action,
            reason=text,
            until=until,
            actor=ACTOR,
            request_id=None,
            now=clock.now(),
        )

    publisher = Publisher({}, settings.redis_url, settings.redis_key_prefix)
    body = in_transaction(settings, work, publisher if publisher.shared else None)
    print(body.result)
    why = f" ({body.system_reason})" if body.system_trading_blocked else ""
    err.print(f"system status: {body.status}{why}")


@trading_app.command("emergency")
def emergency(reason: ReasonOpt) -> None:
    """Set emergency: every client's entries stop, resting entry orders are cancelled."""
    _run("emergency", "set", reason, None)


@trading_app.command("system-stop")
def system_stop(reason: ReasonOpt) -> None:
    """Set the system-wide stop (survives restarts; cleared only with `clear`)."""
    _run("system_stop", "set", reason, None)


@trading_app.command("soft-pause")
def soft_pause(
    reason: ReasonOpt,
    until: Annotated[str | None, typer.Option(help="End it by itself then (ISO 8601).")] = None,
) -> None:
    """Soft-pause every client, until cleared or until `--until`."""
    try:
        end = parse_iso(until) if until else None
    except ValueError as exc:
        err.print(f"[red]error:[/red] --until: {exc}")
        raise typer.Exit(2) from exc
    _run("soft_pause", "set", reason, end)


@trading_app.command("clear")
def clear(
    kind: Annotated[Kind, typer.Argument(help="The flag to clear.")], reason: ReasonOpt
) -> None:
    """Clear a system flag (emergency, soft-pause or system-stop)."""
    _run(KINDS[kind], "clear", reason, None)


@trading_app.command("status")
def status(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """System flags and every client's derived status."""

    async def work(session: AsyncSession) -> AdminStatus:
        return await control.admin_status(session, (await cli_clock(session, settings)).now())

    settings = Settings()
    body = in_transaction(settings, work)
    if as_json:
        print(json.dumps(body.model_dump(mode="json", by_alias=True), indent=2))
        return
    console = Console()
    flags = Table("flag", "active", "reason", "since", "by", title=f"system: {body.status}")
    for name, flag in (
        ("emergency", body.emergency),
        ("system-stop", body.system_stop),
        ("soft-pause", body.soft_pause),
    ):
        since = iso_z(flag.set_at) if flag.active and flag.set_at else "-"
        flags.add_row(
            name, "yes" if flag.active else "no", flag.reason or "-", since, flag.set_by or "-"
        )
    console.print(flags)
    clients = Table("client", "name", "status", "trading active", title="clients")
    for client in body.clients:
        clients.add_row(
            client.client, client.client_name, client.status, str(client.trading_active)
        )
    console.print(clients)
