"""Query parameters shared by list endpoints."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

# Past any real list, and inside a signed 32-bit integer: SQLite and PostgreSQL take it as OFFSET
# (an unbounded one overflowed SQLite's INTEGER: a 500 that schemathesis found, RELIABILITY F1).
MAX_OFFSET = 1_000_000_000

Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Rows to skip (0-1,000,000,000).")]


def clamped(raw: str | None, *, low: int, high: int, default: int) -> int:
    """A lenient integer query value: `raw` clamped to [`low`, `high`]; `default` when absent or
    not an integer (`abc`, `2.5`, `1e999`, thousands of digits). Finradar's account pages
    document this for `days` (1-90, default 30) and `limit` (1-200, default 50) instead of a
    400."""
    try:
        value = int(raw.strip()) if raw is not None else default
    except ValueError:
        return default
    return max(low, min(high, value))
