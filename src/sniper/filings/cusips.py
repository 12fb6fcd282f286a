"""The CUSIP cache's rows: from OpenFIGI answers or a seed CSV (`sniper cusip seed FILE.csv`).

A seed CSV has a header row; `cusip` is required, and the OpenFIGI field names are read when
present: `figi`, `ticker`, `name`, `exchCode`, `compositeFIGI`, `shareClassFIGI`,
`securityType`, `marketSector` (the flattened `/v3/mapping` CSV, e.g. 9,995 13F CUSIPs). A row
without a FIGI is a known miss. Tickers are stored normalized (`BRK/B` -> `BRK-B`).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from sniper.edgar.catalog import normalize_ticker
from sniper.filings import repository as repo
from sniper.filings.openfigi import FigiMapping, is_cusip

_FIELDS = {
    "figi": "figi",
    "ticker": "ticker",
    "name": "name",
    "exchcode": "exch_code",
    "compositefigi": "composite_figi",
    "shareclassfigi": "share_class_figi",
    "securitytype": "security_type",
    "marketsector": "market_sector",
}
_WIDTHS = {"figi": 12, "composite_figi": 12, "share_class_figi": 12, "ticker": 32, "name": 200}


@dataclass(frozen=True, slots=True)
class SeedRows:
    """Rows read from a seed CSV, one per CUSIP (CUSIPs are uppercased; a mapped row wins over
    a miss, else the first row wins), and how many rows were skipped (no or malformed CUSIP, a
    CUSIP already read)."""

    mappings: list[FigiMapping]
    skipped: int


def _clip(name: str, value: str | None) -> str | None:
    text = (value or "").strip()
    return text[: _WIDTHS.get(name, 64)] or None


def _seed_row(row: dict[str, str | None], columns: dict[str, str]) -> FigiMapping | None:
    """One CSV row -> mapping; `columns` maps CSV column names to `FigiMapping` fields."""
    values = {field: _clip(field, row.get(column)) for column, field in columns.items()}
    cusip = (values.pop("cusip", None) or "").upper()
    if not is_cusip(cusip):
        return None
    return FigiMapping(cusip=cusip, status="mapped" if values.get("figi") else "miss", **values)


def read_seed_csv(path: Path) -> SeedRows:
    """Read a seed CSV; raises `ValueError` when it has no `cusip` column, `OSError` when
    unreadable."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        headers = {name.strip().lower(): name for name in reader.fieldnames or []}
        if "cusip" not in headers:
            raise ValueError("the CSV needs a header row with a `cusip` column")
        columns = {headers[key]: field for key, field in _FIELDS.items() if key in headers}
        columns[headers["cusip"]] = "cusip"
        seen: dict[str, FigiMapping] = {}
        skipped = 0
        for row in reader:
            mapping = _seed_row(row, columns)
            if mapping is None:
                skipped += 1
                continue
            earlier = seen.get(mapping.cusip)
            if earlier is not None:
                skipped += 1
                if earlier.status == "mapped" or mapping.status != "mapped":
                    continue
            seen[mapping.cusip] = mapping
    return SeedRows(list(seen.values()), skipped)


def cache_row(mapping: FigiMapping, *, source: str, now: datetime) -> dict[str, Any]:
    """The `cusip_map` row of one mapping (ticker normalized)."""
    mapped = mapping.status == "mapped"
    return {
        "cusip": mapping.cusip,
        "status": "mapped" if mapped else "miss",
        "figi": mapping.figi if mapped else None,
        "composite_figi": mapping.composite_figi if mapped else None,
        "share_class_figi": mapping.share_class_figi if mapped else None,
        "ticker": normalize_ticker(mapping.ticker) or None if mapped and mapping.ticker else None,
        "name": mapping.name if mapped else None,
        "exch_code": mapping.exch_code if mapped else None,
        "security_type": mapping.security_type if mapped else None,
        "market_sector": mapping.market_sector if mapped else None,
        "source": source,
        "updated_at": now,
    }


async def store(
    session: AsyncSession, mappings: Sequence[FigiMapping], *, now: datetime, source: str = "seed"
) -> int:
    """Upsert `mappings` into the cache; returns how many rows were written."""
    rows = [cache_row(mapping, source=source, now=now) for mapping in mappings]
    return await repo.store_mappings(session, rows) if rows else 0
