"""detection first-seen times per source

`edgar_detections.first_seen`: `{source: ISO instant}` — when each detection source (`atom`,
`archives`, `submissions`) first saw the filing (issue 11). Rows detected before this revision
get `{source: detected_at}` from their one source.

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from sniper.kit.timefmt import iso_z

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("edgar_detections") as batch:
        batch.add_column(sa.Column("first_seen", JSON, nullable=True))
    bind = op.get_bind()
    rows = bind.execute(
        sa.text("SELECT accession_number, source, detected_at FROM edgar_detections")
    )
    table = sa.table(
        "edgar_detections", sa.column("accession_number"), sa.column("first_seen", JSON)
    )
    for accession, source, detected_at in rows.all():
        stamp = iso_z(datetime.fromisoformat(str(detected_at)).replace(tzinfo=UTC))
        bind.execute(
            table.update()
            .where(table.c.accession_number == accession)
            .values(first_seen={source: stamp})
        )


def downgrade() -> None:
    with op.batch_alter_table("edgar_detections") as batch:
        batch.drop_column("first_seen")
