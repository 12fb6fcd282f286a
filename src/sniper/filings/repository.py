"""All SQL of the filing pipeline: jobs (claimed with a lease by `sniper.worker.claim`), filing
records, 13F holdings, the CUSIP cache, the targets a filing fired, and the reference
reads (filing list, form types, CUSIP search).
Nothing here commits: the caller's transaction does."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, case, delete, func, insert, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from sniper.db.upsert import dialect_insert, insert_ignore
from sniper.models import CusipMap, Filing, FilingJob, Form13FHolding, Target
from sniper.worker import claim

J = FilingJob
JOBS = claim.JobTable(FilingJob)
_MAX_BIND = 500  # keeps IN (...) lists and multi-row inserts under SQLite's bind limit


async def enqueue_job(session: AsyncSession, row: dict[str, Any], target_id: str) -> FilingJob:
    """The job of `row["accession_number"]` with `target_id` among its targets: inserted when
    new; an existing one gains the target, and is reopened if it had finished (a re-run is
    idempotent and brings the new target up to date)."""
    await insert_ignore(session, J, [row | {"target_ids": [target_id]}], J.accession_number)
    result = await session.execute(select(J).where(J.accession_number == row["accession_number"]))
    job = result.scalar_one()
    if target_id not in job.target_ids:
        job.target_ids = [*job.target_ids, target_id]
        if job.status != "pending":
            job.status, job.stage, job.attempts = "pending", "detected", 0
            job.next_attempt_at = row["next_attempt_at"]
    return job


async def claim_due(
    session: AsyncSession,
    *,
    now: datetime,
    lease_expires_at: datetime,
    limit: int,
    skip: Collection[int] = (),
) -> list[int]:
    """Lease up to `limit` due pending jobs (none of the `skip` ids), oldest due first; a
    crashed worker's claim falls due again when its lease ends (`sniper.worker.claim`)."""
    return await claim.claim_due(
        session, JOBS, now=now, lease_expires_at=lease_expires_at, limit=limit, skip=skip
    )


async def lock_job(session: AsyncSession, job_id: int) -> FilingJob | None:
    """The job, locked (`FOR UPDATE`) and freshly read."""
    return await session.get(J, job_id, with_for_update=True, populate_existing=True)


async def update_targets(
    session: AsyncSession, target_ids: Sequence[str], values: dict[str, Any]
) -> list[Target]:
    """Set the pipeline `values` on the targets; returns them (for their push frames)."""
    if not target_ids:
        return []
    result = await session.execute(
        update(Target)
        .where(Target.id.in_(list(target_ids)))
        .values(**values)
        .returning(Target)
        .execution_options(synchronize_session=False, populate_existing=True)
    )
    return list(result.scalars().all())


async def upsert_filing(session: AsyncSession, values: dict[str, Any]) -> None:
    """Insert the filing record, or update every column but `uuid` and `created_at` of the
    existing one (keyed by accession number)."""
    statement = dialect_insert(session, Filing).values(**values)
    changed = {k: v for k, v in values.items() if k not in ("uuid", "created_at")}
    await session.execute(
        statement.on_conflict_do_update(index_elements=["accession_number"], set_=changed)
    )


async def replace_holdings(
    session: AsyncSession, filing_uuid: str, rows: Iterable[dict[str, Any]]
) -> int:
    """Replace the filing's holdings with `rows` (a re-parse never duplicates them)."""
    await session.execute(delete(Form13FHolding).where(Form13FHolding.filing_uuid == filing_uuid))
    count, batch = 0, []
    for row in rows:
        batch.append(row)
        if len(batch) * len(row) >= 30_000:
            await session.execute(insert(Form13FHolding), batch)
            count, batch = count + len(batch), []
    if batch:
        await session.execute(insert(Form13FHolding), batch)
        count += len(batch)
    return count


async def filing_by_accession(session: AsyncSession, accession: str) -> Filing | None:
    result = await session.execute(select(Filing).where(Filing.accession_number == accession))
    return result.scalar_one_or_none()


async def holding_cusips(session: AsyncSession, filing_uuid: str) -> list[str]:
    result = await session.execute(
        select(Form13FHolding.cusip).where(Form13FHolding.filing_uuid == filing_uuid).distinct()
    )
    return list(result.scalars().all())


