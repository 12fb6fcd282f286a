from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sniper.db.base import Base
from sniper.db.types import JSONType, UTCDateTime


class TradingAlgorithm(Base):
    """A declarative trading algorithm (x3algo seed 003, DESIGN.md "Trading algorithms").

    `status` is `draft`, `stopped`, `active`, `paused`, `error` or `archived`; `config` holds
    the x3algo configuration sections as sent (camelCase keys, JSON); `strategy_type` copies
    `config.strategyType` so lists can filter on it. `version` starts at 1 and grows with each
    PATCH. A DELETE archives the row (`deleted_at` set): its orders and trades stay.

    The paper runner owns `engine_state` (its serialized positions and indicator warm-up),
    `last_bar_at` (the last bar it processed, so a restart resumes after it) and
    `open_positions` (so a stopped algorithm with open positions keeps its exits watched), and
    `last_error` with status `error` when it fails.
    """

    __tablename__ = "trading_algorithms"
    __table_args__ = (
        Index("ix_trading_algorithms_account_created", "account_id", "created_at", "id"),
        Index("ix_trading_algorithms_status", "status"),
    )

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer, default=1)
    strategy_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    config: Mapped[dict[str, Any]] = mapped_column(JSONType)
    engine_state: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    last_bar_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    open_positions: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
