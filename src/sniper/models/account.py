from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String, true
from sqlalchemy.orm import Mapped, mapped_column

from sniper.db.base import Base
from sniper.db.types import UTCDateTime


class Account(Base):
    """A customer: plan (`free` | `paid`), token balance (never negative), webhook defaults."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    plan: Mapped[str] = mapped_column(String(16), default="free")
    token_balance: Mapped[int] = mapped_column(Integer, default=0)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    webhook_url: Mapped[str | None] = mapped_column(String(512), nullable=True)
    webhook_secret: Mapped[str] = mapped_column(String(100))
    # After a rotation the previous secret still signs (a second `v1,` entry) until it expires.
    webhook_previous_secret: Mapped[str | None] = mapped_column(String(100), nullable=True)
    webhook_previous_secret_expires_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # 55-tech client UI preference (seed 004 `oddsFormat`): american, decimal, hong_kong or
    # fractional; set with `PUT /api/v1/user/`.
    odds_format: Mapped[str] = mapped_column(
        String(16), default="decimal", server_default="decimal"
    )
    # Finradar notification switches (`PUT /api/v1/user/`), true on signup.
    notify_email: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    notify_browser: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    @property
    def usertype(self) -> str:
        """Finradar's role enum: `admin` for an admin account, else `user`."""
        return "admin" if self.is_admin else "user"
