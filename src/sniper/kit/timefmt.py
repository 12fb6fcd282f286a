"""ISO 8601 UTC timestamps with a `Z` and second precision, the format of every API field."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import PlainSerializer


def iso_z(moment: datetime) -> str:
    """`2026-05-02T21:42:18Z`: UTC, seconds, sub-second part dropped."""
    utc = moment if moment.tzinfo is UTC else moment.astimezone(UTC)  # stored times are UTC
    # isoformat: a tenth of strftime's cost, same text
    return utc.replace(microsecond=0, tzinfo=None).isoformat() + "Z"


UTCStamp = Annotated[datetime, PlainSerializer(iso_z, return_type=str)]
"""A datetime field serialized as `iso_z` (every time the API and the events show)."""

# Every instant the API takes lies in [EARLIEST, LATEST): far from `datetime`'s own limits, so
# a window, a grace or a bar interval added to it cannot overflow (`9999-12-31T23:30:00Z` plus an
# hour, or `0001-01-01T00:00:00+01:00` in UTC, would raise `OverflowError`).
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


class OutOfRange(ValueError):
    """An instant outside [`EARLIEST`, `LATEST`)."""

    def __init__(self) -> None:
        super().__init__("must lie between 1900-01-01T00:00:00Z and 2199-12-31T23:59:59Z")


def to_utc(moment: datetime) -> datetime:
    """`moment` in UTC (a naive one is read as UTC); raises `OutOfRange` outside the API's
    range."""
    try:
        utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except OverflowError:
        raise OutOfRange() from None
    if not EARLIEST <= utc < LATEST:
        raise OutOfRange()
    return utc


def parse_iso(value: str) -> datetime:
    """Parse an ISO 8601 instant; a value without an offset is read as UTC. Raises ValueError
    (`OutOfRange` for an instant outside the API's range)."""
    text = value.strip()
    if not text:
        raise ValueError("empty timestamp")
    return to_utc(datetime.fromisoformat(text.replace("z", "Z")))
