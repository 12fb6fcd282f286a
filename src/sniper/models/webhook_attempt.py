from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sniper.db.base import Base
from sniper.db.types import UTCDateTime


class WebhookAttempt(Base):
    """One HTTP attempt of a webhook delivery; every attempt is a row (append-only).

    `round` is the delivery's retry cycle (1, then +1 per manual redeliver) and `number` the
    1-based attempt within it: the retry schedule position comes from these rows. `status_code`
    is None when no response arrived (network error, timeout); `latency_ms` is the wall time of
    the attempt; `response_excerpt` holds at most the first 2048 bytes of the response body;
    `outcome` is `success` (2xx), `retryable` (network, timeout, 408, 429, 5xx) or `permanent`.
    """

    __tablename__ = "webhook_attempts"
    __table_args__ = (
        Index("ix_webhook_attempts_delivery_round", "delivery_id", "round", "number"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    delivery_id: Mapped[str] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE")
    )
    round: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    latency_ms: Mapped[float] = mapped_column(Float)
    response_excerpt: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    outcome: Mapped[str] = mapped_column(String(16))
