"""Request and response bodies of `/api/v1/webhooks` (Finradar sniper surface: snake_case)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from sniper.kit.timefmt import UTCStamp
from sniper.models import WebhookDelivery


class AttemptOut(BaseModel):
    """One attempt: `round` (1, +1 per redeliver) and `number` within it; `status_code` null when
    no response came; `latency_ms` wall time; `response_excerpt` the first 2 KB of the response;
    `outcome` `success` | `retryable` | `permanent`."""

    model_config = ConfigDict(from_attributes=True)

    round: int
    number: int
    attempted_at: UTCStamp
    status_code: int | None
    latency_ms: float
    response_excerpt: str
    error: str | None
    outcome: str


class DeliveryOut(BaseModel):
    """One webhook delivery. `status` `pending` | `delivered` | `dead`; `next_attempt_at` only
    while pending; `endpoint_status` `active` | `disabled`; `payload` is the body sent."""

    delivery_id: str
    event_type: str
    target_id: str | None
    url: str
    status: str
    endpoint_status: str
    round: int
    attempt_count: int
    next_attempt_at: UTCStamp | None
    created_at: UTCStamp
    delivered_at: UTCStamp | None
    last_status_code: int | None
    last_error: str | None
    payload: dict[str, Any]
    attempts: list[AttemptOut]

    @classmethod
    def of(cls, delivery: WebhookDelivery) -> DeliveryOut:
        """From a delivery loaded with its attempts and endpoint."""
        return cls(
            delivery_id=delivery.id,
            event_type=delivery.event_type,
            target_id=delivery.target_id,
            url=delivery.url,
            status=delivery.status,
            endpoint_status=delivery.endpoint.status,
            round=delivery.round,
            attempt_count=len(delivery.attempts),
            next_attempt_at=delivery.next_attempt_at if delivery.status == "pending" else None,
            created_at=delivery.created_at,
            delivered_at=delivery.delivered_at,
            last_status_code=delivery.last_status_code,
            last_error=delivery.last_error,
            payload=delivery.payload,
            attempts=[AttemptOut.model_validate(attempt) for attempt in delivery.attempts],
        )


class DeliveryMeta(BaseModel):
    total: int
    limit: int
    offset: int


class DeliveryList(BaseModel):
    deliveries: list[DeliveryOut]
    meta: DeliveryMeta


class WebhookTestRequest(BaseModel):
    """`POST /api/v1/webhooks/test`: `url` defaults to the account's `webhook_url`."""

    url: Annotated[str | None, Field(max_length=512)] = None


class WebhookTestResult(BaseModel):
    """What the receiver answered to the signed `webhook.test` event (not stored)."""

    delivery_id: str
    event_type: str = "webhook.test"
    url: str
    delivered: bool
    status_code: int | None
    latency_ms: float
    response_excerpt: str
    error: str | None


class SecretInfo(BaseModel):
    """`GET /api/v1/webhooks/secret`: display prefixes only, never a whole secret."""

    secret_prefix: str
    previous_secret_prefix: str | None
    previous_secret_expires_at: UTCStamp | None


class RotatedSecret(SecretInfo):
    """`POST /api/v1/webhooks/secret`: the new `secret`, shown this once."""

    secret: str
