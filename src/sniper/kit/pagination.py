"""Query parameters shared by list endpoints."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

# Past any real list, and inside a signed 32-bit integer: SQLite and PostgreSQL take it as OFFSET
# (an unbounded one overflowed SQLite's INTEGER: a 500 that schemathesis found, RELIABILITY F1).
MAX_OFFSET = 1_000_000_000

Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Rows to skip (0-1,000,000,000).")]
