"""Identifiers: `tgt_` + 12 base62 characters for targets, random API keys, UUID delivery ids."""

from __future__ import annotations

import secrets
import string

BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase


def base62(length: int) -> str:
    """`length` characters drawn uniformly from [0-9A-Za-z] with the OS CSPRNG."""
    return "".join(secrets.choice(BASE62) for _ in range(length))


def new_target_id() -> str:
    """`tgt_` + 12 base62 characters (≈71 bits), the Finradar target id format."""
    return "tgt_" + base62(12)


def is_target_id(value: str) -> bool:
    return len(value) == 16 and value.startswith("tgt_") and all(c in BASE62 for c in value[4:])
