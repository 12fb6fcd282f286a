"""service clock

`service_clock`: the serving process's clock (replay time), so rows the CLI writes carry the
same clock as rows the API writes (issue 16 item 5). One row per clock kind.

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from sniper.db.types import UTCDateTime

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "service_clock",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("clock_at", UTCDateTime(), nullable=False),
        sa.Column("wall_at", UTCDateTime(), nullable=False),
        sa.Column("speed", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("kind", name=op.f("pk_service_clock")),
    )


def downgrade() -> None:
    op.drop_table("service_clock")
