"""API keys: random, shown once, stored as HMAC-SHA256 digests under the server's secret key.

HMAC lookup costs microseconds; RELIABILITY.md measured argon2-per-request capping auth at
~20 req/s on these cores, and a 238-bit random key needs no slow hash.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import TypeGuard

from sniper.kit.ids import base62

KEY_PREFIX = "snp_"
DISPLAY_PREFIX_LENGTH = 12
MAX_KEY_LENGTH = 256  # keys are 44 characters; longer input is not hashed


def new_api_key() -> str:
    """`snp_` + 40 base62 characters."""
    return KEY_PREFIX + base62(40)


def is_well_formed(api_key: object) -> TypeGuard[str]:
    """True when `api_key` could be a key: a string of 1 to `MAX_KEY_LENGTH` printable ASCII
    characters. Keys are `snp_` + base62, so nothing else can match one; refusing the rest
    here keeps U+0000 and lone surrogates (which Python's json accepts and UTF-8 cannot encode)
    away from `key_digest` and the database."""
    return (
        isinstance(api_key, str)
        and 0 < len(api_key) <= MAX_KEY_LENGTH
        and api_key.isascii()
        and api_key.isprintable()
    )


def key_digest(secret_key: str, api_key: str) -> str:
    """Hex HMAC-SHA256 of `api_key` under `secret_key` (64 characters). `api_key` must encode
    as UTF-8 (no lone surrogates): check input with `is_well_formed` first."""
    return hmac.new(secret_key.encode(), api_key.encode(), hashlib.sha256).hexdigest()


def display_prefix(api_key: str) -> str:
    return api_key[:DISPLAY_PREFIX_LENGTH]
