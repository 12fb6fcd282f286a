from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from sniper.db.base import Base
from sniper.db.types import JSONType, UTCDateTime


class LedgerEntry(Base):
    """One append-only token movement: signed `delta`, the balance after it, and its cause."""

    __tablename__ = "token_ledger"
    __table_args__ = (Index("ix_token_ledger_account_created", "account_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    delta: Mapped[int] = mapped_column(Integer)
    balance_after: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(16))  # debit | refund | refill | grant | adjustment
    cause: Mapped[str] = mapped_column(String(100))  # endpoint or event, e.g. sniper.filing_hit
    reference: Mapped[str | None] = mapped_column(String(64), nullable=True)
    details: Mapped[dict[str, Any]] = mapped_column("metadata", JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
