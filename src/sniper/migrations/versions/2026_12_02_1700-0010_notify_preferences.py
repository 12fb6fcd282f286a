"""account notification preferences

`accounts.notify_email`, `accounts.notify_browser`: the Finradar user's email and browser
notification switches (`PUT /api/v1/user/`, uat.finradarapi.com/docs/account/user-data/
put-api-v1-user), true on signup, so existing rows get true.

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(
            sa.Column("notify_email", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch.add_column(
            sa.Column("notify_browser", sa.Boolean(), nullable=False, server_default=sa.true())
        )


def downgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("notify_browser")
        batch.drop_column("notify_email")
