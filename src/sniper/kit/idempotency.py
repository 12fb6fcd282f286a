"""`Idempotency-Key` for POSTs (issue 3 item 6, RELIABILITY F10; after Stripe's and the IETF
draft "The Idempotency-Key HTTP Header Field").

- The key is 1-255 visible ASCII characters, scoped to the account.
- The first request with a key runs; its answer (status and JSON body) is stored with the key, the
  account, the request hash (SHA-256 of method, path and canonical JSON body) and the time, in the
  request's own transaction: the answer is stored exactly when the work was committed.
- A repeat with the same key and an equal request within `SNIPER_IDEMPOTENCY_TTL` (24 h) gets the
  stored status and body back, with `Idempotent-Replayed: true`; nothing runs again.
- The same key with a different request: 422 `IDEMPOTENCY_KEY_REUSED`.
- Concurrent identical requests: the key row is inserted first, so the others wait on the
  (account, key) unique index (PostgreSQL) or on the write lock every SQLite transaction takes
  (`BEGIN IMMEDIATE`) until the first commits, then replay its answer. Of 32 concurrent identical
  POSTs exactly one does the work and all 32 get the same answer; no 409 is needed. (A row seen
  without an answer cannot happen inside one transaction; should it, the answer is 409.)
- A request that fails stores nothing (its transaction rolls back): a retry with the key runs
  again. Unlike Stripe, 4xx answers are not replayed: ours come from state that changes (a slot
  frees up, tokens are granted), and a client retrying with the same key wants the new answer.
- Expired keys (older than the TTL) are deleted when their account next uses a key.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import JSONResponse

from sniper.db.upsert import dialect_insert
from sniper.errors import Conflict, Unprocessable
from sniper.models import IdempotencyKey

HEADER = "Idempotency-Key"
KEY_PATTERN = r"^[\x21-\x7e]{1,255}$"
PENDING = 0  # response_status of a row whose request has not finished (inside its transaction)


@dataclass(frozen=True)
class Claim:
    """Either `row` (this request runs and must `complete` it) or `replay` (send this back)."""

    row: IdempotencyKey | None
    replay: JSONResponse | None


def request_hash(method: str, path: str, body: bytes) -> str:
    """Hex SHA-256 of `METHOD path` and the body as canonical JSON (sorted keys, no spaces), so
    key order and whitespace do not make two equal requests differ. A body that is not JSON is
    hashed as its bytes."""
    try:
        canonical = json.dumps(
            json.loads(body or b"null"), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()
    except ValueError:
        canonical = body
    return hashlib.sha256(f"{method.upper()} {path}\n".encode() + canonical).hexdigest()


async def claim(
    session: AsyncSession,
    *,
    account_id: int,
    key: str,
    fingerprint: str,
    now: datetime,
    ttl: timedelta,
) -> Claim:
    """Reserve `key` for this request, or return the stored answer to replay.

    Raises `Unprocessable` (422 `IDEMPOTENCY_KEY_REUSED`) when the key was used for another
    request, `Conflict` (409 `IDEMPOTENCY_KEY_IN_USE`) for a row without an answer.
    """
    await session.execute(
        delete(IdempotencyKey).where(
            IdempotencyKey.account_id == account_id, IdempotencyKey.created_at < now - ttl
        )
    )
    values = {
        "account_id": account_id,
        "key": key,
        "request_hash": fingerprint,
        "response_status": PENDING,
        "response_body": None,
        "created_at": now,
    }
    inserted = await session.execute(
        dialect_insert(session, IdempotencyKey)
        .values(values)
        .on_conflict_do_nothing(index_elements=["account_id", "key"])
        .returning(IdempotencyKey.id)
    )
    new_id = inserted.scalar_one_or_none()
    if new_id is not None:
        return Claim(await session.get_one(IdempotencyKey, new_id), None)
    return Claim(None, await _stored_answer(session, account_id, key, fingerprint))


async def _stored_answer(
    session: AsyncSession, account_id: int, key: str, fingerprint: str
) -> JSONResponse:
    stored = (
        await session.execute(
            select(IdempotencyKey).where(
                IdempotencyKey.account_id == account_id, IdempotencyKey.key == key
            )
        )
    ).scalar_one()
    if stored.request_hash != fingerprint:
        raise Unprocessable(
            f"{HEADER} {key!r} was already used with a different request",
            code="IDEMPOTENCY_KEY_REUSED",
            details={"field": HEADER},
        )
    if stored.response_status == PENDING:
        raise Conflict(
            f"A request with {HEADER} {key!r} is still in progress; retry shortly",
            code="IDEMPOTENCY_KEY_IN_USE",
            details={"field": HEADER},
        )
    return JSONResponse(
        stored.response_body,
        status_code=stored.response_status,
        headers={"Idempotent-Replayed": "true"},
    )


async def complete(session: AsyncSession, row: IdempotencyKey, status: int, body: Any) -> None:
    """Store the answer (`status`, JSON-ready `body`) for the key `row` reserved."""
    row.response_status = status
    row.response_body = body
    await session.flush()
