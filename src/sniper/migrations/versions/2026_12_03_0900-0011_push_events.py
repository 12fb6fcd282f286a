"""push event log

`push_events`: the `/ws/main-api` frames of each account, so a WebSocket client that reconnects
with `?last_event_id=N` gets what it missed (issue 16 item 3). Bounded per account by
`SNIPER_WS_EVENT_LOG_SIZE` and `SNIPER_WS_EVENT_LOG_AGE`.

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import sniper.db.types

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "push_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("frame", JSON, nullable=False),
        sa.Column("created_at", sniper.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_push_events_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_push_events")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("push_events", schema=None) as batch_op:
        batch_op.create_index("ix_push_events_account_id_id", ["account_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("push_events", schema=None) as batch_op:
        batch_op.drop_index("ix_push_events_account_id_id")
    op.drop_table("push_events")
