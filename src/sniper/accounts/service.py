"""Account, API key and token-ledger logic. Never commits: the caller's transaction does."""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from sniper.accounts import audit, keycache
from sniper.accounts.keys import display_prefix, is_well_formed, key_digest, new_api_key
from sniper.accounts.schemas import UserUpdate
from sniper.db.session import on_commit
from sniper.errors import BadRequest, Conflict, NotFound
from sniper.models import Account, ApiKey, LedgerEntry
from sniper.notify.service import reenable_endpoint
from sniper.notify.signing import new_webhook_secret
from sniper.notify.urls import validate_webhook_url
from sniper.runtime import Runtime

PLANS = ("free", "paid")


async def create_account(
    session: AsyncSession, *, name: str, plan: str, tokens: int, admin: bool, now: datetime
) -> Account:
    """A new account with `tokens` granted through the ledger. Raises Conflict on a taken name."""
    if plan not in PLANS:
        raise BadRequest(f"plan must be one of {', '.join(PLANS)}", details={"field": "plan"})
    if tokens < 0:
        raise BadRequest("tokens must be >= 0", details={"field": "tokens"})
    if await account_by_name(session, name) is not None:
        raise Conflict(f"account {name!r} already exists")
    account = Account(
        name=name,
        plan=plan,
        token_balance=0,
        is_admin=admin,
        webhook_secret=new_webhook_secret(),
        created_at=now,
    )
    session.add(account)
    await session.flush()
    if tokens:
        await credit(session, account, tokens, type_="grant", cause="cli.accounts.create", now=now)
    return account


async def account_by_name(session: AsyncSession, name: str) -> Account | None:
    result = await session.execute(select(Account).where(Account.name == name))
    return result.scalar_one_or_none()


async def require_account(session: AsyncSession, name: str) -> Account:
    account = await account_by_name(session, name)
    if account is None:
        raise NotFound(f"no account named {name!r}")
    return account


async def create_api_key(
    session: AsyncSession,
    account: Account,
    *,
    secret_key: str,
    now: datetime,
    actor: str = "cli",
) -> str:
    """Create a key for `account` and return it; only its digest and prefix are stored."""
    plaintext = new_api_key()
    prefix = display_prefix(plaintext)
    session.add(
        ApiKey(
            account_id=account.id,
            prefix=prefix,
            digest=key_digest(secret_key, plaintext),
            created_at=now,
        )
    )
    audit.record(
        session,
        account_id=account.id,
        actor=actor,
        action="api_key.created",
        subject=prefix,
        now=now,
    )
    await session.flush()
    return plaintext


async def list_api_keys(session: AsyncSession, account: Account) -> Sequence[ApiKey]:
    """The account's keys (prefix, created, revoked), oldest first."""
    result = await session.execute(
        select(ApiKey).where(ApiKey.account_id == account.id).order_by(ApiKey.id)
    )
    return result.scalars().all()


async def revoke_api_key(
    session: AsyncSession, prefix: str, *, now: datetime, actor: str = "cli"
) -> tuple[ApiKey, bool]:
    """Revoke the key with display `prefix`; `(key, changed)`, idempotent on a revoked key.

    Raises NotFound for no match and BadRequest when the prefix names several keys."""
    keys = (await session.execute(select(ApiKey).where(ApiKey.prefix == prefix))).scalars().all()
    if not keys:
        raise NotFound(f"no API key with prefix {prefix!r}")
    if len(keys) > 1:
        raise BadRequest(f"prefix {prefix!r} matches {len(keys)} keys", details={"field": "prefix"})
    key = keys[0]
    if key.revoked_at is not None:
        return key, False
    key.revoked_at = now
    on_commit(session, keycache.KEYS.clear)
    audit.record(
        session,
        account_id=key.account_id,
        actor=actor,
        action="api_key.revoked",
        subject=prefix,
        now=now,
    )
    return key, True


# Built once: constructing the statement cost more than running it (RELIABILITY F12 profile).
_ACCOUNT_BY_DIGEST = (
    select(Account, ApiKey.digest)
    .join(ApiKey, ApiKey.account_id == Account.id)
    .where(ApiKey.digest == bindparam("digest"), ApiKey.revoked_at.is_(None))
)


