"""durable webhook delivery

Revision ID: 0002
Revises: 473629f021fd
"""

from collections.abc import Sequence

revision: str = "0002"
down_revision: str | None = "473629f021fd"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
