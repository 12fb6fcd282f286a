"""trading algorithms

Algorithms (`trading_algorithms`, soft-deleted), backtests (`backtests`), their orders
(`algorithm_orders`, unique client order id) and the closed-trade ledger (`algorithm_trades`)
of x3algo seed 003 and issue 6. New tables only: nothing existing is altered.

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import sniper.db.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sniper.db.types.UTCDateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    _create_algorithms()
    _create_backtests()
    _create_orders()
    _create_trades()


def _create_algorithms() -> None:
    op.create_table(
        "trading_algorithms",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("strategy_type", sa.String(length=32), nullable=True),
        sa.Column("config", JSON, nullable=False),
        sa.Column("engine_state", JSON, nullable=True),
        sa.Column("last_bar_at", UTC_DATETIME, nullable=True),
        sa.Column("open_positions", sa.Integer(), nullable=False),
        sa.Column("started_at", UTC_DATETIME, nullable=True),
        sa.Column("stopped_at", UTC_DATETIME, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.Column("deleted_at", UTC_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_trading_algorithms_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trading_algorithms")),
    )
    with op.batch_alter_table("trading_algorithms", schema=None) as batch_op:
        batch_op.create_index(
            "ix_trading_algorithms_account_created",
            ["account_id", "created_at", "id"],
            unique=False,
        )
        batch_op.create_index("ix_trading_algorithms_status", ["status"], unique=False)


def _create_backtests() -> None:
    op.create_table(
        "backtests",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("algorithm_id", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("initial_balance", sa.Float(), nullable=False),
        sa.Column("config", JSON, nullable=False),
        sa.Column("results", JSON, nullable=True),
        sa.Column("equity_curve", JSON, nullable=True),
        sa.Column("trades", JSON, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("started_at", UTC_DATETIME, nullable=True),
        sa.Column("completed_at", UTC_DATETIME, nullable=True),
        sa.Column("lease_expires_at", UTC_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_backtests_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["algorithm_id"],
            ["trading_algorithms.id"],
            name=op.f("fk_backtests_algorithm_id_trading_algorithms"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_backtests")),
    )
    with op.batch_alter_table("backtests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_backtests_account_created", ["account_id", "created_at", "id"], unique=False
        )
        batch_op.create_index("ix_backtests_status_created", ["status", "created_at"], unique=False)


def _create_orders() -> None:
    op.create_table(
        "algorithm_orders",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("client_order_id", sa.String(length=100), nullable=False),
        sa.Column("algorithm_id", sa.String(length=16), nullable=False),
        sa.Column("backtest_id", sa.String(length=16), nullable=True),
        sa.Column("symbol", sa.String(length=64), nullable=False),
        sa.Column("side", sa.String(length=4), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("intent", sa.String(length=24), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("order_type", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("gate_reason", sa.String(length=32), nullable=True),
        sa.Column("limit_price", sa.Float(), nullable=True),
        sa.Column("price", sa.Float(), nullable=True),
        sa.Column("bar_time", UTC_DATETIME, nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("filled_at", UTC_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["algorithm_id"],
            ["trading_algorithms.id"],
            name=op.f("fk_algorithm_orders_algorithm_id_trading_algorithms"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["backtest_id"],
            ["backtests.id"],
            name=op.f("fk_algorithm_orders_backtest_id_backtests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_algorithm_orders")),
        sa.UniqueConstraint("client_order_id", name=op.f("uq_algorithm_orders_client_order_id")),
    )
    with op.batch_alter_table("algorithm_orders", schema=None) as batch_op:
        batch_op.create_index(
            "ix_algorithm_orders_algorithm_id", ["algorithm_id", "id"], unique=False
        )
        batch_op.create_index("ix_algorithm_orders_backtest_id", ["backtest_id"], unique=False)


def _create_trades() -> None:
    op.create_table(
        "algorithm_trades",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("trade_key", sa.String(length=400), nullable=False),
        sa.Column("algorithm_id", sa.String(length=16), nullable=False),
        sa.Column("backtest_id", sa.String(length=16), nullable=True),
        sa.Column("symbol", sa.String(length=64), nullable=False),
        sa.Column("side", sa.String(length=8), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("entry_at", UTC_DATETIME, nullable=False),
        sa.Column("entry_price", sa.Float(), nullable=False),
        sa.Column("exit_at", UTC_DATETIME, nullable=False),
        sa.Column("exit_price", sa.Float(), nullable=False),
        sa.Column("pnl", sa.Float(), nullable=False),
        sa.Column("exit_reason", sa.String(length=32), nullable=False),
        sa.Column("client_order_ids", JSON, nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["algorithm_id"],
            ["trading_algorithms.id"],
            name=op.f("fk_algorithm_trades_algorithm_id_trading_algorithms"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["backtest_id"],
            ["backtests.id"],
            name=op.f("fk_algorithm_trades_backtest_id_backtests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_algorithm_trades")),
        sa.UniqueConstraint("trade_key", name=op.f("uq_algorithm_trades_trade_key")),
    )
    with op.batch_alter_table("algorithm_trades", schema=None) as batch_op:
        batch_op.create_index(
            "ix_algorithm_trades_algorithm_exit",
            ["algorithm_id", "backtest_id", "exit_at"],
            unique=False,
        )
        batch_op.create_index("ix_algorithm_trades_backtest_id", ["backtest_id"], unique=False)


def downgrade() -> None:
    for table, indexes in (
        (
            "algorithm_trades",
            ("ix_algorithm_trades_algorithm_exit", "ix_algorithm_trades_backtest_id"),
        ),
        (
            "algorithm_orders",
            ("ix_algorithm_orders_algorithm_id", "ix_algorithm_orders_backtest_id"),
        ),
        ("backtests", ("ix_backtests_account_created", "ix_backtests_status_created")),
        (
            "trading_algorithms",
            ("ix_trading_algorithms_account_created", "ix_trading_algorithms_status"),
        ),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for index in indexes:
                batch_op.drop_index(index)
        op.drop_table(table)
