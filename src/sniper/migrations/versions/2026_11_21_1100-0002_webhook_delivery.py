"""durable webhook delivery

Endpoints (one per account + url, active / disabled), one row per attempt, leases and retry
rounds on deliveries (status `failed` becomes `dead`; the `attempts` counter gives way to the
attempt rows), and the previous webhook secret that keeps signing for a while after a rotation.

Revision ID: 0002
Revises: 473629f021fd
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import sniper.db.types

revision: str = "0002"
down_revision: str | None = "473629f021fd"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sniper.db.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    _create_endpoints()
    # One endpoint for every (account, url) that already has deliveries.
    op.execute(
        "INSERT INTO webhook_endpoints (account_id, url, status, created_at) "
        "SELECT account_id, url, 'active', MIN(created_at) FROM webhook_deliveries "
        "GROUP BY account_id, url"
    )
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("endpoint_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("round", sa.Integer(), nullable=False, server_default=sa.text("1"))
        )
        batch_op.add_column(sa.Column("lease_expires_at", UTC_DATETIME, nullable=True))
    op.execute(
        "UPDATE webhook_deliveries SET endpoint_id = (SELECT e.id FROM webhook_endpoints e "
        "WHERE e.account_id = webhook_deliveries.account_id AND e.url = webhook_deliveries.url)"
    )
    op.execute("UPDATE webhook_deliveries SET status = 'dead' WHERE status = 'failed'")
    # Nothing references webhook_deliveries yet, so SQLite's batch table copy is safe here.
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.alter_column("endpoint_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_webhook_deliveries_endpoint_id_webhook_endpoints"),
            "webhook_endpoints",
            ["endpoint_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.drop_column("attempts")
        batch_op.create_index(
            "ix_webhook_deliveries_endpoint_status", ["endpoint_id", "status"], unique=False
        )
        batch_op.create_index(
            "ix_webhook_deliveries_account_created", ["account_id", "created_at"], unique=False
        )
    _create_attempts()
    # ADD COLUMN only: SQLite alters in place (a table copy of `accounts` would cascade deletes).
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("webhook_previous_secret", sa.String(length=100), nullable=True)
        )
        batch_op.add_column(
            sa.Column("webhook_previous_secret_expires_at", UTC_DATETIME, nullable=True)
        )


def _create_endpoints() -> None:
    op.create_table(
        "webhook_endpoints",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=512), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("first_failure_at", UTC_DATETIME, nullable=True),
        sa.Column("last_success_at", UTC_DATETIME, nullable=True),
        sa.Column("disabled_at", UTC_DATETIME, nullable=True),
        sa.Column("disabled_reason", sa.String(length=200), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_webhook_endpoints_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_endpoints")),
        sa.UniqueConstraint("account_id", "url", name=op.f("uq_webhook_endpoints_account_id")),
    )


def _create_attempts() -> None:
    op.create_table(
        "webhook_attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("delivery_id", sa.String(length=40), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("attempted_at", UTC_DATETIME, nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("latency_ms", sa.Float(), nullable=False),
        sa.Column("response_excerpt", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["webhook_deliveries.id"],
            name=op.f("fk_webhook_attempts_delivery_id_webhook_deliveries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_attempts")),
    )
    with op.batch_alter_table("webhook_attempts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_webhook_attempts_delivery_round", ["delivery_id", "round", "number"], unique=False
        )


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite >= 3.35 and PostgreSQL): no table copy of `accounts`.
    op.execute("ALTER TABLE accounts DROP COLUMN webhook_previous_secret_expires_at")
    op.execute("ALTER TABLE accounts DROP COLUMN webhook_previous_secret")
    with op.batch_alter_table("webhook_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_webhook_attempts_delivery_round")
    op.drop_table("webhook_attempts")
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
        batch_op.drop_index("ix_webhook_deliveries_account_created")
        batch_op.drop_index("ix_webhook_deliveries_endpoint_status")
        batch_op.drop_constraint(
            batch_op.f("fk_webhook_deliveries_endpoint_id_webhook_endpoints"), type_="foreignkey"
        )
        batch_op.drop_column("lease_expires_at")
        batch_op.drop_column("round")
        batch_op.drop_column("endpoint_id")
    op.execute("UPDATE webhook_deliveries SET status = 'failed' WHERE status = 'dead'")
    op.drop_table("webhook_endpoints")
