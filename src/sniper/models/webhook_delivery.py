from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sniper.db.base import Base
from sniper.db.types import JSONType, UTCDateTime
from sniper.models.webhook_attempt import WebhookAttempt
from sniper.models.webhook_endpoint import WebhookEndpoint


class WebhookDelivery(Base):
    """Outbox row for one webhook: written in the hit transaction, sent after commit.

    `id` is the `delivery_id` (= Standard Webhooks `webhook-id`), the same on every attempt.
    `status`: `pending` -> `delivered` | `dead`; a redeliver puts it back to `pending` with
    `round` + 1. While a worker holds it, `lease_expires_at` is set and `next_attempt_at` equals
    it, so a crashed worker's claim falls due again. `last_status_code` / `last_error` summarise
    the latest attempt (or why it died without one, e.g. its endpoint was disabled); the attempts
    themselves are `attempts`, oldest first.
    """

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_status_next", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_endpoint_status", "endpoint_id", "status"),
        Index("ix_webhook_deliveries_account_created", "account_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    target_id: Mapped[str | None] = mapped_column(String(16), nullable=True, index=True)
    event_type: Mapped[str] = mapped_column(String(64))
    url: Mapped[str] = mapped_column(String(512))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    round: Mapped[int] = mapped_column(Integer, default=1)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    attempts: Mapped[list[WebhookAttempt]] = relationship(
        lazy="raise",
        order_by=lambda: (WebhookAttempt.round, WebhookAttempt.number),
        passive_deletes=True,
    )
    endpoint: Mapped[WebhookEndpoint] = relationship(lazy="raise")
