from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from sniper.db.base import Base
from sniper.db.types import JSONType, UTCDateTime


class Target(Base):
    """A sniper target: a time-boxed watch on one ticker's CIK (Finradar seeds 000-002).

    `status` is CREATED -> ACTIVE -> STOPPED; `resolution_reason` is `window_expired`,
    `manual_stop` or `filing_hit`. `expires_at` = `end_time` + the expiry grace at creation.
    """

    __tablename__ = "sniper_targets"
    __table_args__ = (
        Index("ix_sniper_targets_cik_status", "cik", "status"),
        Index("ix_sniper_targets_account_created", "account_id", "created_at", "id"),
        Index("ix_sniper_targets_status_start", "status", "start_time"),
        Index("ix_sniper_targets_status_expires", "status", "expires_at"),
    )

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    ticker: Mapped[str] = mapped_column(String(16))
    cik: Mapped[int] = mapped_column(Integer)
    company_name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    start_time: Mapped[datetime] = mapped_column(UTCDateTime())
    end_time: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    form_types: Mapped[list[str] | None] = mapped_column(JSONType, nullable=True)
    webhook_url: Mapped[str | None] = mapped_column(String(512), nullable=True)
    resolution_reason: Mapped[str | None] = mapped_column(String(32), nullable=True)
    last_event: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Filing pipeline fields (filled by the pipeline; null until then).
    filing_uuid: Mapped[str | None] = mapped_column(String(36), nullable=True)
    processing_state: Mapped[str | None] = mapped_column(String(16), nullable=True)
    holdings_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    parsed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    enriched_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    candidate_urls: Mapped[list[dict[str, str]] | None] = mapped_column(JSONType, nullable=True)
