from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from sniper.db.base import Base
from sniper.db.types import UTCDateTime


class TradingClientControl(Base):
    """One client's manual trading flags (seed 004, DESIGN.md "Trading control plane").

    Each flag keeps its last activation (`..._at`, reason, `..._by` actor such as `account:7` or
    `cli`) and its last clearing. A flag that is not set reads as null in the API; the stored
    values stay for history. Created on a client's first command; no row means live.
    """

    __tablename__ = "trading_client_controls"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    manual_paused: Mapped[bool] = mapped_column(Boolean, default=False)
    manual_paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    manual_pause_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    manual_paused_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    manual_pause_cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    manual_pause_cleared_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    manual_stopped: Mapped[bool] = mapped_column(Boolean, default=False)
    manual_stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    manual_stop_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    manual_stopped_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    manual_stop_cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    manual_stop_cleared_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
