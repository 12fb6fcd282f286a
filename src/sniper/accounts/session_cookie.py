"""The dashboard's signed session cookie, readable below the dashboard (the WebSocket reads it).

`sniper_session` holds `{"key": <API key>, "csrf": <32 hex>}` signed with `SNIPER_SECRET_KEY`
(itsdangerous, salt `sniper.dashboard`, at most `MAX_AGE_SECONDS` old). Only the signature and
the shape are checked here: whether the key still authenticates (not revoked) is the reader's
check (`sniper.accounts.service.authenticate`).
"""

from __future__ import annotations

import secrets

from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "sniper_session"
MAX_AGE_SECONDS = 12 * 3600
_SALT = "sniper.dashboard"


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=_SALT)


def encode(secret_key: str, api_key: str) -> str:
    """The cookie value for `api_key` with a new CSRF token."""
    return _serializer(secret_key).dumps({"key": api_key, "csrf": secrets.token_hex(16)})


def decode(secret_key: str, raw: str | None) -> tuple[str, str] | None:
    """(API key, CSRF token) of a cookie value; None when absent, forged, expired or of
    another shape."""
    if not raw:
        return None
    try:
        data = _serializer(secret_key).loads(raw, max_age=MAX_AGE_SECONDS)
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    key, csrf = data.get("key"), data.get("csrf")
    if not isinstance(key, str) or not isinstance(csrf, str):
        return None
    return key, csrf
