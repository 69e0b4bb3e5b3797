"""Reading runs from a SQLite metadata store with the standard library only.

The read commands (``cairn pipeline list``, ``pipeline runs list/describe/logs``,
``cairn artifact list/versions``, ``cairn model list``, ``cairn pipeline schedules
list``) read through :class:`SQLiteRunReader` when the active stack's metadata store
is the ``sqlite`` flavor: ``sqlite3`` and the statements of
:mod:`cairn.store.metadata.sqlite_sql` (generated from the SQLAlchemy tables, so
there is one schema definition), with neither SQLAlchemy nor pydantic imported.

It is used only while it is safe; anything else goes to the full store (built on
first need by ``full_store``):

* the database must be at the schema revision the statements were generated for
  (otherwise the full store migrates it first: see :meth:`SQLiteRunReader.ready`);
* a running run whose process is gone is marked failed by the full store (a
  write), exactly as the full store's reads do;
* every method and filter the reader does not implement is the full store's.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from cairn.enums import ExecutionStatus
from cairn.exceptions import DoesNotExistError
from cairn.models.run_records import (
    ArtifactRecord,
    MetadataEntry,
    PipelineRecord,
    RunRecord,
    StepRunRecord,
)
from cairn.store.metadata import catalog_reads as cr

if TYPE_CHECKING:
    from cairn.models.catalog_records import (
        ArtifactVersionRecord,
        ModelArtifactLink,
        ModelRecord,
        ModelVersionRecord,
    )
    from cairn.models.schedule_record import ScheduleRecord

_BUSY_TIMEOUT_S = 60.0


def runs_page_name(pipeline: bool, status: bool, newest_first: bool) -> str:
    """The name of a page-of-runs statement (``statements.runs_page``) by its filters."""
    return f"runs_page:{int(pipeline) * 4 + int(status) * 2 + int(newest_first)}"


class SQLiteRunReader:
    """Run records of the SQLite database at ``path``, read with ``sqlite3``.

    Args:
        path: the database file.
        full_store: builds the full metadata store (SQLAlchemy), used for whatever
            this reader does not do itself.
        stale_after: the store's ``stale_after`` setting (see ``SQLMetadataStore``).
    """

    def __init__(
        self, path: str, full_store: Callable[[], Any], stale_after: float | None = None
    ) -> None:
        self.path = path
        self.stale_after = stale_after
        self._full_factory = full_store
        self._full: Any = None
        self._local = threading.local()

    # ------------------------------------------------------------ plumbing
    def full_store(self) -> Any:
        """The full metadata store (built once)."""
        if self._full is None:
            self._full = self._full_factory()
        return self._full

    def __getattr__(self, name: str) -> Any:
        # Everything the reader does not implement itself (writes, catalog...).
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.full_store(), name)

    def _connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_S, isolation_level=None)
            self._local.conn = conn
        return conn

    def ready(self) -> bool:
        """Whether the database exists and is at the schema the statements were made for."""
        from cairn.store.metadata.sqlite_sql import HEAD_REVISION

        if not os.path.isfile(self.path):
            return False
        try:
            row = self._connection().execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.Error:
            return False
        return row is not None and row[0] == HEAD_REVISION

    def _rows(self, name: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        from cairn.store.metadata.sqlite_sql import STATEMENTS

        sql, order, literals = STATEMENTS[name]
        merged = {**literals, **params}
        cursor = self._connection().execute(sql, tuple(merged[key] for key in order))
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    # ------------------------------------------------------------ pipelines
    def list_pipelines(self) -> list[PipelineRecord]:
        from cairn.store.metadata.convert import pipeline_record

        return [pipeline_record(row) for row in self._rows("pipelines", {})]

    def get_pipeline(self, name_or_id: str) -> PipelineRecord:
        from cairn.store.metadata.convert import pipeline_record

        rows = self._rows("pipeline", {"value": name_or_id})
        if not rows:
            raise DoesNotExistError(
                f"No pipeline called '{name_or_id}': list them with 'cairn pipeline list'."
            )
        return pipeline_record(rows[0])

    # ------------------------------------------------------------ runs
    def mark_stale_runs_failed(self) -> list[str]:
        """Like the full store's; only when a run's owner is gone is the full store used."""
        from cairn.store.metadata.ownership import is_dead_owner

        now = time.time()
        rows = self._rows("running_runs", {})
        if any(is_dead_owner(row, self.stale_after, now) for row in rows):
            return list(self.full_store().mark_stale_runs_failed())
        return []

    def get_run(self, name_or_id: str) -> RunRecord:
        from cairn.store.metadata.convert import run_record

        self.mark_stale_runs_failed()
        rows = self._rows("run_by:name", {"value": name_or_id}) or self._rows(
            "run_by:id", {"value": name_or_id}
        )
        if not rows:
            raise DoesNotExistError(
                f"No pipeline run called '{name_or_id}': list them with 'cairn pipeline runs list'."
            )
        return run_record(rows[0])

    def list_runs(
        self,
        pipeline: str | None = None,
        status: ExecutionStatus | str | None = None,
        limit: int = 50,
        offset: int = 0,
        newest_first: bool = True,
        **filters: Any,
    ) -> list[RunRecord]:
        from cairn.store.metadata.convert import run_record

        known = status is None or str(status) in ExecutionStatus._value2member_map_
        if any(v is not None for v in filters.values()) or not known:
            return list(
                self.full_store().list_runs(
                    pipeline, status, limit, offset, newest_first, **filters
                )
            )
        self.mark_stale_runs_failed()
        params: dict[str, Any] = {"limit": max(0, limit), "offset": max(0, offset)}
        if pipeline is not None:
            params["pipeline_id"] = self.get_pipeline(pipeline).id
        if status is not None:
            params["status"] = str(ExecutionStatus(status))
        name = runs_page_name(pipeline is not None, status is not None, newest_first)
        return [run_record(row) for row in self._rows(name, params)]

    # ------------------------------------------------------------ steps
    def get_step_runs(self, run_id: str) -> list[StepRunRecord]:
        from cairn.store.metadata.convert import step_run_record

        self.mark_stale_runs_failed()
        return [step_run_record(row) for row in self._rows("steps_of_run", {"value": run_id})]

    def get_step_run(self, step_run_id: str) -> StepRunRecord:
        from cairn.store.metadata.convert import step_run_record

        rows = self._rows("select_by:step_runs:id", {"value": step_run_id})
        if not rows:
            raise DoesNotExistError(f"No step run with id '{step_run_id}'.")
        return step_run_record(rows[0])

    def _edges(self, name: str, step_run_id: str) -> dict[str, ArtifactRecord]:
        from cairn.store.metadata.convert import artifact_record

        rows = self._rows(name, {"value": step_run_id})
        return {row["edge_name"]: artifact_record(row) for row in rows}

    def get_step_outputs(self, step_run_id: str) -> dict[str, ArtifactRecord]:
        return self._edges("edges:step_outputs", step_run_id)

    def get_step_inputs(self, step_run_id: str) -> dict[str, ArtifactRecord]:
        return self._edges("edges:step_inputs", step_run_id)

    def get_metadata(self, step_run_id: str) -> dict[str, MetadataEntry]:
        from cairn.store.metadata.convert import metadata_entry

        rows = self._rows("select_by:step_metadata:step_run_id", {"value": step_run_id})
        return {row["key"]: metadata_entry(row) for row in rows}

    # ------------------------------------------------------------ catalog, schedules
    # (the same functions as the SQL stores': cairn.store.metadata.catalog_reads)
    def list_artifact_names(self) -> list[tuple[str, int, ArtifactVersionRecord]]:
        return cr.artifact_names(self._rows)

    def list_artifact_versions(
        self,
        name: str | None = None,
        tag: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[ArtifactVersionRecord]:
        return cr.artifact_versions(self._rows, name, tag, limit, offset)

    def get_artifact_version(
        self, name: str, version: str | int | None = None
    ) -> ArtifactVersionRecord:
        return cr.artifact_version(self._rows, name, version)

    def find_artifact_version(self, artifact_id: str) -> ArtifactVersionRecord | None:
        return cr.artifact_version_of(self._rows, artifact_id)

    def get_artifact_consumers(self, artifact_id: str) -> list[StepRunRecord]:
        return cr.artifact_consumers(self._rows, artifact_id)

    def get_entity_metadata(self, kind: str, entity_id: str) -> dict[str, MetadataEntry]:
        return cr.entity_metadata(self._rows, kind, entity_id)

    def get_model(self, name_or_id: str) -> ModelRecord:
        return cr.model(self._rows, name_or_id)

    def list_models(self) -> list[ModelRecord]:
        return cr.models(self._rows)

    def get_model_version(self, model: str, version: str | int | None = None) -> ModelVersionRecord:
        return cr.model_version(self._rows, model, version)

    def get_model_version_by_id(self, model_version_id: str) -> ModelVersionRecord:
        return cr.model_version_by_id(self._rows, model_version_id)

    def list_model_versions(self, model: str, stage: str | None = None) -> list[ModelVersionRecord]:
        return cr.model_versions(self._rows, model, stage)

    def get_model_version_artifacts(self, model_version_id: str) -> list[ModelArtifactLink]:
        return cr.model_version_artifacts(self._rows, model_version_id)

    def get_model_version_runs(self, model_version_id: str) -> list[str]:
        return cr.model_version_runs(self._rows, model_version_id)

    def list_schedules(self) -> list[ScheduleRecord]:
        """Every schedule of this store, by name (as ``ScheduleStore.list_schedules``)."""
        return cr.schedules(self._rows)

    def get_schedule(self, name_or_id: str) -> ScheduleRecord:
        """As ``ScheduleStore.get``."""
        return cr.schedule(self._rows, name_or_id)

    def schedule_slots(self, schedule_id: str, limit: int = 20) -> list[tuple[float, str]]:
        """As ``ScheduleStore.slots``."""
        return cr.schedule_slots(self._rows, schedule_id, limit)

    def close(self) -> None:
        """Close this thread's connection."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
