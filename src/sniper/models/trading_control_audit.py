from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from sniper.db.base import Base
from sniper.db.types import JSONType, UTCDateTime


class TradingControlAudit(Base):
    """Append-only record of every trading-control command, written in the command's
    transaction before the reply (DESIGN.md "Trading control plane").

    `scope` `client` (`account_id` is the client) or `system` (`account_id` null); `command`
    such as `pause`, `start`, `emergency`, `clear_soft_pause`; `actor` `account:<id>` or `cli`;
    `result` the result code (`pause_applied`, `already_paused`, `system_blocked`, ...) with the
    HTTP status answered; `before` / `after` the flags around the command.
    """

    __tablename__ = "trading_control_audit"
    __table_args__ = (Index("ix_trading_control_audit_account_id_id", "account_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True
    )
    scope: Mapped[str] = mapped_column(String(8))
    command: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    result: Mapped[str] = mapped_column(String(32))
    http_status: Mapped[int] = mapped_column(Integer)
    before: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    after: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    request_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
