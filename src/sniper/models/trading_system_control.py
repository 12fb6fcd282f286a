from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from sniper.db.base import Base
from sniper.db.types import UTCDateTime


class TradingSystemControl(Base):
    """One system-wide flag: `kind` is `emergency`, `soft_pause` or `system_stop` (seed 004).

    Set and cleared only by admins (API or CLI), each with a reason; `until` (soft pause only)
    ends the flag by itself once the clock passes it. The row keeps the last activation and
    clearing; the audit table keeps every change. Survives restarts (DESIGN.md).
    """

    __tablename__ = "trading_system_controls"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    set_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    set_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    cleared_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    clear_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
