"""What the client's methods return: the API's own response schemas where they are plain
pydantic (targets, account, trading control, algorithms, backtests), small client models for
the webhook routes and the stream's `Event`. None of them imports the server's database code.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from sniper.accounts.schemas import Balance, Transactions, Usage, UserProfile, UserUpdated
from sniper.kit.timefmt import UTCStamp
from sniper.targets.schemas import ListMeta, StopResult, TargetOut
from sniper.trading.algorithms.schemas import (
    AlgorithmList,
    AlgorithmOut,
    BacktestList,
    BacktestOut,
    CommandResult,
)
from sniper.trading.control.schemas import AuditPage, TradingCommandResult, TradingStatus

__all__ = [
    "AlgorithmList",
    "AlgorithmOut",
    "AuditPage",
    "BacktestList",
    "BacktestOut",
    "Balance",
    "CommandResult",
    "Delivery",
    "DeliveryList",
    "Event",
    "RotatedSecret",
    "SecretInfo",
    "StopResult",
    "Target",
    "TargetList",
    "TradingCommandResult",
    "TradingStatus",
    "Transactions",
    "Usage",
    "UserProfile",
    "UserUpdated",
    "WebhookTestResult",
]


class Target(TargetOut):
    """One target (`TargetOut`, read back from its JSON: `target_id`, `status`, ...)."""

    model_config = ConfigDict(from_attributes=True, populate_by_name=True)


class TargetList(BaseModel):
    """`GET /api/v1/sniper/targets`: newest first, `meta` with totals and free slots."""

    targets: list[Target]
    meta: ListMeta


class Attempt(BaseModel):
    """One delivery attempt; `status_code` None when no response came."""

    round: int
    number: int
    attempted_at: UTCStamp
    status_code: int | None
    latency_ms: float
    response_excerpt: str
    error: str | None
    outcome: str


class Delivery(BaseModel):
    """One webhook delivery: `status` `pending` | `delivered` | `dead`; `payload` the body."""

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
    attempts: list[Attempt]


class DeliveryMeta(BaseModel):
    total: int
    limit: int
    offset: int


class DeliveryList(BaseModel):
    deliveries: list[Delivery]
    meta: DeliveryMeta


class SecretInfo(BaseModel):
    """`GET /api/v1/webhooks/secret`: display prefixes only."""

    secret_prefix: str
    previous_secret_prefix: str | None
    previous_secret_expires_at: UTCStamp | None


class RotatedSecret(SecretInfo):
    """`POST /api/v1/webhooks/secret`: the new whole `secret`, shown this once."""

    secret: str


class WebhookTestResult(BaseModel):
    """What the receiver answered to a signed `webhook.test` event."""

    delivery_id: str
    event_type: str
    url: str
    delivered: bool
    status_code: int | None
    latency_ms: float
    response_excerpt: str
    error: str | None


class Event(BaseModel):
    """One `/ws/main-api` event from `stream()`: its log `id` (increasing per account),
    `event` (`sniper.filing_hit`, `sniper.target_activated`, `sniper.processing_state`, ...)
    and `data` (for a hit, the webhook body)."""

    model_config = ConfigDict(extra="allow")

    id: int
    type: str = "event"
    event: str
    data: dict[str, Any] = Field(default_factory=dict)
