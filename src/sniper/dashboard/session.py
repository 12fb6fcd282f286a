"""The dashboard's sign-in session: a signed cookie, a CSRF token, and the signed-in account.

The cookie `sniper_session` (HttpOnly, SameSite=Strict, path `/`) holds
`{"key": <API key>, "csrf": <32 hex>}` signed with `SNIPER_SECRET_KEY` (its codec:
`sniper.accounts.session_cookie`; `/ws/main-api` accepts it too, so no page embeds the key).
Every page re-authenticates the key, so a revoked key ends the session at the next request
(`authenticate` answers None). Every form posts the session's CSRF token in the field `csrf`;
a POST without the session's token is refused (`BadCsrf`, 403).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from urllib.parse import parse_qs

from fastapi import Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from sniper.accounts import session_cookie
from sniper.accounts.service import authenticate
from sniper.errors import Forbidden
from sniper.models import Account

COOKIE = session_cookie.COOKIE
MAX_AGE_SECONDS = session_cookie.MAX_AGE_SECONDS


class SignedOut(Exception):
    """No valid session: the page redirects to the sign-in page."""


class BadCsrf(Forbidden):
    """A form posted without the session's CSRF token (403)."""

    code = "CSRF_TOKEN_INVALID"


@dataclass(frozen=True)
class Visitor:
    """A signed-in visitor: the account and the session's CSRF token."""

    account: Account
    csrf: str


def sign_in(response: Response, secret_key: str, api_key: str, *, secure: bool) -> None:
    """Set the session cookie for `api_key` (already authenticated) with a new CSRF token."""
    value = session_cookie.encode(secret_key, api_key)
    response.set_cookie(
        COOKIE,
        value,
        max_age=MAX_AGE_SECONDS,
        httponly=True,
        samesite="strict",
        secure=secure,
        path="/",
    )


def sign_out(response: Response) -> None:
    """Expire the session cookie."""
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")


async def visitor(request: Request, session: AsyncSession, secret_key: str) -> Visitor:
    """The request's signed-in visitor; raises `SignedOut` for no cookie, a bad or expired
    signature, or a key that no longer authenticates (revoked)."""
    decoded = session_cookie.decode(secret_key, request.cookies.get(COOKIE))
    if decoded is None:
        raise SignedOut
    key, csrf = decoded
    account = await authenticate(session, key, secret_key=secret_key)
    if account is None:
        raise SignedOut
    return Visitor(account=account, csrf=csrf)


async def form(request: Request, who: Visitor | None = None) -> dict[str, str]:
    """The url-encoded form of a POST (last value of each field). With `who`, checks the
    `csrf` field against the session's token first; raises `BadCsrf` when it differs."""
    body = (await request.body()).decode("utf-8", errors="replace")
    fields = {name: values[-1] for name, values in parse_qs(body, keep_blank_values=True).items()}
    if who is not None and not hmac.compare_digest(fields.get("csrf", ""), who.csrf):
        raise BadCsrf("The form's CSRF token is missing or stale: reload the page")
    return fields
