"""Run list filters at scale: a ``stack_name`` column and indexes for stack, date and status.

``stack_name`` copies the stack's name out of ``stack_snapshot`` (JSON text, which
no database can index portably) so that "runs on stack S, newest first" is an
index range scan; existing rows are filled from their snapshot.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_BATCH = 1000


def _backfill() -> None:
    conn = op.get_bind()
    runs = sa.table(
        "pipeline_runs",
        sa.column("id", sa.String),
        sa.column("stack_snapshot", sa.Text),
        sa.column("stack_name", sa.String),
    )
    rows = conn.execute(sa.select(runs.c.id, runs.c.stack_snapshot)).all()
    updates = []
    for row in rows:
        try:
            name = json.loads(row.stack_snapshot or "{}").get("name")
        except (ValueError, AttributeError):
            name = None
        if isinstance(name, str):
            updates.append({"row_id": row.id, "name": name[:255]})
    statement = (
        runs.update()
        .where(runs.c.id == sa.bindparam("row_id"))
        .values(stack_name=sa.bindparam("name"))
    )
    for start in range(0, len(updates), _BATCH):
        conn.execute(statement, updates[start : start + _BATCH])


def upgrade() -> None:
    op.add_column("pipeline_runs", sa.Column("stack_name", sa.String(255)))
    _backfill()
    op.create_index(
        "ix_pipeline_runs_stack_name_created", "pipeline_runs", ["stack_name", "created"]
    )
    op.create_index(
        "ix_pipeline_runs_pipeline_id_status_created",
        "pipeline_runs",
        ["pipeline_id", "status", "created"],
    )


def downgrade() -> None:
    op.drop_index("ix_pipeline_runs_pipeline_id_status_created", table_name="pipeline_runs")
    op.drop_index("ix_pipeline_runs_stack_name_created", table_name="pipeline_runs")
    with op.batch_alter_table("pipeline_runs") as batch:
        batch.drop_column("stack_name")
