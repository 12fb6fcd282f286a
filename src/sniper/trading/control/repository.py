"""All SQL of the trading control plane. Never commits: the edge's transaction does.

Writers lock the flag row they change (`SELECT ... FOR UPDATE` on PostgreSQL; SQLite serializes
every transaction with `BEGIN IMMEDIATE`), creating it first with `INSERT ... ON CONFLICT DO
NOTHING` so two first commands of one client cannot both insert. Readers take no locks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sniper.db.upsert import insert_ignore
from sniper.models import Account, TradingClientControl, TradingControlAudit, TradingSystemControl
from sniper.trading.control.status import (
    SYSTEM_KINDS,
    ManualFlags,
    SystemFlag,
    SystemFlags,
    SystemKind,
)


async def lock_client(session: AsyncSession, account_id: int) -> TradingClientControl:
    """The client's flag row, created if missing, locked until the transaction ends."""
    await insert_ignore(
        session,
        TradingClientControl,
        [{"account_id": account_id, **asdict(ManualFlags())}],
        TradingClientControl.account_id,
    )
    result = await session.execute(
        select(TradingClientControl)
        .where(TradingClientControl.account_id == account_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return result.scalar_one()


async def client_flags(session: AsyncSession, account_id: int) -> ManualFlags:
    row = await session.get(TradingClientControl, account_id, populate_existing=True)
    return ManualFlags.from_row(row)


async def lock_system(session: AsyncSession, kind: SystemKind) -> TradingSystemControl:
    """The `kind` system flag row, created if missing, locked until the transaction ends."""
    await insert_ignore(
        session,
        TradingSystemControl,
        [{"kind": kind, "active": False}],
        TradingSystemControl.kind,
    )
    result = await session.execute(
        select(TradingSystemControl)
        .where(TradingSystemControl.kind == kind)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return result.scalar_one()


async def system_flags(session: AsyncSession) -> SystemFlags:
    """The three system flags (a missing row reads as never set)."""
    result = await session.execute(
        select(TradingSystemControl).execution_options(populate_existing=True)
    )
    rows = {row.kind: row for row in result.scalars()}
    flags = {kind: SystemFlag.from_row(kind, rows.get(kind)) for kind in SYSTEM_KINDS}
    return SystemFlags(**flags)


async def clients(session: AsyncSession) -> Sequence[tuple[Account, ManualFlags]]:
    """Every account with its manual flags, by account id."""
    result = await session.execute(
        select(Account, TradingClientControl)
        .outerjoin(TradingClientControl, TradingClientControl.account_id == Account.id)
        .order_by(Account.id)
    )
    return [(account, ManualFlags.from_row(row)) for account, row in result.all()]


def add_audit(
    session: AsyncSession,
    *,
    account_id: int | None,
    command: str,
    actor: str,
    reason: str | None,
    result: str,
    http_status: int,
    before: dict[str, Any],
    after: dict[str, Any],
    request_id: str | None,
    now: datetime,
) -> None:
    """Append one audit row (flushed with the flag change, committed with it)."""
    session.add(
        TradingControlAudit(
            account_id=account_id,
            scope="client" if account_id is not None else "system",
            command=command,
            actor=actor,
            reason=reason,
            result=result,
            http_status=http_status,
            before=before,
            after=after,
            request_id=request_id,
            created_at=now,
        )
    )


async def audit_rows(
    session: AsyncSession,
    *,
    account_id: int | None,
    limit: int,
    before_id: int | None = None,
) -> Sequence[TradingControlAudit]:
    """Newest first; `account_id` None lists every row (admin view)."""
    query = select(TradingControlAudit).order_by(TradingControlAudit.id.desc()).limit(limit)
    if account_id is not None:
        query = query.where(TradingControlAudit.account_id == account_id)
    if before_id is not None:
        query = query.where(TradingControlAudit.id < before_id)
    return (await session.execute(query)).scalars().all()
