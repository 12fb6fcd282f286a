from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from sniper.db.base import Base
from sniper.db.types import UTCDateTime


class CusipMap(Base):
    """The CUSIP -> FIGI / ticker cache, so OpenFIGI is asked about a CUSIP once.

    `status` is `mapped` (OpenFIGI `/v3/mapping` with `idType: ID_CUSIP`, `exchCode: US` found
    it; the first listing is kept) or `miss` (OpenFIGI's "No identifier found.", kept as a known
    miss). `source` is `openfigi` or `seed` (`sniper cusip seed FILE.csv`). `ticker` is stored
    normalized (`BRK/B` -> `BRK-B`).
    """

    __tablename__ = "cusip_map"
    __table_args__ = (Index("ix_cusip_map_ticker", "ticker"),)

    cusip: Mapped[str] = mapped_column(String(9), primary_key=True)
    status: Mapped[str] = mapped_column(String(8))
    figi: Mapped[str | None] = mapped_column(String(12), nullable=True)
    composite_figi: Mapped[str | None] = mapped_column(String(12), nullable=True)
    share_class_figi: Mapped[str | None] = mapped_column(String(12), nullable=True)
    ticker: Mapped[str | None] = mapped_column(String(32), nullable=True)
    name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    exch_code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    security_type: Mapped[str | None] = mapped_column(String(64), nullable=True)
    market_sector: Mapped[str | None] = mapped_column(String(32), nullable=True)
    source: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
