from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from sniper.db.base import Base
from sniper.db.types import JSONType, UTCDateTime
from sniper.kit.timefmt import iso_z


class Detection(Base):
    """A filing the watcher has seen, keyed by accession number (one row however many sources).

    `entities` is `[{"cik": int, "name": str, "role": str}, ...]` as the source listed them.
    Its presence is what "already seen" means, so a restart re-reads only what it missed.
    `source` is the source that saw it first (and fired it); `first_seen` is `{source: ISO
    instant}` for every source that has reported it (`atom`, `archives`, `submissions`).
    """

    __tablename__ = "edgar_detections"
    __table_args__ = (Index("ix_edgar_detections_detected_at", "detected_at"),)

    accession_number: Mapped[str] = mapped_column(String(20), primary_key=True)
    form_type: Mapped[str] = mapped_column(String(32))
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime())
    source: Mapped[str] = mapped_column(String(16))
    index_url: Mapped[str] = mapped_column(String(300))
    entities: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    first_seen: Mapped[dict[str, str] | None] = mapped_column(JSONType, nullable=True)

    def seen_times(self) -> dict[str, str]:
        """`first_seen`, or `{source: detected_at}` for a row written without it."""
        return dict(self.first_seen or {self.source: iso_z(self.detected_at)})
