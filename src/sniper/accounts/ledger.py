"""The token ledger: usage by day and endpoint, the transaction list, and per-call charges."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from sniper.accounts.schemas import DailyUsage, EndpointUsage, Usage
from sniper.errors import InsufficientTokens
from sniper.models import Account, LedgerEntry

TOP_ENDPOINTS = 10


async def transactions(session: AsyncSession, account_id: int, limit: int) -> Sequence[LedgerEntry]:
    """The newest `limit` ledger rows of the account."""
    result = await session.execute(
        select(LedgerEntry)
        .where(LedgerEntry.account_id == account_id)
        .order_by(LedgerEntry.created_at.desc(), LedgerEntry.id.desc())
        .limit(limit)
    )
    return result.scalars().all()


async def usage(session: AsyncSession, account_id: int, *, days: int, now: datetime) -> Usage:
    """Debits of the last `days` UTC calendar days (today included), grouped by day and cause."""
    since = datetime.combine(now.date() - timedelta(days=days - 1), datetime.min.time(), now.tzinfo)
    rows = (
        await session.execute(
            select(LedgerEntry.created_at, LedgerEntry.delta, LedgerEntry.cause).where(
                LedgerEntry.account_id == account_id,
                LedgerEntry.type == "debit",
                LedgerEntry.created_at >= since,
            )
        )
    ).all()
    by_day: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_cause: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for created_at, delta, cause in rows:
        for bucket in (by_day[created_at.date().isoformat()], by_cause[cause]):
            bucket[0] += -delta
            bucket[1] += 1
    daily = [
        DailyUsage(day=d, tokens_used=t, events=n)
        for d, (t, n) in sorted(by_day.items(), reverse=True)
    ]
    top = sorted(by_cause.items(), key=lambda item: (-item[1][0], item[0]))[:TOP_ENDPOINTS]
    return Usage(
        window_days=days,
        total_tokens_used=sum(t for t, _ in by_day.values()),
        daily=daily,
        top_endpoints=[EndpointUsage(endpoint=c, tokens_used=t, events=n) for c, (t, n) in top],
    )


async def charge(
    session: AsyncSession,
    account_id: int,
    cost: int,
    *,
    cause: str,
    request_id: str,
    now: datetime,
) -> int:
    """Debit a call's `cost` in tokens, all or nothing, and append its ledger row (`metadata`
    carries the `request_id`); returns the balance after it. A `cost` of 0 writes nothing.

    402 `INSUFFICIENT_TOKENS` (with Finradar's `current_balance`, `required_cost`, `plan`,
    `next_refill_at`, `upgrade_url`) when the balance is below `cost`: nothing is debited
    (seeds README, "Tokens"). The conditional update is race-free on SQLite and PostgreSQL:
    two calls racing for the last tokens get one 200 and one 402.
    """
    account = await session.get(Account, account_id, populate_existing=True)
    assert account is not None
    if cost <= 0:
        return account.token_balance
    result = await session.execute(
        update(Account)
        .where(Account.id == account_id, Account.token_balance >= cost)
        .values(token_balance=Account.token_balance - cost)
        .returning(Account.token_balance)
    )
    balance_after = result.scalar_one_or_none()
    if balance_after is None:
        raise _insufficient(account, cost)
    session.add(
        LedgerEntry(
            account_id=account_id,
            delta=-cost,
            balance_after=balance_after,
            type="debit",
            cause=cause,
            reference=request_id,
            details={"request_id": request_id},
            created_at=now,
        )
    )
    return int(balance_after)


def _insufficient(account: Account, cost: int) -> InsufficientTokens:
    balance = account.token_balance
    return InsufficientTokens(
        f"Insufficient token balance: this call costs {cost}, the balance is {balance}",
        details={
            "current_balance": balance,
            "required_cost": cost,
            "plan": account.plan,
            "next_refill_at": None,
            "upgrade_url": "/pricing",
        },
    )
