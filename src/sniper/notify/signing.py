"""Standard Webhooks v1 signing and verification (https://www.standardwebhooks.com/, spec v1).

A message is signed as HMAC-SHA256 over ``"{webhook-id}.{webhook-timestamp}.{body}"`` with the
secret's raw bytes, sent as ``webhook-signature: v1,<base64>`` (a space-separated list, so several
secrets can sign during a rotation). The HMAC itself is computed by the ``standardwebhooks``
package; this module adds strict parsing so that `verify` is total: any malformed, missing, huge
or wrong header, secret or body raises `InvalidSignature` and nothing else (the package raises
plain ``ValueError`` / ``binascii.Error`` on malformed input).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import math
import re
import secrets
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

from standardwebhooks.webhooks import EmptyWebhookSecretError, Webhook

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
DEFAULT_TOLERANCE = timedelta(minutes=5)
MAX_HEADER_CHARS = 4096
_TIMESTAMP_RE = re.compile(r"[0-9]{1,12}", re.ASCII)
_MSG_ID_RE = re.compile(r"[\x21-\x7e]{1,256}", re.ASCII)


class InvalidSignature(Exception):
    """A webhook failed Standard Webhooks v1 verification; ``str(exc)`` says why."""


def new_webhook_secret() -> str:
    """Return a new secret: ``"whsec_"`` + standard base64 of 32 random bytes (44 chars).

    Standard Webhooks recommends 24-64 random bytes; this uses `secrets.token_bytes`.
    """
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def _secret_key(secret: str) -> bytes:
    """Decode ``whsec_<base64>`` (prefix optional, padding optional) strictly to key bytes.

    Raises ``ValueError`` if the text is not valid base64 or decodes to nothing.
    """
    text = secret.removeprefix(SECRET_PREFIX)
    try:
        key = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except binascii.Error as exc:
        raise ValueError("webhook secret must be whsec_ followed by base64") from exc
    if not key:
        raise ValueError("webhook secret must not be empty")
    return key


def _utc(moment: datetime) -> datetime:
    """Return `moment` in UTC; a naive datetime is taken to be UTC already."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _signature_bytes(key: bytes, msg_id: str, timestamp: datetime, text: str) -> bytes:
    """HMAC-SHA256 bytes of ``msg_id.timestamp.text`` via ``standardwebhooks.Webhook.sign``."""
    try:
        versioned = Webhook(key).sign(msg_id, _utc(timestamp), text)
    except EmptyWebhookSecretError as exc:  # pragma: no cover - _secret_key refuses empty keys
        raise ValueError("webhook secret must not be empty") from exc
    return base64.b64decode(versioned.split(",", 1)[1])


def sign_headers(
    secret: str | Sequence[str], *, msg_id: str, timestamp: datetime, body: bytes
) -> dict[str, str]:
    """Return the Standard Webhooks v1 request headers for one delivery attempt.

    `secret` is ``whsec_<base64>``, or several of them during a rotation (current first): each
    adds one space-separated ``v1,<base64>`` entry to ``webhook-signature``, so a receiver holding
    any of them verifies (Standard Webhooks v1, "signature scheme"). `msg_id` is the delivery id
    (1-256 visible ASCII chars, the same on every retry); `timestamp` is the attempt time (naive
    means UTC), sent as whole unix seconds; `body` is the exact UTF-8 JSON bytes that will be
    POSTed. Returns lower-case ``webhook-id``, ``webhook-timestamp``, ``webhook-signature`` and
    ``content-type: application/json``. Raises ``ValueError`` for a malformed secret or msg_id,
    no secret at all, or a body that is not UTF-8.
    """
    if not _MSG_ID_RE.fullmatch(msg_id):
        raise ValueError("msg_id must be 1-256 visible ASCII characters")
    keys = [_secret_key(one) for one in ([secret] if isinstance(secret, str) else secret)]
    if not keys:
        raise ValueError("at least one webhook secret is needed")
    text = body.decode("utf-8")
    moment = _utc(timestamp)
    signatures = [
        "v1," + base64.b64encode(_signature_bytes(key, msg_id, moment, text)).decode("ascii")
        for key in keys
    ]
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(math.floor(moment.timestamp())),
        "webhook-signature": " ".join(signatures),
        "content-type": "application/json",
    }


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: datetime | None = None,
    tolerance: timedelta = DEFAULT_TOLERANCE,
) -> None:
    """Verify a received webhook per Standard Webhooks v1; return None when it is authentic.

    `headers` is any mapping (names matched case-insensitively); `body` is the raw request body.
    The timestamp must be within `tolerance` (default 5 min) of `now` (default: the wall clock;
    naive means UTC) and at least one ``v1,<base64>`` entry of ``webhook-signature`` must match.
    Total: every failure, including a malformed secret, raises `InvalidSignature` only.
    """
    try:
        _verify(secret, headers, body, now=now, tolerance=tolerance)
    except InvalidSignature:
        raise
    except (ValueError, TypeError, OverflowError, AttributeError) as exc:
        raise InvalidSignature(f"malformed webhook: {type(exc).__name__}") from exc


def _header(headers: Mapping[str, str], name: str) -> str:
    """Return the non-empty value of header `name` (already lower-cased keys) or refuse."""
    value = headers.get(name)
    if not isinstance(value, str) or not value:
        raise InvalidSignature(f"missing {name} header")
    if len(value) > MAX_HEADER_CHARS:
        raise InvalidSignature(f"{name} header too long")
    return value


def _verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: datetime | None,
    tolerance: timedelta,
) -> None:
    """The body of `verify`; may raise ValueError-like errors that `verify` converts."""
    try:
        key = _secret_key(secret)
    except ValueError as exc:
        raise InvalidSignature(str(exc)) from exc
    lowered = {str(name).lower(): value for name, value in headers.items()}
    msg_id = _header(lowered, "webhook-id")
    raw_timestamp = _header(lowered, "webhook-timestamp")
    raw_signature = _header(lowered, "webhook-signature")
    sent = _timestamp(raw_timestamp, now=now, tolerance=tolerance)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidSignature("body is not UTF-8") from exc
    expected = _signature_bytes(key, msg_id, datetime.fromtimestamp(sent, UTC), text)
    if not _any_v1_matches(expected, raw_signature):
        raise InvalidSignature("no matching v1 signature")


def _timestamp(raw: str, *, now: datetime | None, tolerance: timedelta) -> int:
    """Unix seconds from a ``webhook-timestamp`` value, refused if not within `tolerance`."""
    if not _TIMESTAMP_RE.fullmatch(raw):
        raise InvalidSignature("webhook-timestamp must be unix seconds")
    sent = int(raw)
    current = math.floor(_utc(now or datetime.now(UTC)).timestamp())
    if sent < current - tolerance.total_seconds():
        raise InvalidSignature("webhook-timestamp too old")
    if sent > current + tolerance.total_seconds():
        raise InvalidSignature("webhook-timestamp too new")
    return sent


def _any_v1_matches(expected: bytes, raw_signature: str) -> bool:
    """True if any space-separated ``v1,<base64>`` entry equals `expected` (constant time)."""
    for entry in raw_signature.split(" "):
        version, _, encoded = entry.partition(",")
        if version != "v1" or not encoded:
            continue
        try:
            candidate = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            continue
        if hmac.compare_digest(expected, candidate):
            return True
    return False
