"""backtests claimed by the job runtime

`backtests.next_attempt_at`: when the backtest is due for a claim (`sniper.worker.claim`): its
creation for a queued one, its lease's end for a running one (a job that died). Existing rows
get `lease_expires_at`, else `created_at`.

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from sniper.db.types import UTCDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("backtests") as batch:
        batch.add_column(sa.Column("next_attempt_at", UTCDateTime(), nullable=True))
    op.execute("UPDATE backtests SET next_attempt_at = COALESCE(lease_expires_at, created_at)")
    with op.batch_alter_table("backtests") as batch:
        batch.alter_column("next_attempt_at", existing_type=UTCDateTime(), nullable=False)
        batch.drop_index("ix_backtests_status_created")
        batch.create_index("ix_backtests_status_due", ["status", "next_attempt_at"])


def downgrade() -> None:
    with op.batch_alter_table("backtests") as batch:
        batch.drop_index("ix_backtests_status_due")
        batch.create_index("ix_backtests_status_created", ["status", "created_at"])
        batch.drop_column("next_attempt_at")
