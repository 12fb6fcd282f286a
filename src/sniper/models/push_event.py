from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from sniper.db.base import Base
from sniper.db.types import JSONType, UTCDateTime


class PushEvent(Base):
    """One `/ws/main-api` event frame, kept so a reconnecting client can resume
    (`?last_event_id=N` replays the account's rows with `id > N`, oldest first).

    `id` is the frame's `id`; `frame` the JSON frame without it. Written in the business
    transaction that causes the event (`Runtime.publish_on_commit`), so a row exists exactly
    when the change committed. Bounded per account: `SNIPER_WS_EVENT_LOG_SIZE` newest rows,
    none older than `SNIPER_WS_EVENT_LOG_AGE` (`notify.event_log.prune`, on insert).
    """

    __tablename__ = "push_events"
    # AUTOINCREMENT on SQLite: ids are never reused, even once pruning empties the table, so a
    # client's last_event_id stays behind every new event.
    __table_args__ = (
        Index("ix_push_events_account_id_id", "account_id", "id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    frame: Mapped[Any] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
