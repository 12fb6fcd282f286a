"""Auth dependencies. Every surface takes an API key in `Authorization: Bearer <key>`,
`X-API-Key: <key>` or `?apiKey=<key>` (DESIGN.md "API surfaces")."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from sniper.accounts.keycache import KEYS, KeyOwner
from sniper.accounts.keys import is_well_formed, key_digest
from sniper.accounts.service import authenticate, authenticate_digest
from sniper.db.session import transaction
from sniper.deps import RuntimeDep, SessionDep
from sniper.errors import NotFound, Unauthorized
from sniper.kit import ratelimit
from sniper.kit.openapi import documented_api_key
from sniper.models import Account


def api_key_from(request: Request) -> str | None:
    """The key from the Authorization Bearer header, X-API-Key, or the apiKey query parameter."""
    authorization = request.headers.get("authorization", "")
    scheme, _, credentials = authorization.partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return request.headers.get("x-api-key") or request.query_params.get("apiKey") or None


async def optional_account(
    request: Request, session: SessionDep, runtime: RuntimeDep
) -> Account | None:
    """The account of the request's API key, None when it sent none; 401 for an unknown or
    revoked key; the call counted against its plan's rate limit (429 `RATE_LIMITED`, see
    `sniper.kit.ratelimit`)."""
    api_key = api_key_from(request)
    if not api_key:
        return None
    account = await authenticate(session, api_key, secret_key=runtime.settings.secret_key)
    if account is None:
        raise Unauthorized("Invalid or revoked API key")
    request.state.account_id = account.id
    await ratelimit.enforce(runtime.limiter, request, f"account:{account.id}", account.plan)
    return account


OptionalAccount = Annotated[Account | None, Depends(optional_account)]


async def current_account(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    _schemes: Annotated[None, Depends(documented_api_key)],
) -> Account:
    """`optional_account`, and 401 when the request sent no key."""
    account = await optional_account(request, session, runtime)
    if account is None:
        raise Unauthorized(MISSING_KEY)
    return account


CurrentAccount = Annotated[Account, Depends(current_account)]
MISSING_KEY = "Missing API key: send Authorization: Bearer <key>, X-API-Key or ?apiKey="


async def current_key_owner(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    _schemes: Annotated[None, Depends(documented_api_key)],
) -> KeyOwner:
    """`current_account` for hot read routes that need only the account's id and plan: the
    key's owner is remembered for `SNIPER_API_KEY_CACHE_TTL` (`sniper.accounts.keycache`), so a
    repeat call skips the lookup statement. Same 401s; every call still counts against the
    rate limit."""
    api_key = api_key_from(request)
    if not api_key:
        raise Unauthorized(MISSING_KEY)
    if not is_well_formed(api_key):
        raise Unauthorized("Invalid or revoked API key")
    settings = runtime.settings
    digest = key_digest(settings.secret_key, api_key)
    owner = KEYS.get(settings.database_url, digest)
    if owner is None:
        account = await authenticate_digest(session, digest)
        if account is None:
            raise Unauthorized("Invalid or revoked API key")
        owner = KeyOwner(id=account.id, plan=account.plan)
        KEYS.put(settings.database_url, digest, owner, settings.api_key_cache_ttl.total_seconds())
    request.state.account_id = owner.id
    await ratelimit.enforce(runtime.limiter, request, f"account:{owner.id}", owner.plan)
    return owner


CurrentKeyOwner = Annotated[KeyOwner, Depends(current_key_owner)]


async def account_outside_transaction(
    request: Request,
    runtime: RuntimeDep,
    _schemes: Annotated[None, Depends(documented_api_key)],
) -> Account:
    """`current_account`, read in a transaction of its own that has ended when the endpoint
    runs: for endpoints that call out (`POST /api/v1/webhooks/test`), which then hold no lock
    and no pooled connection during the call. The account is detached (its loaded fields
    only)."""
    async with transaction(runtime.sessions, read_only=True) as session:
        return await current_account(request, session, runtime, None)


AccountOutsideTransaction = Annotated[Account, Depends(account_outside_transaction)]


async def admin_account(account: CurrentAccount) -> Account:
    """Admin endpoints answer 404 to everyone else, so their existence does not leak."""
    if not account.is_admin:
        raise NotFound("Not Found")
    return account


AdminAccount = Annotated[Account, Depends(admin_account)]
