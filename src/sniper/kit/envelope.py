"""Finradar's success envelope for data endpoints: `{status, request_id, timestamp, data}`.

The sniper pages (seeds 000-002) are flat; account and reference endpoints are wrapped.
"""

from __future__ import annotations

from typing import Generic, Literal, TypeVar

from fastapi import Request
from pydantic import BaseModel

from sniper.clock import Clock
from sniper.kit.http import request_id
from sniper.kit.timefmt import iso_z

T = TypeVar("T")


class Envelope(BaseModel, Generic[T]):
    status: Literal["success"] = "success"
    request_id: str
    timestamp: str
    data: T


def wrap(request: Request, clock: Clock, data: T) -> Envelope[T]:
    """`data` in the envelope, stamped with the request id and `clock`'s time (the wall clock)."""
    return Envelope[T](request_id=request_id(request), timestamp=iso_z(clock.now()), data=data)
