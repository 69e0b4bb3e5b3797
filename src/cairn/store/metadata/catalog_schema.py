"""Tables of artifact versions, models and the metadata of runs, artifacts and model versions.

Part of the metadata schema (same ``MetaData`` as :mod:`cairn.store.metadata.schema`),
kept in its own module because it is one idea: the *catalog* of named, versioned
things, as opposed to the execution records (runs, steps, lineage).

* ``artifact_versions``: one row per artifact that has a name (every output, and
  every ``save_artifact``); ``(name, version)`` is unique; ``number`` is the
  auto-incremented version (NULL for a version the user named).
* ``models`` / ``model_versions``: a model and its versions. ``stage`` is shown;
  ``exclusive_stage`` repeats it for the stages only one version may hold
  (staging, production) and carries the unique constraint that enforces it
  (NULLs never collide, so any number of versions may be archived or unstaged).
* ``model_version_artifacts`` / ``model_version_runs``: what a version links to.
* ``run_metadata``, ``artifact_metadata``, ``model_version_metadata``: key/value
  metadata (same columns as ``step_metadata``).
"""

from __future__ import annotations

import sqlalchemy as sa

from cairn.store.metadata.schema import json_text, metadata


def _fk(column: str, target: str, **kw: object) -> sa.Column[str]:
    return sa.Column(column, sa.String(36), sa.ForeignKey(target, ondelete="CASCADE"), **kw)  # type: ignore[arg-type]


artifact_versions = sa.Table(
    "artifact_versions",
    metadata,
    _fk("artifact_id", "artifacts.id", primary_key=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("version", sa.String(255), nullable=False),
    sa.Column("number", sa.Integer),
    sa.Column("tags", json_text(), nullable=False),
    sa.Column("is_model_artifact", sa.Boolean, nullable=False),
    sa.Column("created", sa.Double, nullable=False),
    sa.UniqueConstraint("name", "version"),
    sa.Index(None, "name", "number"),
    sa.Index(None, "name", "created"),
)

models = sa.Table(
    "models",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("name", sa.String(255), nullable=False, unique=True),
    sa.Column("description", json_text()),
    sa.Column("tags", json_text(), nullable=False),
    sa.Column("created", sa.Double, nullable=False),
    sa.Column("updated", sa.Double, nullable=False),
)

model_versions = sa.Table(
    "model_versions",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    _fk("model_id", "models.id", nullable=False),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("stage", sa.String(16)),
    sa.Column("exclusive_stage", sa.String(16)),
    sa.Column("description", json_text()),
    sa.Column("created", sa.Double, nullable=False),
    sa.Column("updated", sa.Double, nullable=False),
    sa.UniqueConstraint("model_id", "name"),
    sa.UniqueConstraint("model_id", "number"),
    sa.UniqueConstraint("model_id", "exclusive_stage"),
)

model_version_artifacts = sa.Table(
    "model_version_artifacts",
    metadata,
    _fk("model_version_id", "model_versions.id", primary_key=True),
    _fk("artifact_id", "artifacts.id", primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("created", sa.Double, nullable=False),
    sa.Index(None, "artifact_id"),
)

model_version_runs = sa.Table(
    "model_version_runs",
    metadata,
    _fk("model_version_id", "model_versions.id", primary_key=True),
    _fk("run_id", "pipeline_runs.id", primary_key=True),
    sa.Index(None, "run_id"),
)


def _metadata_table(name: str, owner: str, target: str) -> sa.Table:
    return sa.Table(
        name,
        metadata,
        _fk(owner, target, primary_key=True),
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("number_value", sa.Double),
        sa.Column("text_value", json_text()),
        sa.Column("created", sa.Double, nullable=False),
    )


run_metadata = _metadata_table("run_metadata", "run_id", "pipeline_runs.id")
artifact_metadata = _metadata_table("artifact_metadata", "artifact_id", "artifacts.id")
model_version_metadata = _metadata_table(
    "model_version_metadata", "model_version_id", "model_versions.id"
)

#: Metadata tables by the kind of thing they describe, with their owner column.
METADATA_TABLES: dict[str, tuple[sa.Table, str]] = {
    "run": (run_metadata, "run_id"),
    "artifact": (artifact_metadata, "artifact_id"),
    "model_version": (model_version_metadata, "model_version_id"),
}
