"""`verify_webhook`: check a delivery's Standard Webhooks v1 signature before trusting it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sniper.client.errors import WebhookVerificationError
from sniper.notify.signing import DEFAULT_TOLERANCE, InvalidSignature, verify


def verify_webhook(
    headers: Mapping[str, str],
    body: bytes | str,
    secret: str,
    *,
    tolerance: timedelta = DEFAULT_TOLERANCE,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Verify a webhook Sniper sent and return its JSON body (`sniper.filing_hit`, ...).

    `headers` are the request's (any case: `webhook-id`, `webhook-timestamp`,
    `webhook-signature`), `body` its raw bytes (as received: re-encoding JSON breaks the
    signature), `secret` the account's `whsec_...` secret. The timestamp must be within
    `tolerance` (5 minutes) of `now` (the wall clock). Raises `WebhookVerificationError`
    saying why: a missing or malformed header, a stale timestamp, a wrong signature."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    try:
        verify(secret, dict(headers.items()), raw, now=now, tolerance=tolerance)
    except InvalidSignature as exc:
        raise WebhookVerificationError(str(exc)) from exc
    try:
        document = json.loads(raw)
    except ValueError as exc:
        raise WebhookVerificationError("signed body is not JSON") from exc
    if not isinstance(document, dict):
        raise WebhookVerificationError("signed body is not a JSON object")
    return document
