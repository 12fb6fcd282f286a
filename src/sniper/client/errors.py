"""What the client raises: the API's error answers as `SniperAPIError` subclasses, a server that
cannot be reached as `SniperConnectionError`, a bad webhook as `WebhookVerificationError`.

    SniperClientError
    ├── SniperConnectionError       no answer (connection refused, timeout, ...)
    ├── WebhookVerificationError    `verify_webhook`: signature, timestamp or headers wrong
    └── SniperAPIError(status, code, message, details, request_id)
        ├── BadRequestError         400 (`details.field` names the bad field)
        ├── AuthError               401 (missing, invalid or revoked key), 403 (`ForbiddenError`)
        ├── PaymentRequiredError    402 (no free slot, too few tokens)
        ├── NotFoundError           404
        ├── ConflictError           409
        ├── UnprocessableError      422
        ├── RateLimited             429 (`retry_after` seconds, from `Retry-After`)
        └── ServerError             5xx

The API has three error bodies (DESIGN.md "API surfaces"); `from_response` reads each:
`{"status":"error","error":{"code","message","details"}}` (sniper surface),
`{"error":{"message","code","status","details","requestId"}}` (algorithms, backtests) and
`{"detail": "..." | [..]}` (trading control).
"""

from __future__ import annotations

from typing import Any

import httpx


class SniperClientError(Exception):
    """Base of everything the client raises."""


class SniperConnectionError(SniperClientError):
    """The server could not be reached or did not answer in time."""


class WebhookVerificationError(SniperClientError):
    """A webhook failed Standard Webhooks v1 verification; `str(exc)` says why."""


class SniperAPIError(SniperClientError):
    """An error answer: HTTP `status`, API `code` (`NOT_FOUND`, `RATE_LIMITED`, ...),
    `message`, `details` (a dict, `{}` when none) and the answer's `request_id`."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: dict[str, Any] | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details: dict[str, Any] = details or {}
        self.request_id = request_id


class BadRequestError(SniperAPIError):
    """400: an invalid parameter; `details["field"]` names it."""


class AuthError(SniperAPIError):
    """401: missing, invalid or revoked API key (403 is the `ForbiddenError` subclass)."""


class ForbiddenError(AuthError):
    """403: the key is valid but the action is not allowed (admin only, state forbids it)."""


class PaymentRequiredError(SniperAPIError):
    """402: no free sniper slot, or too few tokens."""


class NotFoundError(SniperAPIError):
    """404: unknown resource, or another account's."""


class ConflictError(SniperAPIError):
    """409: conflicts with the resource's current state."""


class UnprocessableError(SniperAPIError):
    """422: the request does not apply (Idempotency-Key reuse, a command in the wrong state)."""


class RateLimited(SniperAPIError):
    """429: over the plan's rate limit; `retry_after` seconds (float) until a request passes,
    None when the server gave none."""

    def __init__(self, *args: Any, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.retry_after = retry_after


class ServerError(SniperAPIError):
    """5xx: the server failed."""


_BY_STATUS: dict[int, type[SniperAPIError]] = {
    400: BadRequestError,
    401: AuthError,
    402: PaymentRequiredError,
    403: ForbiddenError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableError,
    429: RateLimited,
}


def from_response(response: httpx.Response) -> SniperAPIError:
    """The exception for an error `response` (status >= 400), whichever body shape it has."""
    status = response.status_code
    code, message, details = _parts(_json(response), status, response.reason_phrase)
    request_id = response.headers.get("x-request-id")
    kind = _BY_STATUS.get(status, ServerError if status >= 500 else SniperAPIError)
    if kind is RateLimited:
        retry = _retry_after(response.headers.get("retry-after"), details)
        return RateLimited(status, code, message, details, request_id, retry_after=retry)
    return kind(status, code, message, details, request_id)


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _parts(body: Any, status: int, reason: str) -> tuple[str, str, dict[str, Any]]:
    """(code, message, details) of any of the three error bodies, or of a non-JSON one."""
    fallback = f"HTTP_{status}"
    if not isinstance(body, dict):
        return fallback, reason or "error", {}
    error = body.get("error")
    if isinstance(error, dict):
        details = error.get("details")
        return (
            str(error.get("code") or fallback),
            str(error.get("message") or reason),
            details if isinstance(details, dict) else {},
        )
    detail = body.get("detail")
    if isinstance(detail, str):
        return fallback, detail, {}
    if isinstance(detail, list):
        messages = [str(item.get("msg", item)) for item in detail if isinstance(item, dict)]
        return fallback, "; ".join(messages) or reason, {"errors": detail}
    return fallback, reason or "error", {}


def _retry_after(header: str | None, details: dict[str, Any]) -> float | None:
    for value in (header, details.get("retry_after")):
        if isinstance(value, str | int | float):
            try:
                return float(value)
            except ValueError:
                continue
    return None
