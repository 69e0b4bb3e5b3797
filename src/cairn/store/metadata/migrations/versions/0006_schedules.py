"""Schedules and the slots their schedulers claimed.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from cairn.store.metadata.schema import json_text

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "schedules",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column(
            "pipeline_id",
            sa.String(36),
            sa.ForeignKey(
                "pipelines.id", ondelete="CASCADE", name="fk_schedules_pipeline_id_pipelines"
            ),
            nullable=False,
        ),
        sa.Column("stack_name", sa.String(255), nullable=False),
        sa.Column("orchestrator", sa.String(255), nullable=False),
        sa.Column("cron_expression", sa.String(255)),
        sa.Column("interval_seconds", sa.Double),
        sa.Column("start_time", sa.Double, nullable=False),
        sa.Column("end_time", sa.Double),
        sa.Column("catchup", sa.Boolean, nullable=False),
        sa.Column("paused", sa.Boolean, nullable=False),
        sa.Column("resumed", sa.Double),
        sa.Column("source_root", json_text(), nullable=False),
        sa.Column("run_options", json_text(), nullable=False),
        sa.Column("spec", json_text(), nullable=False),
        sa.Column("created", sa.Double, nullable=False),
        sa.Column("updated", sa.Double, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_schedules"),
        sa.UniqueConstraint("name", name="uq_schedules_name"),
    )
    op.create_index("ix_schedules_stack_name", "schedules", ["stack_name"])
    op.create_table(
        "schedule_slots",
        sa.Column(
            "schedule_id",
            sa.String(36),
            sa.ForeignKey(
                "schedules.id", ondelete="CASCADE", name="fk_schedule_slots_schedule_id_schedules"
            ),
        ),
        sa.Column("slot", sa.Double),
        sa.Column("run_name", sa.String(255), nullable=False),
        sa.Column("claimed", sa.Double, nullable=False),
        sa.PrimaryKeyConstraint("schedule_id", "slot", name="pk_schedule_slots"),
    )
    op.create_index("ix_schedule_slots_run_name", "schedule_slots", ["run_name"])


def downgrade() -> None:
    op.drop_index("ix_schedule_slots_run_name", table_name="schedule_slots")
    op.drop_table("schedule_slots")
    op.drop_index("ix_schedules_stack_name", table_name="schedules")
    op.drop_table("schedules")
