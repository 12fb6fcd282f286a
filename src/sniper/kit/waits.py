"""Waiting on several `asyncio.Event`s at once (worker loops: a wake-up, a stop, ...)."""

from __future__ import annotations

import asyncio


async def first_of(*events: asyncio.Event, timeout: float | None = None) -> None:
    """Return when any of `events` is set, or after `timeout` seconds (None: no limit). The
    helper tasks it starts are cancelled on return and when the caller is cancelled."""
    waiters = {asyncio.ensure_future(event.wait()) for event in events}
    try:
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
