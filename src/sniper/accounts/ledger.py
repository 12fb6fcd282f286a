"""Read side of the token ledger: usage by day and endpoint, and the transaction list."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sniper.accounts.schemas import DailyUsage, EndpointUsage, Usage
from sniper.models import LedgerEntry

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
