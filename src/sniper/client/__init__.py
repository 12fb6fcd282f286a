"""Python client of the Sniper API (issue 16 item 3).

    from sniper.client import Client

    with Client("http://127.0.0.1:8000", "sk_...") as sniper:
        target = sniper.create_target("SONY", duration_minutes=60)
        for event in sniper.stream():          # reconnects and resumes by itself
            print(event.id, event.event, event.data)

`AsyncClient` is the same with `async`/`await` (and `async for event in sniper.stream()`).
Errors are `sniper.client.errors` exceptions (`NotFoundError`, `AuthError`, `RateLimited`
with `retry_after`, ...); `verify_webhook(headers, body, secret)` checks a delivery's
signature. The package imports no database or server code (an import-linter contract).
"""

from sniper.client.aio import AsyncClient
from sniper.client.errors import (
    AuthError,
    BadRequestError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    PaymentRequiredError,
    RateLimited,
    ServerError,
    SniperAPIError,
    SniperClientError,
    SniperConnectionError,
    UnprocessableError,
    WebhookVerificationError,
)
from sniper.client.models import Event
from sniper.client.stream import Backoff
from sniper.client.sync import Client
from sniper.client.webhooks import verify_webhook

__all__ = [
    "AsyncClient",
    "AuthError",
    "Backoff",
    "BadRequestError",
    "Client",
    "ConflictError",
    "Event",
    "ForbiddenError",
    "NotFoundError",
    "PaymentRequiredError",
    "RateLimited",
    "ServerError",
    "SniperAPIError",
    "SniperClientError",
    "SniperConnectionError",
    "UnprocessableError",
    "WebhookVerificationError",
    "verify_webhook",
]
