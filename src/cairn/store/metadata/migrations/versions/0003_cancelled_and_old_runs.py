"""The ``cancelled`` status; runs left ``running`` by an older schema are reconciled.

``status`` columns are plain strings, so ``cancelled`` needs no column change;
this revision marks the point from which stores may hold it (an older Cairn
refuses a newer schema instead of misreading it).

Runs recorded before revision 0002 have no owner (``owner_pid`` and
``owner_token`` are NULL), so the dead-process check can never finish them:
any such run still ``running`` belongs to a process of an older Cairn, which
cannot still be recording into this (upgraded) store. They, and their
unfinished steps, are marked failed with a reason that says so.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

REASON = "left running by an older version of Cairn; marked failed on upgrade"


def upgrade() -> None:
    runs = sa.table(
        "pipeline_runs",
        sa.column("id", sa.String),
        sa.column("status", sa.String),
        sa.column("finished", sa.Double),
        sa.column("error", sa.Text),
        sa.column("owner_pid", sa.Integer),
        sa.column("owner_token", sa.String),
    )
    steps = sa.table(
        "step_runs",
        sa.column("run_id", sa.String),
        sa.column("status", sa.String),
        sa.column("finished", sa.Double),
        sa.column("error", sa.Text),
    )
    now = time.time()
    orphaned = sa.select(runs.c.id).where(
        runs.c.status == "running", runs.c.owner_pid.is_(None), runs.c.owner_token.is_(None)
    )
    ids = [row[0] for row in op.get_bind().execute(orphaned)]
    if not ids:
        return
    op.execute(
        steps.update()
        .where(steps.c.run_id.in_(ids), steps.c.status == "running")
        .values(status="failed", finished=now, error=REASON)
    )
    op.execute(
        runs.update().where(runs.c.id.in_(ids)).values(status="failed", finished=now, error=REASON)
    )


def downgrade() -> None:
    op.execute("UPDATE pipeline_runs SET status = 'failed' WHERE status = 'cancelled'")
    op.execute("UPDATE step_runs SET status = 'failed' WHERE status = 'cancelled'")
