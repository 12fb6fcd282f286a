"""Trading control logic: read the flags, apply a command, audit it, push it. Never commits;
`now` always comes from the caller's clock.

Every change locks its flag row, writes the new flags and one `trading_control_audit` row in the
caller's transaction (so the edge commits both before replying), and registers its after-commit
effect: a `/ws/subscribe` broadcast. The trading engine follows the committed state through the
gate (`gate.check_order`) and the paper runner's next tick (`SNIPER_PAPER_TICK`), which cancels
resting entries after a stop, system stop or emergency. Rules: `commands.py`; status:
`status.py` (seed 004, DESIGN.md "Trading control plane").
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from sniper.db.session import on_commit
from sniper.errors import Unprocessable
from sniper.kit import logs
from sniper.kit.timefmt import iso_z
from sniper.models import Account
from sniper.notify.publisher import Publisher
from sniper.trading.control import push, repository
from sniper.trading.control.commands import (
    SYSTEM_BLOCKED,
    ClientCommand,
    SystemAction,
    apply_client,
    apply_system,
)
from sniper.trading.control.schemas import (
    AdminStatus,
    AuditEntry,
    SystemCommandResult,
    SystemFlagOut,
    SystemStatus,
    TradingCommandResult,
    TradingStatus,
)
from sniper.trading.control.status import (
    KIND_STATUS,
    ManualFlags,
    SystemFlag,
    SystemFlags,
    SystemKind,
    derive_status,
    system_view,
)


def client_body(
    account: Account, manual: ManualFlags, system: SystemFlags, now: datetime
) -> dict[str, Any]:
    """Seed 004's status fields of one client, snake_case keys (the schemas camelCase them)."""
    view = system_view(system, now)
    status = derive_status(manual, system, now)
    paused, stopped = manual.manual_paused, manual.manual_stopped
    return {
        "client": str(account.id),
        "client_name": account.name,
        "odds_format": account.odds_format,
        "status": status,
        "trading_active": status == "live",
        "manual_paused": paused,
        "manual_paused_at": manual.manual_paused_at if paused else None,
        "manual_pause_reason": manual.manual_pause_reason if paused else None,
        "manual_stopped": stopped,
        "manual_stopped_at": manual.manual_stopped_at if stopped else None,
        "manual_stop_reason": manual.manual_stop_reason if stopped else None,
        "system_trading_blocked": view.blocked,
        "emergency_active": view.emergency_active,
        "system_stopped": view.system_stopped,
        "soft_paused": view.soft_paused,
        "system_reason": view.reason,
        "system_duration_seconds": view.duration_seconds,
    }


def _flag_out(flag: SystemFlag, now: datetime) -> SystemFlagOut:
    return SystemFlagOut(
        active=flag.in_force(now),
        reason=flag.reason,
        set_at=flag.set_at,
        set_by=flag.set_by,
        until=flag.until,
        cleared_at=flag.cleared_at,
        cleared_by=flag.cleared_by,
        clear_reason=flag.clear_reason,
    )


def system_body(system: SystemFlags, now: datetime) -> dict[str, Any]:
    view = system_view(system, now)
    return {
        "status": view.status,
        "system_trading_blocked": view.blocked,
        "emergency_active": view.emergency_active,
        "system_stopped": view.system_stopped,
        "soft_paused": view.soft_paused,
        "system_reason": view.reason,
        "system_duration_seconds": view.duration_seconds,
        "emergency": _flag_out(system.emergency, now),
        "soft_pause": _flag_out(system.soft_pause, now),
        "system_stop": _flag_out(system.system_stop, now),
    }


def _client_snapshot(manual: ManualFlags, system: SystemFlags, now: datetime) -> dict[str, Any]:
    return {
        "manualPaused": manual.manual_paused,
        "manualStopped": manual.manual_stopped,
        "status": derive_status(manual, system, now),
    }


def _flag_snapshot(flag: SystemFlag, now: datetime) -> dict[str, Any]:
    return {
        "active": flag.in_force(now),
        "reason": flag.reason,
        "until": iso_z(flag.until) if flag.until else None,
    }


def _check_until(until: datetime | None, now: datetime) -> None:
    if until is not None and until <= now:
        raise Unprocessable(
            "until must be in the future", details={"field": "until", "input": iso_z(until)}
        )


@dataclass(frozen=True)
class Refused:
    """A client command the system flags refuse (HTTP 409, `Conflict`): audited, no flag
    changed; `message` says which flag and why."""

    message: str


async def client_status(session: AsyncSession, account: Account, now: datetime) -> TradingStatus:
    manual = await repository.client_flags(session, account.id)
    system = await repository.system_flags(session)
    return TradingStatus(**client_body(account, manual, system, now))


