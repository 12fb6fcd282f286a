"""The dashboard's sign-in session: a signed cookie, a CSRF token, and the signed-in account.

The cookie `sniper_session` (HttpOnly, SameSite=Strict, path `/`) holds
`{"key": <API key>, "csrf": <32 hex>}` signed with `SNIPER_SECRET_KEY` (itsdangerous, salt
`sniper.dashboard`, at most `MAX_AGE_SECONDS` old). Every page re-authenticates the key, so a
revoked key ends the session at the next request (`authenticate` answers None). Every form
posts the session's CSRF token in the field `csrf`; a POST without the session's token is
refused (`BadCsrf`, 403).
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.ext.asyncio import AsyncSession

from sniper.accounts.service import authenticate
from sniper.errors import Forbidden
from sniper.models import Account

COOKIE = "sniper_session"
MAX_AGE_SECONDS = 12 * 3600
_SALT = "sniper.dashboard"


class SignedOut(Exception):
    """No valid session: the page redirects to the sign-in page."""


class BadCsrf(Forbidden):
    """A form posted without the session's CSRF token (403)."""

    code = "CSRF_TOKEN_INVALID"


@dataclass(frozen=True)
class Visitor:
    """A signed-in visitor: the account, its API key (for the WebSocket) and the CSRF token."""

    account: Account
    api_key: str
    csrf: str


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=_SALT)


def sign_in(response: Response, secret_key: str, api_key: str, *, secure: bool) -> None:
    """Set the session cookie for `api_key` (already authenticated) with a new CSRF token."""
    value = _serializer(secret_key).dumps({"key": api_key, "csrf": secrets.token_hex(16)})
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
    raw = request.cookies.get(COOKIE)
    if not raw:
        raise SignedOut
    try:
        data = _serializer(secret_key).loads(raw, max_age=MAX_AGE_SECONDS)
    except BadSignature as exc:
        raise SignedOut from exc
    if not isinstance(data, dict):
        raise SignedOut
    key, csrf = data.get("key"), data.get("csrf")
    if not isinstance(key, str) or not isinstance(csrf, str):
        raise SignedOut
    account = await authenticate(session, key, secret_key=secret_key)
    if account is None:
        raise SignedOut
    return Visitor(account=account, api_key=key, csrf=csrf)


async def form(request: Request, who: Visitor | None = None) -> dict[str, str]:
    """The url-encoded form of a POST (last value of each field). With `who`, checks the
    `csrf` field against the session's token first; raises `BadCsrf` when it differs."""
    body = (await request.body()).decode("utf-8", errors="replace")
    fields = {name: values[-1] for name, values in parse_qs(body, keep_blank_values=True).items()}
    if who is not None and not hmac.compare_digest(fields.get("csrf", ""), who.csrf):
        raise BadCsrf("The form's CSRF token is missing or stale: reload the page")
    return fields
