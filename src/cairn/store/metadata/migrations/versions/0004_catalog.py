"""Artifact versions, models and model versions, metadata of runs/artifacts/model versions.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from cairn.store.metadata.schema import json_text

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _fk(column: str, target: str, **kw: Any) -> sa.Column[str]:
    return sa.Column(column, sa.String(36), sa.ForeignKey(target, ondelete="CASCADE"), **kw)


def _metadata_table(name: str, owner: str, target: str) -> None:
    op.create_table(
        name,
        _fk(owner, target, primary_key=True),
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("number_value", sa.Double),
        sa.Column("text_value", json_text()),
        sa.Column("created", sa.Double, nullable=False),
    )


def upgrade() -> None:
    op.create_table(
        "artifact_versions",
        _fk("artifact_id", "artifacts.id", primary_key=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("version", sa.String(255), nullable=False),
        sa.Column("number", sa.Integer),
        sa.Column("tags", json_text(), nullable=False),
        sa.Column("is_model_artifact", sa.Boolean, nullable=False),
        sa.Column("created", sa.Double, nullable=False),
        sa.UniqueConstraint("name", "version", name="uq_artifact_versions_name_version"),
    )
    op.create_index("ix_artifact_versions_name_number", "artifact_versions", ["name", "number"])
    op.create_index("ix_artifact_versions_name_created", "artifact_versions", ["name", "created"])
    op.create_table(
        "models",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False, unique=True),
        sa.Column("description", json_text()),
        sa.Column("tags", json_text(), nullable=False),
        sa.Column("created", sa.Double, nullable=False),
        sa.Column("updated", sa.Double, nullable=False),
    )
    op.create_table(
        "model_versions",
        sa.Column("id", sa.String(36), primary_key=True),
        _fk("model_id", "models.id", nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("stage", sa.String(16)),
        sa.Column("exclusive_stage", sa.String(16)),
        sa.Column("description", json_text()),
        sa.Column("created", sa.Double, nullable=False),
        sa.Column("updated", sa.Double, nullable=False),
        sa.UniqueConstraint("model_id", "name", name="uq_model_versions_model_id_name"),
        sa.UniqueConstraint("model_id", "number", name="uq_model_versions_model_id_number"),
        sa.UniqueConstraint(
            "model_id", "exclusive_stage", name="uq_model_versions_model_id_exclusive_stage"
        ),
    )
    op.create_table(
        "model_version_artifacts",
        _fk("model_version_id", "model_versions.id", primary_key=True),
        _fk("artifact_id", "artifacts.id", primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("created", sa.Double, nullable=False),
    )
    op.create_index(
        "ix_model_version_artifacts_artifact_id", "model_version_artifacts", ["artifact_id"]
    )
    op.create_table(
        "model_version_runs",
        _fk("model_version_id", "model_versions.id", primary_key=True),
        _fk("run_id", "pipeline_runs.id", primary_key=True),
    )
    op.create_index("ix_model_version_runs_run_id", "model_version_runs", ["run_id"])
    _metadata_table("run_metadata", "run_id", "pipeline_runs.id")
    _metadata_table("artifact_metadata", "artifact_id", "artifacts.id")
    _metadata_table("model_version_metadata", "model_version_id", "model_versions.id")


def downgrade() -> None:
    for table in (
        "model_version_metadata",
        "artifact_metadata",
        "run_metadata",
        "model_version_runs",
        "model_version_artifacts",
        "model_versions",
        "models",
        "artifact_versions",
    ):
        op.drop_table(table)
