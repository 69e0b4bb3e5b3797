"""Tables of schedules (``pipeline.run(schedule=...)``) and the slots they started.

Part of the metadata schema (same ``MetaData`` as :mod:`cairn.store.metadata.schema`).

* ``schedules``: one row per registered schedule; ``name`` is unique; the
  pipeline's compiled spec and the run options are kept as JSON so that a
  scheduler can start the runs without the user's process.
* ``schedule_slots``: one row per slot a scheduler claimed; the primary key
  ``(schedule_id, slot)`` is what makes a slot run at most once, whatever the
  number of schedulers or their restarts; ``run_name`` names the run started
  for it (the run records which schedule started it through this row).
"""

from __future__ import annotations

import sqlalchemy as sa

from cairn.store.metadata.schema import json_text, metadata

schedules = sa.Table(
    "schedules",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("name", sa.String(255), nullable=False, unique=True),
    sa.Column(
        "pipeline_id",
        sa.String(36),
        sa.ForeignKey("pipelines.id", ondelete="CASCADE"),
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
    sa.Index(None, "stack_name"),
)

schedule_slots = sa.Table(
    "schedule_slots",
    metadata,
    sa.Column(
        "schedule_id",
        sa.String(36),
        sa.ForeignKey("schedules.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("slot", sa.Double, primary_key=True),
    sa.Column("run_name", sa.String(255), nullable=False),
    sa.Column("claimed", sa.Double, nullable=False),
    sa.Index(None, "run_name"),
)
