"""filing pipeline

Filing records (`filings`), 13F information-table rows (`form_13f_holdings`), the CUSIP ->
FIGI / ticker cache (`cusip_map`) and the pipeline's job table (`filing_jobs`). New tables only:
nothing existing is altered.

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import sniper.db.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sniper.db.types.UTCDateTime(timezone=True)
JSON = sniper.db.types.JSONType


def upgrade() -> None:
    _create_filings()
    _create_holdings()
    _create_cusip_map()
    _create_jobs()


def _create_filings() -> None:
    op.create_table(
        "filings",
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("accession_number", sa.String(length=20), nullable=False),
        sa.Column("form_type", sa.String(length=32), nullable=False),
        sa.Column("filer_cik", sa.Integer(), nullable=True),
        sa.Column("filer_name", sa.String(length=200), nullable=True),
        sa.Column("issuer_cik", sa.Integer(), nullable=True),
        sa.Column("issuer_name", sa.String(length=200), nullable=True),
        sa.Column("entities", JSON, nullable=False),
        sa.Column("accepted_at", UTC_DATETIME, nullable=True),
        sa.Column("filing_date", sa.Date(), nullable=True),
        sa.Column("period_of_report", sa.Date(), nullable=True),
        sa.Column("filing_url", sa.String(length=300), nullable=False),
        sa.Column("index_url", sa.String(length=300), nullable=False),
        sa.Column("documents", JSON, nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("report_type", sa.String(length=32), nullable=True),
        sa.Column("amendment_type", sa.String(length=32), nullable=True),
        sa.Column("value_unit", sa.String(length=16), nullable=True),
        sa.Column("unit_rule", sa.String(length=32), nullable=True),
        sa.Column("unit_explanation", sa.Text(), nullable=True),
        sa.Column("value_total_dollars", sa.BigInteger(), nullable=True),
        sa.Column("holdings_count", sa.Integer(), nullable=True),
        sa.Column("cross_check", JSON, nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("uuid", name=op.f("pk_filings")),
        sa.UniqueConstraint("accession_number", name=op.f("uq_filings_accession_number")),
    )
    with op.batch_alter_table("filings", schema=None) as batch_op:
        batch_op.create_index(
            "ix_filings_filer_cik_accepted", ["filer_cik", "accepted_at"], unique=False
        )
        batch_op.create_index("ix_filings_issuer_cik", ["issuer_cik"], unique=False)


def _create_holdings() -> None:
    op.create_table(
        "form_13f_holdings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("filing_uuid", sa.String(length=36), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("name_of_issuer", sa.String(length=200), nullable=False),
        sa.Column("title_of_class", sa.String(length=150), nullable=False),
        sa.Column("cusip", sa.String(length=9), nullable=False),
        sa.Column("figi", sa.String(length=12), nullable=True),
        sa.Column("value_reported", sa.BigInteger(), nullable=False),
        sa.Column("value_dollars", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("amount_type", sa.String(length=3), nullable=False),
        sa.Column("put_call", sa.String(length=4), nullable=True),
        sa.Column("investment_discretion", sa.String(length=8), nullable=False),
        sa.Column("other_managers", sa.String(length=100), nullable=True),
        sa.Column("voting_sole", sa.BigInteger(), nullable=False),
        sa.Column("voting_shared", sa.BigInteger(), nullable=False),
        sa.Column("voting_none", sa.BigInteger(), nullable=False),
        sa.Column("ticker", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["filing_uuid"],
            ["filings.uuid"],
            name=op.f("fk_form_13f_holdings_filing_uuid_filings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_13f_holdings")),
        sa.UniqueConstraint(
            "filing_uuid", "row_number", name=op.f("uq_form_13f_holdings_filing_row")
        ),
    )
    with op.batch_alter_table("form_13f_holdings", schema=None) as batch_op:
        batch_op.create_index("ix_form_13f_holdings_cusip", ["cusip"], unique=False)


def _create_cusip_map() -> None:
    op.create_table(
        "cusip_map",
        sa.Column("cusip", sa.String(length=9), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("figi", sa.String(length=12), nullable=True),
        sa.Column("composite_figi", sa.String(length=12), nullable=True),
        sa.Column("share_class_figi", sa.String(length=12), nullable=True),
        sa.Column("ticker", sa.String(length=32), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("exch_code", sa.String(length=16), nullable=True),
        sa.Column("security_type", sa.String(length=64), nullable=True),
        sa.Column("market_sector", sa.String(length=32), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("cusip", name=op.f("pk_cusip_map")),
    )
    with op.batch_alter_table("cusip_map", schema=None) as batch_op:
        batch_op.create_index("ix_cusip_map_ticker", ["ticker"], unique=False)


def _create_jobs() -> None:
    op.create_table(
        "filing_jobs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("accession_number", sa.String(length=20), nullable=False),
        sa.Column("cik", sa.Integer(), nullable=False),
        sa.Column("form_type", sa.String(length=32), nullable=False),
        sa.Column("accepted_at", UTC_DATETIME, nullable=False),
        sa.Column("entities", JSON, nullable=False),
        sa.Column("target_ids", JSON, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTC_DATETIME, nullable=False),
        sa.Column("lease_expires_at", UTC_DATETIME, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_filing_jobs")),
        sa.UniqueConstraint("accession_number", name=op.f("uq_filing_jobs_accession_number")),
    )
    with op.batch_alter_table("filing_jobs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_filing_jobs_status_next", ["status", "next_attempt_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("filing_jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_filing_jobs_status_next")
    op.drop_table("filing_jobs")
    with op.batch_alter_table("cusip_map", schema=None) as batch_op:
        batch_op.drop_index("ix_cusip_map_ticker")
    op.drop_table("cusip_map")
    with op.batch_alter_table("form_13f_holdings", schema=None) as batch_op:
        batch_op.drop_index("ix_form_13f_holdings_cusip")
    op.drop_table("form_13f_holdings")
    with op.batch_alter_table("filings", schema=None) as batch_op:
        batch_op.drop_index("ix_filings_issuer_cik")
        batch_op.drop_index("ix_filings_filer_cik_accepted")
    op.drop_table("filings")