async def client_command(
    session: AsyncSession,
    publisher: Publisher | None,
    account: Account,
    command: ClientCommand,
    *,
    reason: str | None,
    actor: str,
    request_id: str | None,
    now: datetime,
) -> TradingCommandResult | Refused:
    """Apply `command` to `account`'s flags and audit it. Resume / start while a system flag
    is in force change nothing: the refusal is audited and returned as `Refused` (the endpoint
    answers 409 and commits, so the audit row stays; a raised error would roll it back)."""
    row = await repository.lock_client(session, account.id)
    before = ManualFlags.from_row(row)
    system = await repository.system_flags(session)
    blocked = system.leading(now)
    outcome = apply_client(
        before, command, system_blocked=blocked is not None, reason=reason, actor=actor, now=now
    )
    outcome.after.copy_to(row)
    repository.add_audit(
        session,
        account_id=account.id,
        command=command,
        actor=actor,
        reason=reason,
        result=outcome.result,
        http_status=outcome.http_status,
        before=_client_snapshot(before, system, now),
        after=_client_snapshot(outcome.after, system, now),
        request_id=request_id,
        now=now,
    )
    await session.flush()
    if outcome.result == SYSTEM_BLOCKED and blocked is not None:
        return Refused(
            f"Trading is blocked system-wide ({KIND_STATUS[blocked.kind]}: {blocked.reason}); "
            f"{command} is refused until an operator clears it"
        )
    body = TradingCommandResult(
        **client_body(account, outcome.after, system, now), result=outcome.result
    )
    if outcome.changed:
        _log_change(session, account.id, command, outcome.result, actor, request_id)
    if outcome.changed and publisher is not None:
        prior = TradingStatus(**client_body(account, before, system, now))
        push.publish_on_commit(session, publisher, account.id, "trading", body, prior)
    return body


def _log_change(
    session: AsyncSession,
    account_id: int | None,
    command: str,
    result: str,
    actor: str,
    request_id: str | None,
) -> None:
    """`trading.control_changed` once the change commits: a client's flag (`account_id`) or
    a system flag (None), the command (`stop`, `halt`, `clear_halt`, ..), who and which
    request."""
    fields = {
        "scope": "client" if account_id is not None else "system",
        "account_id": account_id,
        "command": command,
        "result": result,
        "actor": actor,
        "request_id": request_id,
    }
    on_commit(session, lambda: logs.event("trading.control_changed", fields))


async def system_status(session: AsyncSession, now: datetime) -> SystemStatus:
    return SystemStatus(**system_body(await repository.system_flags(session), now))


async def admin_status(session: AsyncSession, now: datetime) -> AdminStatus:
    system = await repository.system_flags(session)
    clients = [
        TradingStatus(**client_body(account, manual, system, now))
        for account, manual in await repository.clients(session)
    ]
    return AdminStatus(**system_body(system, now), clients=clients)


async def system_command(
    session: AsyncSession,
    publisher: Publisher | None,
    kind: SystemKind,
    action: SystemAction,
    *,
    reason: str,
    actor: str,
    request_id: str | None,
    now: datetime,
    until: datetime | None = None,
) -> SystemCommandResult:
    """Set or clear one system flag (admins and the CLI only) and audit it. Raises
    Unprocessable (422) for an `until` not after `now`."""
    _check_until(until, now)
    row = await repository.lock_system(session, kind)
    before = SystemFlag.from_row(kind, row)
    outcome = apply_system(before, action, reason=reason, actor=actor, now=now, until=until)
    outcome.after.copy_to(row)
    repository.add_audit(
        session,
        account_id=None,
        command=kind if action == "set" else f"clear_{kind}",
        actor=actor,
        reason=reason,
        result=outcome.result,
        http_status=200,
        before=_flag_snapshot(before, now),
        after=_flag_snapshot(outcome.after, now),
        request_id=request_id,
        now=now,
    )
    await session.flush()
    system = await repository.system_flags(session)
    body = SystemCommandResult(**system_body(system, now), result=outcome.result)
    if outcome.changed:
        name = kind if action == "set" else f"clear_{kind}"
        _log_change(session, None, name, outcome.result, actor, request_id)
    if outcome.changed and publisher is not None:
        prior = SystemStatus(**system_body(replace(system, **{kind: before}), now))
        push.publish_on_commit(session, publisher, push.GLOBAL, "emergency", body, prior)
    return body


async def audit(
    session: AsyncSession,
    *,
    account_id: int | None,
    limit: int,
    before_id: int | None = None,
) -> list[AuditEntry]:
    """Audit rows newest first: one client's (`account_id`) or all (None, admins)."""
    rows = await repository.audit_rows(
        session, account_id=account_id, limit=limit, before_id=before_id
    )
    return [
        AuditEntry.model_validate(
            {
                **{c: getattr(row, c) for c in AuditEntry.model_fields if c != "client"},
                "client": str(row.account_id) if row.account_id is not None else None,
            }
        )
        for row in rows
    ]
