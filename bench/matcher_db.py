"""The database half of matching: `repository.open_targets_for_ciks` on SQLite, 100,000 targets.

Per poll, `watcher.fire_matches` loads the open targets of the CIKs the fresh filings list
(`open_targets_for_ciks`, on index `ix_sniper_targets_cik_status`) and indexes only those. This
module migrates a temporary SQLite database with the project's Alembic migrations, bulk-inserts
one account and the given targets as ACTIVE rows (SQLAlchemy core insert), then times that
lookup, one transaction per poll as the watcher runs it, for the real filings' CIKs grouped into
polls of 1 filing (a quiet feed) and of 100 filings (one full feed page, a catch-up poll).

Numbers: µs per filing (lookup time / filings looked up), Target rows returned per filing and,
for scale, µs of a transaction that only runs `SELECT 1`; peer: milliseconds to load every open
target in one query (the O(n) design), and SQLite's plan for the lookup.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from sniper.db.engine import create_engine, session_factory
from sniper.db.migrate import upgrade
from sniper.db.session import transaction
from sniper.edgar.atom import MATCH_ROLES, DetectedFiling
from sniper.models import Account, Target
from sniper.targets import repository as repo

if TYPE_CHECKING:
    from bench.bench_matcher import TargetSpec

Row = tuple[str, str, str]
CHUNK = 10_000
SINGLE_POLLS = 600  # polls of one filing timed (of 3,315), evenly spread
PAGE = 100


def _target_row(spec: TargetSpec, account_id: int, now: datetime) -> dict[str, Any]:
    return {
        "id": spec.target_id,
        "account_id": account_id,
        "ticker": spec.company.ticker,
        "cik": spec.company.cik,
        "company_name": spec.company.title,
        "status": "ACTIVE",
        "start_time": spec.start,
        "end_time": spec.end,
        "expires_at": spec.end,
        "form_types": list(spec.forms) if spec.forms is not None else None,
        "webhook_url": None,
        "created_at": now,
        "activated_at": now,
    }


async def fill(engine: AsyncEngine, specs: Sequence[TargetSpec]) -> None:
    """Insert one paid account and every spec as an ACTIVE target of it."""
    now = datetime.now(UTC)
    async with engine.begin() as connection:
        account_id = (
            await connection.execute(
                insert(Account)
                .values(
                    name="bench",
                    plan="paid",
                    token_balance=0,
                    is_admin=False,
                    webhook_url=None,
                    webhook_secret="whsec_bench",
                    created_at=now,
                )
                .returning(Account.id)
            )
        ).scalar_one()
        rows = [_target_row(spec, account_id, now) for spec in specs]
        for offset in range(0, len(rows), CHUNK):
            await connection.execute(insert(Target), rows[offset : offset + CHUNK])


def polls(filings: Sequence[DetectedFiling], size: int) -> list[set[int]]:
    """The match-role CIK sets of consecutive groups of `size` filings (one set per poll)."""
    groups = [filings[i : i + size] for i in range(0, len(filings), size)]
    return [set().union(*(f.ciks_for(MATCH_ROLES) for f in group)) for group in groups]


async def time_lookups(
    sessions: async_sessionmaker[AsyncSession], batches: Sequence[set[int]]
) -> tuple[float, int]:
    """(seconds for every lookup, rows returned), one transaction per lookup."""
    returned = 0
    started = time.perf_counter()
    for ciks in batches:
        async with transaction(sessions) as session:
            returned += len(await repo.open_targets_for_ciks(session, ciks))
    return time.perf_counter() - started, returned


async def time_bare(sessions: async_sessionmaker[AsyncSession], count: int = 200) -> float:
    """Seconds per transaction that only runs `SELECT 1`: the per-poll floor on SQLite
    (`BEGIN IMMEDIATE`, one statement through aiosqlite's thread, commit)."""
    started = time.perf_counter()
    for _ in range(count):
        async with transaction(sessions) as session:
            await session.execute(text("SELECT 1"))
    return (time.perf_counter() - started) / count


async def time_full_load(sessions: async_sessionmaker[AsyncSession]) -> tuple[float, int]:
    """(seconds, rows) to load every open target at once: what a poll without the CIK filter
    would cost."""
    started = time.perf_counter()
    async with transaction(sessions) as session:
        result = await session.execute(select(Target).where(Target.status.in_(repo.OPEN_STATUSES)))
        count = len(result.scalars().all())
    return time.perf_counter() - started, count


async def query_plan(engine: AsyncEngine, ciks: set[int]) -> str:
    """SQLite's `EXPLAIN QUERY PLAN` detail for the lookup's statement on `ciks`."""
    statement = select(Target).where(
        Target.cik.in_(sorted(ciks)), Target.status.in_(repo.OPEN_STATUSES)
    )
    sql = str(statement.compile(engine.sync_engine, compile_kwargs={"literal_binds": True}))
    async with engine.connect() as connection:
        plan = await connection.execute(text(f"EXPLAIN QUERY PLAN {sql}"))
        return "; ".join(str(row[-1]) for row in plan)


async def _measure(
    url: str, specs: Sequence[TargetSpec], filings: Sequence[DetectedFiling]
) -> dict[str, Any]:
    engine = create_engine(url)
    try:
        await fill(engine, specs)
        sessions = session_factory(engine)
        step = max(1, len(filings) // SINGLE_POLLS)
        singles = polls(filings[::step][:SINGLE_POLLS], 1)
        pages = polls(filings, PAGE)
        await time_lookups(sessions, pages[:3])  # warm the page cache and statement cache
        return {
            "single": (*await time_lookups(sessions, singles), len(singles)),
            "page": (*await time_lookups(sessions, pages), len(filings)),
            "bare": await time_bare(sessions),
            "full": await time_full_load(sessions),
            "plan": await query_plan(engine, pages[0]),
        }
    finally:
        await engine.dispose()


def _rows(count: int, found: dict[str, Any]) -> list[Row]:
    single_s, single_rows, single_n = found["single"]
    page_s, page_rows, page_n = found["page"]
    full_s, full_rows = found["full"]
    name = f"DB: open_targets_for_ciks, {count:,} ACTIVE (SQLite)"
    return [
        (
            f"{name}, 1 filing/poll",
            f"{single_s / single_n * 1e6:.0f} µs/filing ({single_rows / single_n:.1f} rows/filing;"
            f" a bare SELECT 1 transaction: {found['bare'] * 1e6:.0f} µs)",
            f"load all {full_rows:,} open targets per poll: {full_s * 1e3:.0f} ms",
        ),
        (
            f"{name}, {PAGE} filings/poll",
            f"{page_s / page_n * 1e6:.0f} µs/filing ({page_rows / page_n:.1f} rows/filing)",
            f"plan: {found['plan']}",
        ),
    ]


def run(specs: Sequence[TargetSpec], filings: Sequence[DetectedFiling]) -> list[Row]:
    """Rows for the SQLite lookup over `specs` (see the module docstring for the numbers)."""
    with tempfile.TemporaryDirectory(prefix="sniper-bench-") as directory:
        url = f"sqlite+aiosqlite:///{Path(directory) / 'targets.db'}"
        upgrade(url)
        found = asyncio.run(_measure(url, specs, filings))
    return _rows(len(specs), found)
