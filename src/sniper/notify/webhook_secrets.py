"""Per-account webhook secrets: which ones sign, display prefixes, rotation with an overlap.

Standard Webhooks v1 lets ``webhook-signature`` carry several space-separated ``v1,`` entries
so that a rotation breaks no receiver: after `rotate_secret` the new secret and the previous one
both sign until the overlap (``SNIPER_WEBHOOK_SECRET_OVERLAP``, default 24 h) has passed; then
only the new one. Rotating again within the overlap drops the older previous secret at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from sniper.models import Account
from sniper.notify.signing import SECRET_PREFIX, new_webhook_secret

DISPLAY_CHARS = 6  # base64 characters shown after "whsec_"


def display_prefix(secret: str) -> str:
    """``whsec_`` plus the first 6 characters: enough to tell secrets apart, never the secret."""
    return secret[: len(SECRET_PREFIX) + DISPLAY_CHARS]


def previous_secret(account: Account, now: datetime) -> str | None:
    """The previous secret while it still signs (its expiry is after `now`), else None."""
    expires = account.webhook_previous_secret_expires_at
    if account.webhook_previous_secret and expires is not None and expires > now:
        return account.webhook_previous_secret
    return None


def signing_secrets(account: Account, now: datetime) -> tuple[str, ...]:
    """The secrets that sign a webhook sent at `now`: the current one first, then the previous
    one during its overlap."""
    previous = previous_secret(account, now)
    return (account.webhook_secret,) if previous is None else (account.webhook_secret, previous)


async def rotate_secret(
    session: AsyncSession, account: Account, *, now: datetime, overlap: timedelta
) -> str:
    """Give `account` a new secret and return it (shown once); the current one becomes the
    previous secret, signing until `now + overlap`. The account row is locked first, so two
    rotations serialize."""
    await session.refresh(account, with_for_update=True)
    new = new_webhook_secret()
    account.webhook_previous_secret = account.webhook_secret
    account.webhook_previous_secret_expires_at = now + overlap
    account.webhook_secret = new
    await session.flush()
    return new
