"""The tables of the metadata store (the head revision of the Alembic migrations).

Conventions: ids are UUID strings (``String(36)``), times are POSIX seconds in
``Double`` columns, JSON data is stored as text (``LONGTEXT`` on MySQL), and
every query the client runs often is served by an index:

* newest runs: ``ix_pipeline_runs_created``; of one pipeline:
  ``ix_pipeline_runs_pipeline_id_created``; with a status (and the stale-run
  check): ``ix_pipeline_runs_status_created``; of one pipeline with a status:
  ``ix_pipeline_runs_pipeline_id_status_created``; on one stack:
  ``ix_pipeline_runs_stack_name_created`` (``stack_name`` copies the snapshot's name);
* cache lookups: ``ix_step_runs_cache_key_status``;
* lineage: ``ix_step_inputs_artifact_id``, ``ix_step_outputs_artifact_id``.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import mysql

#: The Alembic revision these tables correspond to.
HEAD_REVISION = "0006"

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING)


def json_text() -> sa.types.TypeEngine[str]:
    """Unbounded text (``TEXT`` is 64 KB on MySQL)."""
    return sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")


def _id() -> sa.Column[str]:
    return sa.Column("id", sa.String(36), primary_key=True)


pipelines = sa.Table(
    "pipelines",
    metadata,
    _id(),
    sa.Column("name", sa.String(255), nullable=False, unique=True),
    sa.Column("spec", json_text(), nullable=False),
    sa.Column("created", sa.Double, nullable=False),
    sa.Column("updated", sa.Double, nullable=False),
)

pipeline_runs = sa.Table(
    "pipeline_runs",
    metadata,
    _id(),
    sa.Column("name", sa.String(255), nullable=False, unique=True),
    sa.Column(
        "pipeline_id",
        sa.String(36),
        sa.ForeignKey("pipelines.id", ondelete="CASCADE"),
        nullable=False,
    ),
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
    sa.Column("owner_pid", sa.Integer),
    sa.Column("owner_host", sa.String(255)),
    sa.Column("owner_token", sa.String(64)),
    sa.Column("heartbeat", sa.Double),
    sa.Column("stack_name", sa.String(255)),
    sa.Index(None, "created"),
    sa.Index(None, "pipeline_id", "created"),
    sa.Index(None, "status", "created"),
    sa.Index(None, "pipeline_id", "status", "created"),
    sa.Index(None, "stack_name", "created"),
)

step_runs = sa.Table(
    "step_runs",
    metadata,
    _id(),
    sa.Column(
        "run_id",
        sa.String(36),
        sa.ForeignKey("pipeline_runs.id", ondelete="CASCADE"),
        nullable=False,
    ),
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
    sa.Column("attempts", sa.Integer, nullable=False, server_default="1"),
    sa.UniqueConstraint("run_id", "name"),
    sa.Index(None, "cache_key", "status"),
)

artifacts = sa.Table(
    "artifacts",
    metadata,
    _id(),
    sa.Column(
        "producer_step_run_id",
        sa.String(36),
        sa.ForeignKey("step_runs.id", ondelete="SET NULL"),
    ),
    sa.Column("output_name", sa.String(255), nullable=False),
    sa.Column("uri", json_text(), nullable=False),
    sa.Column("data_type", sa.String(512), nullable=False),
    sa.Column("materializer", sa.String(512), nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("content_hash", sa.String(100), nullable=False),
    sa.Column("properties", json_text(), nullable=False),
    sa.Column("created", sa.Double, nullable=False),
    sa.Index(None, "producer_step_run_id"),
)


def _edge_table(name: str) -> sa.Table:
    return sa.Table(
        name,
        metadata,
        sa.Column(
            "step_run_id",
            sa.String(36),
            sa.ForeignKey("step_runs.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("name", sa.String(255), primary_key=True),
        sa.Column(
            "artifact_id",
            sa.String(36),
            sa.ForeignKey("artifacts.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Index(None, "artifact_id"),
    )


step_inputs = _edge_table("step_inputs")
step_outputs = _edge_table("step_outputs")

step_metadata = sa.Table(
    "step_metadata",
    metadata,
    sa.Column(
        "step_run_id",
        sa.String(36),
        sa.ForeignKey("step_runs.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("kind", sa.String(8), nullable=False),
    sa.Column("number_value", sa.Double),
    sa.Column("text_value", json_text()),
    sa.Column("created", sa.Double, nullable=False),
)


# The catalog tables (artifact versions, models, metadata) share this MetaData.
from cairn.store.metadata import catalog_schema as _catalog_schema  # noqa: E402,F401
from cairn.store.metadata import schedule_schema as _schedule_schema  # noqa: E402,F401
