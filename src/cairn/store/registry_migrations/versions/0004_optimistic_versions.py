"""Registry revision 4: a ``version`` on components and stacks (optimistic versioning).

Every update is conditional on the version it read and increments it, so two
machines changing the same component or stack of a shared registry cannot
overwrite each other unnoticed.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # (a plain ADD COLUMN: a batch rebuild of `stacks` on SQLite would cascade-delete memberships)
    for table in ("stack_components", "stacks"):
        op.add_column(table, sa.Column("version", sa.Integer, nullable=False, server_default="1"))


def downgrade() -> None:
    for table in ("stack_components", "stacks"):
        op.drop_column(table, "version")
