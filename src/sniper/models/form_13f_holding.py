from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sniper.db.base import Base


class Form13FHolding(Base):
    """One row of a 13F information table (EDGAR Form 13F XML technical specification).

    `value_dollars` is in dollars whatever the filing's unit (`value_reported` keeps the figure
    as filed); `amount` is shares (`amount_type` `SH`) or principal (`PRN`); `put_call` is `PUT`,
    `CALL` or null, and a put or call row stays its own row. `ticker` is filled by the OpenFIGI
    enrichment (null until then, or when the CUSIP maps to nothing). Rows are replaced whole
    when a filing is re-parsed, so a re-run never duplicates them.
    """

    __tablename__ = "form_13f_holdings"
    __table_args__ = (
        UniqueConstraint("filing_uuid", "row_number", name="uq_form_13f_holdings_filing_row"),
        Index("ix_form_13f_holdings_cusip", "cusip"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    filing_uuid: Mapped[str] = mapped_column(ForeignKey("filings.uuid", ondelete="CASCADE"))
    row_number: Mapped[int] = mapped_column(Integer)
    name_of_issuer: Mapped[str] = mapped_column(String(200))
    title_of_class: Mapped[str] = mapped_column(String(150))
    cusip: Mapped[str] = mapped_column(String(9))
    figi: Mapped[str | None] = mapped_column(String(12), nullable=True)
    value_reported: Mapped[int] = mapped_column(BigInteger)
    value_dollars: Mapped[int] = mapped_column(BigInteger)
    amount: Mapped[int] = mapped_column(BigInteger)
    amount_type: Mapped[str] = mapped_column(String(3))
    put_call: Mapped[str | None] = mapped_column(String(4), nullable=True)
    investment_discretion: Mapped[str] = mapped_column(String(8))
    other_managers: Mapped[str | None] = mapped_column(String(100), nullable=True)
    voting_sole: Mapped[int] = mapped_column(BigInteger)
    voting_shared: Mapped[int] = mapped_column(BigInteger)
    voting_none: Mapped[int] = mapped_column(BigInteger)
    ticker: Mapped[str | None] = mapped_column(String(32), nullable=True)