async def authenticate_digest(session: AsyncSession, digest: str) -> Account | None:
    """The account owning the unrevoked key whose HMAC digest is `digest`, or None."""
    result = await session.execute(_ACCOUNT_BY_DIGEST, {"digest": digest})
    row = result.one_or_none()
    if row is None or not hmac.compare_digest(row[1], digest):
        return None
    account: Account = row[0]
    return account


async def authenticate(
    session: AsyncSession, api_key: object, *, secret_key: str
) -> Account | None:
    """The account owning an unrevoked `api_key`, or None. One statement (key and account).

    Anything that is not a well-formed key (`keys.is_well_formed`: not a string, empty, too
    long, U+0000, a lone surrogate, ...) is None without a query, so no caller can crash on
    client input. Looked up by its HMAC-SHA256 digest (a unique index), then the stored digest
    is compared with `hmac.compare_digest`, so the final comparison takes constant time
    whatever the database did.
    """
    if not is_well_formed(api_key):
        return None
    return await authenticate_digest(session, key_digest(secret_key, api_key))


async def credit(
    session: AsyncSession,
    account: Account,
    amount: int,
    *,
    type_: str,
    cause: str,
    now: datetime,
    reference: str | None = None,
) -> None:
    """Add `amount` tokens and append the ledger row."""
    await session.execute(
        update(Account)
        .where(Account.id == account.id)
        .values(token_balance=Account.token_balance + amount)
    )
    await session.refresh(account, ["token_balance"])
    session.add(
        LedgerEntry(
            account_id=account.id,
            delta=amount,
            balance_after=account.token_balance,
            type=type_,
            cause=cause,
            reference=reference,
            details={},
            created_at=now,
        )
    )


async def debit_up_to(
    session: AsyncSession,
    account_id: int,
    amount: int,
    *,
    cause: str,
    reference: str,
    now: datetime,
    details: dict[str, Any] | None = None,
) -> int:
    """Debit `amount` tokens, or what is left if less (the balance never goes negative).

    Returns the tokens actually debited; appends a ledger row when that is more than zero.
    The conditional update is race-free on both databases.
    """
    account = await session.get(Account, account_id, with_for_update=True, populate_existing=True)
    assert account is not None
    taken = min(amount, account.token_balance)
    if taken <= 0:
        return 0
    result = await session.execute(
        update(Account)
        .where(Account.id == account_id, Account.token_balance >= taken)
        .values(token_balance=Account.token_balance - taken)
        .returning(Account.token_balance)
    )
    balance_after = result.scalar_one()
    meta = {"requested": amount, **(details or {})}
    session.add(
        LedgerEntry(
            account_id=account_id,
            delta=-taken,
            balance_after=balance_after,
            type="debit",
            cause=cause,
            reference=reference,
            details=meta,
            created_at=now,
        )
    )
    return taken


async def update_webhook_url(
    session: AsyncSession, runtime: Runtime, account: Account, url: str | None
) -> None:
    """Set the account's default webhook URL (`""`/null clears it); 400 when unsafe. Setting a
    URL whose endpoint was disabled (410, or failing for SNIPER_WEBHOOK_DISABLE_AFTER) re-enables
    it."""
    account.webhook_url = await validate_webhook_url(runtime, url)
    if account.webhook_url is not None:
        await reenable_endpoint(session, account.id, account.webhook_url)
    await session.flush()


async def update_odds_format(session: AsyncSession, account: Account, odds_format: str) -> None:
    """Set the odds display preference (`american`, `decimal`, `hong_kong`, `fractional`; the
    schema validates it), shown as `oddsFormat` on the trading-control surface (seed 004)."""
    account.odds_format = odds_format
    await session.flush()


async def update_user(
    session: AsyncSession, runtime: Runtime, account: Account, body: UserUpdate
) -> None:
    """Apply `PUT /api/v1/user/`: only the fields the caller sent change. The webhook URL is
    checked first (400 `INVALID_WEBHOOK_URL`), so a refused URL changes nothing."""
    sent = body.model_fields_set
    if "webhook_url" in sent:
        await update_webhook_url(session, runtime, account, body.webhook_url)
    if body.notify_email is not None:
        account.notify_email = body.notify_email
    if body.notify_browser is not None:
        account.notify_browser = body.notify_browser
    if body.odds_format is not None:
        await update_odds_format(session, account, body.odds_format)
    await session.flush()
