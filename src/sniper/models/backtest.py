from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sniper.db.base import Base
from sniper.db.types import JSONType, UTCDateTime


class Backtest(Base):
    """One backtest run of an algorithm over `[start_date, end_date]` (x3algo backtests).

    `status` is `queued` → `running` → `completed` | `failed` (`error` says why); `progress` is
    0-100. `config` is the algorithm's configuration when the backtest was created (a later PATCH
    does not change a queued run). `results` holds the x3algo performance fields plus final
    balance and return; `equity_curve` is `[{"date": "YYYY-MM-DD", "balance": float}]`;
    `trades` the closed trades as JSON (also in `algorithm_trades` with this `backtest_id`).
    `next_attempt_at` is when it is due for a claim (job `backtest.run`, `sniper.worker.claim`):
    its creation while queued, its lease's end (`lease_expires_at`) while running, so a running
    backtest whose job died is claimed again once the lease passes.
    """

    __tablename__ = "backtests"
    __table_args__ = (
        Index("ix_backtests_account_created", "account_id", "created_at", "id"),
        Index("ix_backtests_status_due", "status", "next_attempt_at"),
    )

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    algorithm_id: Mapped[str] = mapped_column(
        ForeignKey("trading_algorithms.id", ondelete="CASCADE")
    )
    status: Mapped[str] = mapped_column(String(16))
    progress: Mapped[int] = mapped_column(Integer, default=0)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    initial_balance: Mapped[float] = mapped_column(Float)
    config: Mapped[dict[str, Any]] = mapped_column(JSONType)
    results: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    equity_curve: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONType, nullable=True)
    trades: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONType, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