async def holdings_page(
    session: AsyncSession, filing_uuid: str, *, limit: int, offset: int
) -> tuple[Sequence[Form13FHolding], int]:
    """One page of a filing's holdings in table order, and their total."""
    where = Form13FHolding.filing_uuid == filing_uuid
    total = (await session.execute(select(func.count()).where(where))).scalar_one()
    rows = await session.execute(
        select(Form13FHolding)
        .where(where)
        .order_by(Form13FHolding.row_number)
        .limit(limit)
        .offset(offset)
    )
    return rows.scalars().all(), int(total)


async def cached_mappings(session: AsyncSession, cusips: Iterable[str]) -> dict[str, CusipMap]:
    """Cached rows (mapped or known misses) of `cusips`."""
    wanted = sorted(set(cusips))
    found: dict[str, CusipMap] = {}
    for start in range(0, len(wanted), _MAX_BIND):
        chunk = wanted[start : start + _MAX_BIND]
        result = await session.execute(select(CusipMap).where(CusipMap.cusip.in_(chunk)))
        found.update((row.cusip, row) for row in result.scalars())
    return found


async def store_mappings(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> int:
    """Upsert cache rows (keyed by CUSIP; every row has the same keys); returns how many were
    written. One statement executed for all rows (SQLAlchemy batches the VALUES)."""
    if not rows:
        return 0
    statement = dialect_insert(session, CusipMap)
    columns = {c: statement.excluded[c] for c in rows[0] if c != "cusip"}
    await session.execute(
        statement.on_conflict_do_update(index_elements=["cusip"], set_=columns), list(rows)
    )
    return len(rows)


async def apply_tickers(session: AsyncSession, filing_uuid: str) -> int:
    """Copy mapped tickers from the cache onto the filing's holdings, and the cache's FIGI
    where the filer reported none (a FIGI in the information table is kept); returns how many
    rows now have a ticker."""

    def mapped(column: Any) -> Any:
        return (
            select(column)
            .where(CusipMap.cusip == Form13FHolding.cusip, CusipMap.status == "mapped")
            .scalar_subquery()
        )

    await session.execute(
        update(Form13FHolding)
        .where(Form13FHolding.filing_uuid == filing_uuid)
        .values(
            ticker=mapped(CusipMap.ticker),
            figi=func.coalesce(Form13FHolding.figi, mapped(CusipMap.figi)),
        )
        .execution_options(synchronize_session=False)
    )
    result = await session.execute(
        select(func.count()).where(
            Form13FHolding.filing_uuid == filing_uuid, Form13FHolding.ticker.is_not(None)
        )
    )
    return int(result.scalar_one())


async def mapping(session: AsyncSession, cusip: str) -> CusipMap | None:
    return await session.get(CusipMap, cusip)


async def mappings_for_ticker(session: AsyncSession, ticker: str) -> Sequence[CusipMap]:
    """Mapped cache rows of `ticker` (normalized), US listings and common stock first, then
    the most recently updated."""
    result = await session.execute(
        select(CusipMap)
        .where(CusipMap.ticker == ticker, CusipMap.status == "mapped")
        .order_by(CusipMap.updated_at.desc(), CusipMap.cusip)
    )
    return result.scalars().all()


async def mappings_with_prefix(session: AsyncSession, cusip6: str) -> Sequence[CusipMap]:
    """Mapped cache rows whose CUSIP starts with `cusip6` (6 letters and digits), by CUSIP."""
    result = await session.execute(
        select(CusipMap)
        .where(CusipMap.status == "mapped", CusipMap.cusip.like(_like_prefix(cusip6), escape="\\"))
        .order_by(CusipMap.cusip)
    )
    return result.scalars().all()


async def mappings_for_tickers(
    session: AsyncSession, tickers: Collection[str]
) -> Sequence[CusipMap]:
    """Mapped cache rows of any of `tickers` (normalized), by CUSIP."""
    result = await session.execute(
        select(CusipMap)
        .where(CusipMap.ticker.in_(list(tickers)), CusipMap.status == "mapped")
        .order_by(CusipMap.cusip)
    )
    return result.scalars().all()


async def mapping_profile(
    session: AsyncSession,
) -> Sequence[tuple[str, str | None, str | None, str | None, int]]:
    """The cache grouped by (status, ticker, security type, market sector) with row counts."""
    keys = (CusipMap.status, CusipMap.ticker, CusipMap.security_type, CusipMap.market_sector)
    result = await session.execute(select(*keys, func.count()).group_by(*keys))
    return [(status, ticker, kind, sector, int(n)) for status, ticker, kind, sector, n in result]


def _like_prefix(text: str) -> str:
    """`text` as a LIKE prefix pattern, its wildcards escaped (escape character `\\`)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


async def search_mappings(
    session: AsyncSession, query: str, *, limit: int, offset: int
) -> tuple[list[tuple[CusipMap, float]], int]:
    """Mapped cache rows whose CUSIP or ticker starts with `query` (uppercased) or whose name
    contains it (case-insensitive), best first: exact ticker 1.0, exact CUSIP 0.95, ticker
    prefix 0.9, CUSIP prefix 0.85, name 0.5; ties by ticker, CUSIP. Returns the page and the
    total."""
    upper = query.upper()
    prefix = _like_prefix(upper)
    contains = "%" + prefix
    matches = or_(
        CusipMap.cusip.like(prefix, escape="\\"),
        CusipMap.ticker.like(prefix, escape="\\"),
        func.upper(CusipMap.name).like(contains, escape="\\"),
    )
    where = and_(CusipMap.status == "mapped", matches)
    relevance = case(
        (CusipMap.ticker == upper, 1.0),
        (CusipMap.cusip == upper, 0.95),
        (CusipMap.ticker.like(prefix, escape="\\"), 0.9),
        (CusipMap.cusip.like(prefix, escape="\\"), 0.85),
        else_=0.5,
    ).label("relevance")
    total = (await session.execute(select(func.count()).where(where))).scalar_one()
    rows = await session.execute(
        select(CusipMap, relevance)
        .where(where)
        .order_by(relevance.desc(), CusipMap.ticker, CusipMap.cusip)
        .limit(limit)
        .offset(offset)
    )
    return [(row, float(score)) for row, score in rows.all()], int(total)


async def filings_page(
    session: AsyncSession,
    *,
    cik: int | None,
    form_type: str | None,
    from_date: date | None,
    to_date: date | None,
    order: tuple[str, bool],
    limit: int,
    offset: int,
) -> tuple[Sequence[Filing], int]:
    """Filings (filer or issuer `cik`, exact `form_type`, `filing_date` within the dates) in
    `order` (`filed_date` or `updated_at`, descending when True; accession as tie-break),
    one page and the total."""
    clauses = []
    if cik is not None:
        clauses.append(or_(Filing.filer_cik == cik, Filing.issuer_cik == cik))
    if form_type is not None:
        clauses.append(Filing.form_type == form_type)
    if from_date is not None:
        clauses.append(Filing.filing_date >= from_date)
    if to_date is not None:
        clauses.append(Filing.filing_date <= to_date)
    where = and_(true(), *clauses)
    column: ColumnElement[Any] = (
        Filing.updated_at if order[0] == "updated_at" else Filing.filing_date  # type: ignore[assignment]
    )
    keys = (column, Filing.accession_number)
    direction = [key.desc() if order[1] else key.asc() for key in keys]
    total = await session.execute(select(func.count()).select_from(Filing).where(where))
    rows = await session.execute(
        select(Filing).where(where).order_by(*direction).limit(limit).offset(offset)
    )
    return rows.scalars().all(), int(total.scalar_one())


async def form_type_counts(
    session: AsyncSession,
) -> Sequence[tuple[str, int, date | None, date | None]]:
    """Every form type among the stored filings with its count and first / last filing date,
    most filed first (then by form type)."""
    count = func.count().label("filing_count")
    result = await session.execute(
        select(Filing.form_type, count, func.min(Filing.filing_date), func.max(Filing.filing_date))
        .group_by(Filing.form_type)
        .order_by(count.desc(), Filing.form_type)
    )
    return [(form, int(n), first, last) for form, n, first, last in result.all()]


_IS_13F = Filing.form_type.like("13F-%")


async def fund_filing(session: AsyncSession, cik: int, period: date | None) -> Filing | None:
    """The fund's 13F filing for `period` (its latest report when None): the latest accepted
    one of that period, so an amendment filed later wins."""
    where = [_IS_13F, Filing.filer_cik == cik]
    if period is not None:
        where.append(Filing.period_of_report == period)
    result = await session.execute(
        select(Filing)
        .where(*where)
        .order_by(
            Filing.period_of_report.desc(), Filing.accepted_at.desc(), Filing.accession_number
        )
        .limit(1)
    )
    return result.scalar_one_or_none()


async def latest_13f(session: AsyncSession, limit: int) -> Sequence[Filing]:
    """The `limit` most recently parsed 13F filings (`updated_at` DESC, accession tie-break)."""
    result = await session.execute(
        select(Filing)
        .where(_IS_13F)
        .order_by(Filing.updated_at.desc(), Filing.accession_number.desc())
        .limit(limit)
    )
    return result.scalars().all()
