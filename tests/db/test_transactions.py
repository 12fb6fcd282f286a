"""Read transactions (GET and HEAD requests) never wait for the write lock and never write; the
SQLite driver answers like aiosqlite with fewer thread round trips (RELIABILITY F12)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import Executable, func, insert, select, text, update

from sniper.db.engine import WriteInReadTransaction
from sniper.db.session import transaction
from sniper.models import Account, AuditEvent
from tests.conftest import Harness

TARGETS = "/api/v1/sniper/targets"


async def test_a_get_is_served_while_a_writer_holds_the_write_lock(harness: Harness) -> None:
    h = harness
    key = await h.account("alice")
    created = await h.client.post(TARGETS, headers={"X-API-Key": key}, json={"ticker": "AAPL"})
    assert created.status_code == 200
    async with transaction(h.runtime.sessions) as writer:
        await writer.execute(update(Account).values(token_balance=Account.token_balance + 1))
        # BEGIN IMMEDIATE (SQLite) / a row lock (PostgreSQL) is held until this block ends
        listed = await asyncio.wait_for(h.client.get(TARGETS, headers={"X-API-Key": key}), 5)
        assert listed.status_code == 200
        assert listed.json()["meta"]["total"] == 1


async def test_a_write_in_a_read_transaction_is_refused(harness: Harness) -> None:
    await harness.account("alice")
    statements: list[Executable] = [
        update(Account).values(token_balance=0),
        insert(AuditEvent).values(actor="t", action="x", subject="y"),
        text("DELETE FROM audit_events"),
    ]
    for statement in statements:
        async with transaction(harness.runtime.sessions, read_only=True) as session:
            await session.execute(select(func.count()).select_from(Account))
            with pytest.raises(WriteInReadTransaction, match="write in a read transaction"):
                await session.execute(statement)
    async with transaction(harness.runtime.sessions, read_only=True) as session:
        balance = await session.scalar(select(Account.token_balance))
    assert balance == 100  # nothing was written


async def test_rows_rowcount_and_lastrowid_match_the_statement(harness: Harness) -> None:
    await harness.account("alice")
    await harness.account("bob")
    async with transaction(harness.runtime.sessions) as session:
        changed = await session.execute(update(Account).values(token_balance=7))
        assert changed.rowcount == 2  # type: ignore[attr-defined]
        names = (await session.execute(select(Account.name).order_by(Account.name))).scalars()
        assert list(names) == ["alice", "bob"]
        streamed = await session.stream_scalars(select(Account.name).order_by(Account.name))
        assert [name async for name in streamed] == ["alice", "bob"]
    async with transaction(harness.runtime.sessions, read_only=True) as session:
        assert await session.scalar(select(func.sum(Account.token_balance))) == 14
