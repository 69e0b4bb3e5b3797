"""Run ownership (pid, host, heartbeat) to detect runs of dead processes; step attempts.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("pipeline_runs", sa.Column("owner_pid", sa.Integer))
    op.add_column("pipeline_runs", sa.Column("owner_host", sa.String(255)))
    op.add_column("pipeline_runs", sa.Column("owner_token", sa.String(64)))
    op.add_column("pipeline_runs", sa.Column("heartbeat", sa.Double))
    op.create_index("ix_pipeline_runs_status_created", "pipeline_runs", ["status", "created"])
    op.add_column(
        "step_runs", sa.Column("attempts", sa.Integer, nullable=False, server_default="1")
    )


def downgrade() -> None:
    with op.batch_alter_table("step_runs") as batch:
        batch.drop_column("attempts")
    op.drop_index("ix_pipeline_runs_status_created", table_name="pipeline_runs")
    with op.batch_alter_table("pipeline_runs") as batch:
        for column in ("heartbeat", "owner_token", "owner_host", "owner_pid"):
            batch.drop_column(column)
