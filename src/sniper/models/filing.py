from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sniper.db.base import Base
from sniper.db.types import JSONType, UTCDateTime


class Filing(Base):
    """One EDGAR filing as the pipeline ingested it (DESIGN "Filing pipeline"), keyed by
    accession number; `uuid` (a UUID5 of the accession, so re-ingesting keeps it) is what a
    target's `filing_uuid` points at.

    `entities` is `[{"cik", "name", "role"}]` (Filer, Issuer, Subject, Reporting, Filed by);
    `documents` is `[{"sequence", "description", "filename", "type", "size", "url"}]` with the
    public www.sec.gov URL of each document (never the bodies); `source` says where the record
    came from (`index` page, or the `full_text` submission when the index was unavailable).
    13F columns (null for other forms): `report_type`, `amendment_type` (a 13F-HR/A's
    `RESTATEMENT` rows replace the original report's, `NEW HOLDINGS` rows add to them), `value_unit`
    (`dollars` / `thousands`, the table as filed), `unit_rule`, `value_total_dollars`,
    `holdings_count`, and `cross_check` (rows and value total against the cover page).
    """

    __tablename__ = "filings"
    __table_args__ = (
        Index("ix_filings_filer_cik_accepted", "filer_cik", "accepted_at"),
        Index("ix_filings_issuer_cik", "issuer_cik"),
    )

    uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    accession_number: Mapped[str] = mapped_column(String(20), unique=True)
    form_type: Mapped[str] = mapped_column(String(32))
    filer_cik: Mapped[int | None] = mapped_column(Integer, nullable=True)
    filer_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    issuer_cik: Mapped[int | None] = mapped_column(Integer, nullable=True)
    issuer_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    entities: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    filing_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    period_of_report: Mapped[date | None] = mapped_column(Date, nullable=True)
    filing_url: Mapped[str] = mapped_column(String(300))
    index_url: Mapped[str] = mapped_column(String(300))
    documents: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    source: Mapped[str] = mapped_column(String(16))
    report_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    amendment_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    value_unit: Mapped[str | None] = mapped_column(String(16), nullable=True)
    unit_rule: Mapped[str | None] = mapped_column(String(32), nullable=True)
    unit_explanation: Mapped[str | None] = mapped_column(Text, nullable=True)
    value_total_dollars: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    holdings_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    cross_check: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
