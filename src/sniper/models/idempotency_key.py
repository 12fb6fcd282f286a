from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sniper.db.base import Base
from sniper.db.types import JSONType, UTCDateTime


class IdempotencyKey(Base):
    """The stored answer to a POST sent with an `Idempotency-Key` header (`sniper.kit.idempotency`).

    One row per (account, key): `request_hash` is the hex SHA-256 of method, path and canonical
    JSON body; `response_status` and `response_body` are the answer replayed to repeats until
    `created_at` + `SNIPER_IDEMPOTENCY_TTL` (24 h). Written in the request's own transaction, so a
    row exists exactly when the work it answers for was committed.
    """

    __tablename__ = "idempotency_keys"
    __table_args__ = (
        UniqueConstraint("account_id", "key"),
        Index("ix_idempotency_keys_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    response_status: Mapped[int] = mapped_column(Integer)
    response_body: Mapped[Any] = mapped_column(JSONType, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
