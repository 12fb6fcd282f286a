"""One exception tree for every API surface; one renderer per surface picks the body shape.

    SniperError(message, status, code, details)
    ├── BadRequest            400  BAD_REQUEST (or a specific code such as UNKNOWN_TICKER)
    ├── Unauthorized          401  UNAUTHORIZED
    ├── PaymentRequired       402  SNIPER_SLOTS_EXHAUSTED
    │   └── InsufficientTokens 402 INSUFFICIENT_TOKENS (Finradar fields also at top level)
    ├── Forbidden             403  FORBIDDEN
    ├── NotFound              404  NOT_FOUND
    ├── Conflict              409  CONFLICT
    ├── PayloadTooLarge       413  PAYLOAD_TOO_LARGE
    ├── Unprocessable         422  UNPROCESSABLE_ENTITY (e.g. IDEMPOTENCY_KEY_REUSED)
    ├── TooManyRequests       429  RATE_LIMITED (details.retry_after → `Retry-After`)
    └── UpgradeRequired       426  UPGRADE_REQUIRED (plain HTTP on a WebSocket path)

Business code raises these, never `HTTPException`. The sniper surface renders
`{"status":"error","request_id","timestamp","error":{"code","message","details"}}`.

Outbound calls (EDGAR, OpenFIGI, webhooks) come back as one `kit.retry.Outcome`:

    attempt ──> ok
            ├─> retryable(hint)  network error, timeout, 5xx, 429 (+403 SEC, +408 webhooks)
            │                    ──> kit.retry.delay(backoff, n, hint) ──> wait, or give up:
            │                        EdgarUnavailable / OpenFigiUnavailable / delivery `dead`
            └─> permanent        other statuses: EdgarHTTPError / OpenFigiError / `dead`
"""

from __future__ import annotations

from typing import Any


class SniperError(Exception):
    status: int = 500
    code: str = "INTERNAL_ERROR"

    def __init__(
        self, message: str, *, code: str | None = None, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details: dict[str, Any] = details or {}


class BadRequest(SniperError):
    status = 400
    code = "BAD_REQUEST"


class Unauthorized(SniperError):
    status = 401
    code = "UNAUTHORIZED"


class PaymentRequired(SniperError):
    status = 402
    code = "PAYMENT_REQUIRED"


class InsufficientTokens(PaymentRequired):
    """402 whose body also carries Finradar's top-level `current_balance`, `required_cost`,
    `next_refill_at`, `plan`, `upgrade_url` (seeds README), besides `error.details`."""

    code = "INSUFFICIENT_TOKENS"


class Forbidden(SniperError):
    status = 403
    code = "FORBIDDEN"


class NotFound(SniperError):
    status = 404
    code = "NOT_FOUND"


class Conflict(SniperError):
    status = 409
    code = "CONFLICT"


class PayloadTooLarge(SniperError):
    status = 413
    code = "PAYLOAD_TOO_LARGE"


class Unprocessable(SniperError):
    status = 422
    code = "UNPROCESSABLE_ENTITY"


class TooManyRequests(SniperError):
    """429; `details["retry_after"]` (whole seconds) is also sent as the `Retry-After` header."""

    status = 429
    code = "RATE_LIMITED"


class UpgradeRequired(SniperError):
    """426 for a plain HTTP request on a WebSocket path; answered with `Upgrade: websocket`."""

    status = 426
    code = "UPGRADE_REQUIRED"


def _sniper_body(request_id: str, timestamp: str, error: SniperError) -> dict[str, Any]:
    return {
        "status": "error",
        "request_id": request_id,
        "timestamp": timestamp,
        "error": {"code": error.code, "message": error.message, "details": error.details},
    }


def render_sniper(error: SniperError, *, request_id: str, timestamp: str) -> dict[str, Any]:
    """Finradar surface body (seeds 000-002)."""
    body = _sniper_body(request_id, timestamp, error)
    if isinstance(error, InsufficientTokens):
        body |= error.details
    return body
