"""Initial metadata schema: pipelines, runs, step runs, artifacts, lineage, metadata.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from cairn.store.metadata.schema import json_text

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _fk(column: str, target: str, ondelete: str, **kw: Any) -> sa.Column[str]:
    return sa.Column(column, sa.String(36), sa.ForeignKey(target, ondelete=ondelete), **kw)


def _edges(name: str) -> None:
    op.create_table(
        name,
        _fk("step_run_id", "step_runs.id", "CASCADE", primary_key=True),
        sa.Column("name", sa.String(255), primary_key=True),
        _fk("artifact_id", "artifacts.id", "CASCADE", nullable=False),
    )
    op.create_index(f"ix_{name}_artifact_id", name, ["artifact_id"])


def upgrade() -> None:
    op.create_table(
        "pipelines",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False, unique=True),
        sa.Column("spec", json_text(), nullable=False),
        sa.Column("created", sa.Double, nullable=False),
        sa.Column("updated", sa.Double, nullable=False),
    )
    op.create_table(
        "pipeline_runs",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False, unique=True),
        _fk("pipeline_id", "pipelines.id", "CASCADE", nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("parameters", json_text(), nullable=False),
        sa.Column("runtime_options", json_text(), nullable=False),
        sa.Column("stack_snapshot", json_text(), nullable=False),
        sa.Column("code_version", sa.String(255)),
        sa.Column("enable_cache", sa.Boolean),
        sa.Column("created", sa.Double, nullable=False),
        sa.Column("started", sa.Double),
        sa.Column("finished", sa.Double),
        sa.Column("error", json_text()),
    )
    op.create_index("ix_pipeline_runs_created", "pipeline_runs", ["created"])
    op.create_index(
        "ix_pipeline_runs_pipeline_id_created", "pipeline_runs", ["pipeline_id", "created"]
    )
    op.create_table(
        "step_runs",
        sa.Column("id", sa.String(36), primary_key=True),
        _fk("run_id", "pipeline_runs.id", "CASCADE", nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("cache_key", sa.String(128), nullable=False),
        sa.Column("parameters", json_text(), nullable=False),
        sa.Column("code_hash", sa.String(128), nullable=False),
        sa.Column("cached", sa.Boolean, nullable=False),
        sa.Column("cache_reason", json_text(), nullable=False),
        sa.Column("cached_from", sa.String(36)),
        sa.Column("started", sa.Double),
        sa.Column("finished", sa.Double),
        sa.Column("error", json_text()),
        sa.Column("logs_uri", json_text()),
        sa.UniqueConstraint("run_id", "name", name="uq_step_runs_run_id_name"),
    )
    op.create_index("ix_step_runs_cache_key_status", "step_runs", ["cache_key", "status"])
    op.create_table(
        "artifacts",
        sa.Column("id", sa.String(36), primary_key=True),
        _fk("producer_step_run_id", "step_runs.id", "SET NULL"),
        sa.Column("output_name", sa.String(255), nullable=False),
        sa.Column("uri", json_text(), nullable=False),
        sa.Column("data_type", sa.String(512), nullable=False),
        sa.Column("materializer", sa.String(512), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("content_hash", sa.String(100), nullable=False),
        sa.Column("properties", json_text(), nullable=False),
        sa.Column("created", sa.Double, nullable=False),
    )
    op.create_index("ix_artifacts_producer_step_run_id", "artifacts", ["producer_step_run_id"])
    _edges("step_inputs")
    _edges("step_outputs")
    op.create_table(
        "step_metadata",
        _fk("step_run_id", "step_runs.id", "CASCADE", primary_key=True),
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("number_value", sa.Double),
        sa.Column("text_value", json_text()),
        sa.Column("created", sa.Double, nullable=False),
    )


def downgrade() -> None:
    for table in ("step_metadata", "step_outputs", "step_inputs", "artifacts", "step_runs"):
        op.drop_table(table)
    op.drop_table("pipeline_runs")
    op.drop_table("pipelines")
