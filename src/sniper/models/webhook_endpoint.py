from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sniper.db.base import Base
from sniper.db.types import UTCDateTime


class WebhookEndpoint(Base):
    """Where an account's webhooks go: one row per (account, url), Svix's "endpoint".

    `status`: `active` | `disabled`. Disabled at once by an HTTP 410 (Standard Webhooks) or when
    it has failed for `SNIPER_WEBHOOK_DISABLE_AFTER` (default 5 days, Svix) since
    `first_failure_at` with no success; `disabled_reason` says which. `first_failure_at` is the
    first failed attempt since the last success (None while healthy). Re-enabled when the
    account sets the URL again or redelivers (`sniper.notify.service.reenable_endpoint`).
    """

    __tablename__ = "webhook_endpoints"
    __table_args__ = (UniqueConstraint("account_id", "url"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(String(512))
    status: Mapped[str] = mapped_column(String(16), default="active")
    first_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    disabled_reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
