"""A few seconds' memory of which account an API key belongs to, for the hot read routes.

`GET /api/v1/sniper/targets` is the call clients poll; looking its key up costs a statement (and
on SQLite a thread hop) per request (bench/PROFILE.md). `KEYS` remembers, per process, that a
key digest (under one database URL) belonged to an unrevoked key of account `id` on `plan`, for
`SNIPER_API_KEY_CACHE_TTL` (5 s; 0 turns it off). Only `KeyOwner` is kept, never the key or an
ORM object, so nothing stale is ever written back.

Revocation: `revoke_api_key` clears the cache when its transaction commits, so a key revoked in
this process is refused by the next request. A key revoked by another process (`sniper keys
revoke`) is refused within the TTL, like an open WebSocket's re-check (`SNIPER_WS_AUTH_RECHECK`).
A plan change shows in `slots_available` and the rate limit within the TTL.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

MAX_ENTRIES = 10_000  # a full cache is emptied: one miss per key, never unbounded memory


@dataclass(frozen=True, slots=True)
class KeyOwner:
    """The account an unrevoked key belonged to when it was looked up."""

    id: int
    plan: str


class KeyCache:
    """`(database_url, digest) -> KeyOwner` for `ttl` seconds of `now()` (monotonic seconds)."""

    def __init__(self, now: Callable[[], float] = time.monotonic) -> None:
        self._now = now
        self._entries: dict[tuple[str, str], tuple[float, KeyOwner]] = {}

    def get(self, database_url: str, digest: str) -> KeyOwner | None:
        """The remembered owner, or None when unknown or older than its TTL."""
        entry = self._entries.get((database_url, digest))
        if entry is None:
            return None
        if entry[0] <= self._now():
            self._entries.pop((database_url, digest), None)
            return None
        return entry[1]

    def put(self, database_url: str, digest: str, owner: KeyOwner, ttl: float) -> None:
        """Remember `owner` for `ttl` seconds (nothing when `ttl` <= 0)."""
        if ttl <= 0:
            return
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()
        self._entries[(database_url, digest)] = (self._now() + ttl, owner)

    def clear(self) -> None:
        """Forget every key (a key was revoked)."""
        self._entries.clear()


KEYS = KeyCache()
