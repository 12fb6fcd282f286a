"""The CUSIP reference answers (`/api/v1/cusip/...`) built from the CUSIP cache (OpenFIGI
answers and seeded mappings) and SEC's ticker catalog. Never commits.

Source pages: uat.finradarapi.com/docs/reference-data/cusip-api/ (lookup, ticker, batch,
search, chain) and uat.finradarapi.com/llms/cusip-api.txt.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from sniper.edgar.catalog import TickerCatalog, normalize_ticker
from sniper.errors import BadRequest, NotFound
from sniper.filings import cusips
from sniper.filings import repository as repo
from sniper.filings.funds import cik_or_400
from sniper.filings.openfigi import FigiMapping, OpenFigiError
from sniper.filings.schemas import (
    ChainEntry,
    CusipBatchOut,
    CusipChainOut,
    CusipIssuerOut,
    CusipOut,
    CusipRow,
    CusipSearchOut,
    CusipSearchRow,
    CusipStatsOut,
)
from sniper.models import CusipMap
from sniper.runtime import Runtime

SEARCH_MAX = 100
GROUPS = ("Stocks", "ETFs", "Preferred", "Warrants", "Debt", "Other")  # the pages' priority

# OpenFIGI `securityType` / `marketSector` -> Finradar's six `security_group` buckets.
_FUNDS = frozenset({"ETP", "Closed-End Fund", "Open-End Fund", "Mutual Fund"})
_WARRANTS = frozenset({"Equity WRT", "Right", "Warrant"})
_DEBT_SECTORS = frozenset({"Corp", "Govt", "Muni", "Mtge", "M-Mkt"})
_OTHER_EQUITY = frozenset({"Unit"})


def _invalid(field: str, message: str) -> BadRequest:
    return BadRequest(f"{field}: {message}", details={"field": field})


def normalize_cusip(raw: str, field: str = "cusip") -> str:
    """The 9-character CUSIP: whitespace stripped, uppercased, and an 8-character one (missing
    its trailing check digit) zero-padded to 9 as the lookup page says (`03783310` ->
    `037833100`). 400 naming `field` for anything else."""
    value = raw.strip().upper()
    if len(value) == 8 and value.isascii() and value.isalnum():
        value += "0"
    if len(value) != 9 or not value.isascii() or not value.isalnum():
        raise _invalid(
            field, f"{raw!r} is not a CUSIP (9 letters and digits, or 8 without the check digit)"
        )
    return value


def security_group(row: CusipMap | None) -> str | None:
    """`Stocks`, `ETFs`, `Preferred`, `Warrants`, `Debt` or `Other` from the OpenFIGI security
    type and market sector; None for an unmapped CUSIP."""
    if row is None or row.status != "mapped":
        return None
    return group_of(row.security_type, row.market_sector)


def group_of(security_type: str | None, market_sector: str | None) -> str:
    """The `security_group` bucket of a mapped OpenFIGI security type and market sector."""
    kind, sector = security_type or "", market_sector or ""
    if kind in _FUNDS:
        return "ETFs"
    if kind in _WARRANTS:
        return "Warrants"
    if sector == "Pfd" or "Preferred" in kind:
        return "Preferred"
    if sector in _DEBT_SECTORS:
        return "Debt"
    if sector == "Equity" and kind not in _OTHER_EQUITY:
        return "Stocks"
    return "Other"


def resolve_ticker(catalog: TickerCatalog, raw: str) -> str:
    """The canonical hyphen-form ticker (Finradar's v3.14.2 shim): `BRK.A`, `BRK/A` and
    `brk-a` normalize to `BRK-A`, and `BRKA`, unknown to SEC's catalog, becomes `BRK-A` when
    the catalog knows that (so `BRKR`, a real ticker, stays). 400 for a blank or overlong one."""
    ticker = normalize_ticker(raw)
    if not ticker or len(ticker) > 32:
        raise _invalid("ticker", f"{raw!r} is not a ticker")
    if "-" in ticker or len(ticker) < 3 or catalog.lookup(ticker) is not None:
        return ticker
    classed = f"{ticker[:-1]}-{ticker[-1]}"
    return classed if catalog.lookup(classed) is not None else ticker


def issuer_cik(catalog: TickerCatalog, ticker: str | None) -> str | None:
    """The 10-digit CIK SEC's catalog gives the ticker, or None."""
    entry = catalog.lookup(ticker) if ticker else None
    return None if entry is None else f"{entry.cik:010d}"


def _cik_of(catalog: TickerCatalog, row: CusipMap | None) -> str | None:
    return issuer_cik(catalog, row.ticker) if row is not None and row.ticker else None


def cusip_out(catalog: TickerCatalog, row: CusipMap | None, cusip: str) -> CusipOut:
    """The mapped row as the lookup page shows it; 404 for a known miss or an unknown CUSIP."""
    if row is None or row.status != "mapped":
        details: dict[str, Any] = {"cusip": cusip, "known_miss": row is not None}
        raise NotFound(f"no instrument maps to CUSIP {cusip}", details=details)
    return CusipOut.model_validate(row).model_copy(
        update={
            "cik": _cik_of(catalog, row),
            "cusip6": cusip[:6],
            "security_group": security_group(row),
        }
    )


def cusip_row(catalog: TickerCatalog, cusip: str, row: CusipMap | None) -> CusipRow:
    """One batch / search row; an unmapped CUSIP keeps its key fields, the rest null."""
    mapped = row is not None and row.status == "mapped"
    return CusipRow(
        cusip=cusip,
        ticker=row.ticker if mapped and row else None,
        issuer_name=row.name if mapped and row else None,
        cik=_cik_of(catalog, row) if mapped else None,
        cusip6=cusip[:6],
        security_group=security_group(row),
        figi=row.figi if mapped and row else None,
    )


async def batch(session: AsyncSession, runtime: Runtime, raw: list[str]) -> CusipBatchOut:
    """`POST /cusip/batch`: every CUSIP (400 naming `cusips[i]` for a malformed one) in input
    order; CUSIPs never asked are put to OpenFIGI once (when configured) and cached."""
    wanted = [normalize_cusip(c, f"cusips[{i}]") for i, c in enumerate(raw)]
    cached = await repo.cached_mappings(session, wanted)
    unknown = [c for c in dict.fromkeys(wanted) if c not in cached]
    answers = await ask_openfigi(runtime, unknown) if unknown else {}
    if answers:
        await cusips.store(
            session, list(answers.values()), now=runtime.clock.now(), source="openfigi"
        )
        cached = await repo.cached_mappings(session, wanted)
    rows = [cusip_row(runtime.catalog, c, cached.get(c)) for c in wanted]
    return CusipBatchOut(
        results=rows, total=len(rows), mapped=sum(r.ticker is not None for r in rows)
    )


async def ask_openfigi(runtime: Runtime, wanted: list[str]) -> dict[str, FigiMapping]:
    """What OpenFIGI maps `wanted` to (known misses included); empty when no client is
    configured or it is unavailable (then nothing is cached). Touches no database."""
    client = runtime.pipeline.openfigi
    if client is None:
        return {}
    try:  # bounded: a 429 would otherwise hold the request for `ratelimit-reset` seconds
        timeout = runtime.settings.edgar_timeout.total_seconds()
        return await asyncio.wait_for(client.map_cusips(wanted), timeout)
    except (OpenFigiError, TimeoutError):
        return {}


async def search(
    session: AsyncSession, catalog: TickerCatalog, query: str, *, limit: int, offset: int
) -> CusipSearchOut:
    """`GET /cusip/search`: `limit` above 100 clamps to 100 (the page); 400 for a blank `q`."""
    text = query.strip()
    if not text or len(text) > 100:
        raise _invalid("q", "give 1-100 characters of a CUSIP, ticker or issuer name")
    limit = min(limit, SEARCH_MAX)
    found, total = await repo.search_mappings(session, text, limit=limit, offset=offset)
    results = [
        CusipSearchRow(**cusip_row(catalog, row.cusip, row).model_dump(), relevance=score)
        for row, score in found
    ]
    return CusipSearchOut(query=text, results=results, total=total, limit=limit, offset=offset)


def chain_of(row: CusipMap) -> list[ChainEntry]:
    """The successor chain Sniper can show: the current CUSIP alone."""
    return [ChainEntry(cusip=row.cusip, ticker=row.ticker, issuer_name=row.name)]


async def chain(session: AsyncSession, raw: str) -> CusipChainOut:
    """`GET /cusip/chain/{cusip}`; 404 when no mapping of the CUSIP is cached."""
    cusip = normalize_cusip(raw)
    row = await repo.mapping(session, cusip)
    if row is None or row.status != "mapped":
        raise NotFound(f"no instrument maps to CUSIP {cusip}", details={"cusip": cusip})
    return CusipChainOut(
        cusip=cusip, chain=chain_of(row), current_cusip=row.cusip, current_ticker=row.ticker
    )


def _issuer(catalog: TickerCatalog, rows: Sequence[CusipMap]) -> tuple[str | None, list[CusipRow]]:
    """The issuer's name (as SEC's catalog spells it, else the most common OpenFIGI name) and
    the rows, by group priority then ticker."""
    out = [cusip_row(catalog, row.cusip, row) for row in rows]
    out.sort(key=lambda r: (GROUPS.index(r.security_group or "Other"), r.ticker or "", r.cusip))
    entries = [catalog.lookup(r.ticker) for r in out if r.ticker]
    titles = Counter(entry.title for entry in entries if entry is not None)
    names = titles or Counter(row.name for row in rows if row.name)
    return (names.most_common(1)[0][0] if names else None), out


async def by_cusip6(session: AsyncSession, catalog: TickerCatalog, raw: str) -> CusipIssuerOut:
    """`GET /cusip/cusip6/{cusip6}`: 400 unless 6 letters and digits, 404 when none is mapped."""
    cusip6 = raw.strip().upper()
    if len(cusip6) != 6 or not cusip6.isascii() or not cusip6.isalnum():
        raise _invalid("cusip6", f"{raw!r} is not a CUSIP6 (6 letters and digits)")
    rows = await repo.mappings_with_prefix(session, cusip6)
    if not rows:
        raise NotFound(f"no security maps to CUSIP6 {cusip6}", details={"cusip6": cusip6})
    name, out = _issuer(catalog, rows)
    return CusipIssuerOut(cusip6=cusip6, issuer_name=name, securities=out, total=len(out))


async def by_cik(session: AsyncSession, catalog: TickerCatalog, raw: str) -> CusipIssuerOut:
    """`GET /cusip/cik/{cik}` (`320193` or `0000320193`): the mapped CUSIPs of the tickers SEC's
    catalog gives the CIK; 400 unless 1-10 digits, 404 when none is mapped."""
    cik = cik_or_400(raw)
    tickers = catalog.tickers_for_cik(cik)
    rows = await repo.mappings_for_tickers(session, tickers) if tickers else []
    if not rows:
        raise NotFound(f"no CUSIP maps to CIK {cik:010d}", details={"cik": f"{cik:010d}"})
    name, out = _issuer(catalog, rows)
    return CusipIssuerOut(cik=f"{cik:010d}", issuer_name=name, securities=out, total=len(out))


async def stats(session: AsyncSession, runtime: Runtime) -> CusipStatsOut:
    """`GET /cusip/stats`: counts over the whole cache (known misses are unmapped)."""
    total = mapped = with_cik = 0
    groups = dict.fromkeys(GROUPS, 0)
    for status, ticker, kind, sector, count in await repo.mapping_profile(session):
        total += count
        if status != "mapped":
            continue
        groups[group_of(kind, sector)] += count
        if ticker:
            mapped += count
            with_cik += count if runtime.catalog.lookup(ticker) is not None else 0
    return CusipStatsOut(
        total_cusips=total,
        mapped=mapped,
        unmapped=total - mapped,
        with_cik=with_cik,
        mapping_rate=round(100 * mapped / total, 2) if total else 0.0,
        security_groups=groups,
        openfigi_enabled=runtime.pipeline.openfigi is not None,
    )
