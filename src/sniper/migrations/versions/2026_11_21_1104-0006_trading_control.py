"""trading control plane

Client manual flags, system flags (emergency, soft pause, system stop), the append-only control
audit, and the account's `odds_format` preference (seed 004).

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import sniper.db.types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sniper.db.types.UTCDateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    _create_client_controls()
    _create_system_controls()
    _create_audit()
    # ADD COLUMN with a literal default only: SQLite alters in place (a table copy of `accounts`
    # would cascade deletes).
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("odds_format", sa.String(length=16), nullable=False, server_default="decimal")
        )


def _flag_columns(prefix: str, noun: str) -> list[sa.Column[object]]:
    return [
        sa.Column(f"manual_{prefix}", sa.Boolean(), nullable=False),
        sa.Column(f"manual_{prefix}_at", UTC_DATETIME, nullable=True),
        sa.Column(f"manual_{noun}_reason", sa.String(length=500), nullable=True),
        sa.Column(f"manual_{prefix}_by", sa.String(length=64), nullable=True),
        sa.Column(f"manual_{noun}_cleared_at", UTC_DATETIME, nullable=True),
        sa.Column(f"manual_{noun}_cleared_by", sa.String(length=64), nullable=True),
    ]


def _create_client_controls() -> None:
    op.create_table(
        "trading_client_controls",
        sa.Column("account_id", sa.Integer(), nullable=False),
        *_flag_columns("paused", "pause"),
        *_flag_columns("stopped", "stop"),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_trading_client_controls_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_trading_client_controls")),
    )


def _create_system_controls() -> None:
    op.create_table(
        "trading_system_controls",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("set_by", sa.String(length=64), nullable=True),
        sa.Column("set_at", UTC_DATETIME, nullable=True),
        sa.Column("until", UTC_DATETIME, nullable=True),
        sa.Column("cleared_at", UTC_DATETIME, nullable=True),
        sa.Column("cleared_by", sa.String(length=64), nullable=True),
        sa.Column("clear_reason", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("kind", name=op.f("pk_trading_system_controls")),
    )


def _create_audit() -> None:
    op.create_table(
        "trading_control_audit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("command", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("result", sa.String(length=32), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=False),
        sa.Column("before", JSON, nullable=False),
        sa.Column("after", JSON, nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_trading_control_audit_account_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trading_control_audit")),
    )
    with op.batch_alter_table("trading_control_audit", schema=None) as batch_op:
        batch_op.create_index(
            "ix_trading_control_audit_account_id_id", ["account_id", "id"], unique=False
        )


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite >= 3.35 and PostgreSQL): no table copy of `accounts`.
    op.execute("ALTER TABLE accounts DROP COLUMN odds_format")
    with op.batch_alter_table("trading_control_audit", schema=None) as batch_op:
        batch_op.drop_index("ix_trading_control_audit_account_id_id")
    op.drop_table("trading_control_audit")
    op.drop_table("trading_system_controls")
    op.drop_table("trading_client_controls")
