from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sniper.db.base import Base
from sniper.db.types import JSONType, UTCDateTime


class FilingJob(Base):
    """Job `filing.process` for one accession: written in the hit transaction, run after commit
    by the pipeline worker (claimed like webhook deliveries: a lease, `FOR UPDATE SKIP LOCKED`
    on PostgreSQL).

    `status`: `pending` -> `done` | `failed`. `stage` is the processing state reached
    (`detected`, `parsing`, `parsed`, `enriched`, `no_holdings`, `parse_failed`); `target_ids`
    are the targets the filing fired, whose `processing_state` follows `stage`. `cik`,
    `form_type`, `accepted_at` and `entities` are the detection's, so the job can build URLs
    and a record before EDGAR's index page exists. `attempts` counts runs of the current stage;
    `last_error` says why the latest one failed.
    """

    __tablename__ = "filing_jobs"
    __table_args__ = (Index("ix_filing_jobs_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    accession_number: Mapped[str] = mapped_column(String(20), unique=True)
    cik: Mapped[int] = mapped_column(Integer)
    form_type: Mapped[str] = mapped_column(String(32))
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    entities: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    target_ids: Mapped[list[str]] = mapped_column(JSONType)
    status: Mapped[str] = mapped_column(String(16))
    stage: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
