"""Registry revision 1: stack components, stacks, their memberships and settings.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stack_components",
        sa.Column("uuid", sa.String(36), primary_key=True),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("flavor", sa.String(255), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("config", sa.Text, nullable=False),
        sa.Column("created", sa.Double, nullable=False),
        sa.Column("updated", sa.Double, nullable=False),
        sa.UniqueConstraint("type", "name", name="uq_components_type_name"),
    )
    op.create_table(
        "stacks",
        sa.Column("uuid", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False, unique=True),
        sa.Column("created", sa.Double, nullable=False),
        sa.Column("updated", sa.Double, nullable=False),
    )
    op.create_table(
        "stack_memberships",
        sa.Column(
            "stack_uuid",
            sa.String(36),
            sa.ForeignKey("stacks.uuid", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("type", sa.String(64), primary_key=True),
        sa.Column(
            "component_uuid", sa.String(36), sa.ForeignKey("stack_components.uuid"), nullable=False
        ),
    )
    op.create_index("ix_memberships_component", "stack_memberships", ["component_uuid"])
    op.create_table(
        "settings",
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("value", sa.Text),
    )


def downgrade() -> None:
    for table in ("settings", "stack_memberships", "stacks", "stack_components"):
        op.drop_table(table)
