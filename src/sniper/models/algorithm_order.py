from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from sniper.db.base import Base
from sniper.db.types import UTCDateTime


class AlgorithmOrder(Base):
    """One order intent of an algorithm and what became of it (DESIGN.md "Trading algorithms").

    `client_order_id` is deterministic (the engine derives it from algorithm, bar and intent), and
    unique: recording it again is a no-op, so a replayed bar after a restart never sends twice.
    `intent` is the gate's kind (`entry`, `scale_in`, `exit`, `exit_beyond_position`); `status`
    `pending` (resting), `filled`, `denied` (by the gate, `gate_reason` says why) or
    `cancelled`. Quantities are instrument units, prices in the instrument's currency.
    `backtest_id` is null for paper trading.
    """

    __tablename__ = "algorithm_orders"
    __table_args__ = (
        Index("ix_algorithm_orders_algorithm_id", "algorithm_id", "id"),
        Index("ix_algorithm_orders_backtest_id", "backtest_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client_order_id: Mapped[str] = mapped_column(String(100), unique=True)
    algorithm_id: Mapped[str] = mapped_column(
        ForeignKey("trading_algorithms.id", ondelete="CASCADE")
    )
    backtest_id: Mapped[str | None] = mapped_column(
        ForeignKey("backtests.id", ondelete="CASCADE"), nullable=True
    )
    symbol: Mapped[str] = mapped_column(String(64))
    side: Mapped[str] = mapped_column(String(4))
    quantity: Mapped[float] = mapped_column(Float)
    intent: Mapped[str] = mapped_column(String(24))
    reason: Mapped[str | None] = mapped_column(String(32), nullable=True)
    order_type: Mapped[str] = mapped_column(String(16), default="market")
    status: Mapped[str] = mapped_column(String(16))
    gate_reason: Mapped[str | None] = mapped_column(String(32), nullable=True)
    limit_price: Mapped[float | None] = mapped_column(Float, nullable=True)
    price: Mapped[float | None] = mapped_column(Float, nullable=True)
    bar_time: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    filled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
