from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from sniper.db.base import Base
from sniper.db.types import JSONType, UTCDateTime


class AlgorithmTrade(Base):
    """The closed-trade ledger: one row per closed (part of a) position, the fields of
    `sniper.trading.engine.performance.ClosedTrade` (quantity in shares, fill prices and `pnl`
    in the quote currency, `exit_reason` such as `stop_loss`). `backtest_id` null = paper
    trading; the algorithm's x3algo `performance` is computed from its paper rows.

    `trade_key` (`paper:` or `<backtest id>:` + the client order ids) is unique, so appending
    the same closed trade twice (a replayed bar after a restart) stores it once.
    """

    __tablename__ = "algorithm_trades"
    __table_args__ = (
        Index("ix_algorithm_trades_algorithm_exit", "algorithm_id", "backtest_id", "exit_at"),
        Index("ix_algorithm_trades_backtest_id", "backtest_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    trade_key: Mapped[str] = mapped_column(String(400), unique=True)
    algorithm_id: Mapped[str] = mapped_column(
        ForeignKey("trading_algorithms.id", ondelete="CASCADE")
    )
    backtest_id: Mapped[str | None] = mapped_column(
        ForeignKey("backtests.id", ondelete="CASCADE"), nullable=True
    )
    symbol: Mapped[str] = mapped_column(String(64))
    side: Mapped[str] = mapped_column(String(8))
    quantity: Mapped[int] = mapped_column(Integer)
    entry_at: Mapped[datetime] = mapped_column(UTCDateTime())
    entry_price: Mapped[float] = mapped_column(Float)
    exit_at: Mapped[datetime] = mapped_column(UTCDateTime())
    exit_price: Mapped[float] = mapped_column(Float)
    pnl: Mapped[float] = mapped_column(Float)
    exit_reason: Mapped[str] = mapped_column(String(32))
    client_order_ids: Mapped[list[str]] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
