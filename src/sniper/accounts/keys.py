"""API keys: random, shown once, stored as HMAC-SHA256 digests under the server's secret key.

HMAC lookup costs microseconds; RELIABILITY.md measured argon2-per-request capping auth at
~20 req/s on these cores, and a 238-bit random key needs no slow hash.
"""

from __future__ import annotations

import hashlib
import hmac

from sniper.kit.ids import base62

KEY_PREFIX = "snp_"
DISPLAY_PREFIX_LENGTH = 12


def new_api_key() -> str:
    """`snp_` + 40 base62 characters."""
    return KEY_PREFIX + base62(40)


def key_digest(secret_key: str, api_key: str) -> str:
    """Hex HMAC-SHA256 of `api_key` under `secret_key` (64 characters)."""
    return hmac.new(secret_key.encode(), api_key.encode(), hashlib.sha256).hexdigest()


def display_prefix(api_key: str) -> str:
    return api_key[:DISPLAY_PREFIX_LENGTH]
