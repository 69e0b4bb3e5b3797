"""Read queries and step/artifact/metadata writes of :class:`SQLMetadataStore`.

Kept apart from ``sql_metadata_store.py`` only to keep modules small; the mixin
is not useful on its own.
"""

from __future__ import annotations

import time
import uuid
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from cairn.enums import ExecutionStatus
from cairn.exceptions import (
    ConfigurationError,
    DoesNotExistError,
    EntityExistsError,
    RunNotRunningError,
)
from cairn.models.run_records import (
    ArtifactRecord,
    MetadataEntry,
    PipelineRecord,
    RunRecord,
    StepRunRecord,
)

if TYPE_CHECKING:
    import sqlalchemy as sa

_FINISHED = tuple(s for s in ExecutionStatus if s.is_finished)


def _not_running(kind: str, ident: str, row: dict[str, Any] | None) -> Exception:
    """The error for a conditional update that matched nothing."""
    if row is None:
        return DoesNotExistError(f"No {kind} with id '{ident}'.")
    return RunNotRunningError(
        f"The {kind} {ident} is {row['status']}, or its run is no longer running: its result "
        "was not recorded (was the run's process killed or the run cancelled?)."
    )


def _finished(record: StepRunRecord, values: dict[str, Any]) -> StepRunRecord:
    """``record`` as the conditional update ``values`` left it (no read-back)."""
    import dataclasses

    changed = {k: v for k, v in values.items() if k != "row_id"}
    changed["status"] = ExecutionStatus(changed["status"])
    return dataclasses.replace(record, **changed)


def _status(value: ExecutionStatus | str) -> ExecutionStatus:
    try:
        return ExecutionStatus(value)
    except ValueError as exc:
        known = ", ".join(s.value for s in ExecutionStatus)
        raise ConfigurationError(f"Unknown run status '{value}': use one of {known}.") from exc


class SQLQueriesMixin:
    """Queries shared by the SQL flavors (see :class:`SQLMetadataStore`)."""

    if TYPE_CHECKING:

        def _read(self) -> AbstractContextManager[sa.Connection]: ...
        def _write(self) -> AbstractContextManager[sa.Connection]: ...
        def mark_stale_runs_failed(self) -> list[str]: ...

    # ------------------------------------------------------------ pipelines
    def get_pipeline(self, name_or_id: str) -> PipelineRecord:
        from cairn.store.metadata import named as q
        from cairn.store.metadata.convert import pipeline_record

        with self._read() as conn:
            row = q.first(q.fetch(conn, "pipeline", {"value": name_or_id}))
        if row is None:
            raise DoesNotExistError(
                f"No pipeline called '{name_or_id}': list them with 'cairn pipeline list'."
            )
        return pipeline_record(row)

    def list_pipelines(self) -> list[PipelineRecord]:
        from cairn.store.metadata import named as q
        from cairn.store.metadata.convert import pipeline_record

        with self._read() as conn:
            return [pipeline_record(r) for r in q.fetch(conn, "pipelines", {})]

    # ------------------------------------------------------------ runs
    def get_run(self, name_or_id: str) -> RunRecord:
        from cairn.store.metadata import named as q
        from cairn.store.metadata.convert import run_record

        self.mark_stale_runs_failed()
        with self._read() as conn:
            row = q.first(q.fetch(conn, "run_by:name", {"value": name_or_id}))
            if row is None:
                row = q.first(q.fetch(conn, "run_by:id", {"value": name_or_id}))
        if row is None:
            raise DoesNotExistError(
                f"No pipeline run called '{name_or_id}': list them with 'cairn pipeline runs list'."
            )
        return run_record(row)

    def _filtered(
        self,
        query: Any,
        pipeline: str | None,
        status: Any,
        stack: str | None = None,
        created_after: float | None = None,
        created_before: float | None = None,
    ) -> Any:
        from cairn.store.metadata.schema import pipeline_runs as r

        if pipeline is not None:
            query = query.where(r.c.pipeline_id == self.get_pipeline(pipeline).id)
        if status is not None:
            query = query.where(r.c.status == str(_status(status)))
        if stack is not None:
            query = query.where(r.c.stack_name == stack)
        if created_after is not None:
            query = query.where(r.c.created >= created_after)
        if created_before is not None:
            query = query.where(r.c.created < created_before)
        return query

    def list_runs(
        self,
        pipeline: str | None = None,
        status: ExecutionStatus | str | None = None,
        limit: int = 50,
        offset: int = 0,
        newest_first: bool = True,
        *,
        stack: str | None = None,
        created_after: float | None = None,
        created_before: float | None = None,
    ) -> list[RunRecord]:
        from cairn.store.metadata.convert import run_record
        from cairn.store.metadata.schema import pipeline_runs as r
        from cairn.store.metadata.statements import runs_select

        self.mark_stale_runs_failed()
        order = (r.c.created.desc(), r.c.id.desc()) if newest_first else (r.c.created, r.c.id)
        query = self._filtered(
            runs_select(), pipeline, status, stack, created_after, created_before
        ).order_by(*order)
        query = query.limit(max(0, limit)).offset(max(0, offset))
        with self._read() as conn:
            return [run_record(row) for row in conn.execute(query)]

    def count_runs(
        self,
        pipeline: str | None = None,
        status: ExecutionStatus | str | None = None,
        *,
        stack: str | None = None,
        created_after: float | None = None,
        created_before: float | None = None,
    ) -> int:
        import sqlalchemy as sa

        from cairn.store.metadata.schema import pipeline_runs as r

        query = sa.select(sa.func.count()).select_from(r)
        query = self._filtered(query, pipeline, status, stack, created_after, created_before)
        with self._read() as conn:
            return int(conn.execute(query).scalar_one())

    def step_status_counts(self, run_ids: list[str]) -> dict[str, dict[str, int]]:
        import sqlalchemy as sa

        from cairn.store.metadata.schema import step_runs as s

        counts: dict[str, dict[str, int]] = {run_id: {} for run_id in run_ids}
        if not run_ids:
            return counts
        query = (
            sa.select(s.c.run_id, s.c.status, sa.func.count())
            .where(s.c.run_id.in_(run_ids))
            .group_by(s.c.run_id, s.c.status)
        )
        with self._read() as conn:
            for run_id, status, n in conn.execute(query):
                counts[run_id][status] = int(n)
        return counts

    # ------------------------------------------------------------ steps
    def create_step_run(
        self,
        run_id: str,
        step_name: str,
        *,
        cache_key: str = "",
        parameters: dict[str, Any] | None = None,
        code_hash: str = "",
        status: ExecutionStatus = ExecutionStatus.RUNNING,
    ) -> StepRunRecord:
        from cairn.store.metadata import named as q
        from cairn.store.metadata.convert import dumps
        from cairn.store.metadata.named import integrity_errors

        now = time.time()
        record = StepRunRecord(
            id=str(uuid.uuid4()),
            run_id=run_id,
            name=step_name,
            status=status,
            cache_key=cache_key,
            parameters=dict(parameters or {}),
            code_hash=code_hash,
            started=now,
        )
        values = {
            **{k: getattr(record, k) for k in ("id", "run_id", "name", "cache_key", "code_hash")},
            "status": str(status),
            "parameters": dumps(record.parameters),
            "cached": False,
            "cache_reason": "",
            "started": now,
            "attempts": 1,
        }
        try:
            with self._write() as conn:
                beat = {"row_id": run_id, "heartbeat": now}
                if not q.execute(conn, "update_running_run", beat):
                    row = q.first(q.fetch(conn, "run_by:id", {"value": run_id}))
                    raise _not_running("pipeline run", run_id, row)
                q.execute(conn, "insert:step_runs", values)
        except integrity_errors() as exc:
            raise EntityExistsError(
                f"Step '{step_name}' already has a step run in run {run_id}, or the run "
                "does not exist."
            ) from exc
        return record

    def finish_step_run(
        self,
        step_run_id: str,
        status: ExecutionStatus,
        *,
        cached: bool = False,
        cache_reason: str = "",
        cached_from: str | None = None,
        error: str | None = None,
        logs_uri: str | None = None,
        attempts: int = 1,
        record: StepRunRecord | None = None,
    ) -> StepRunRecord:
        from cairn.store.metadata import named as q
        from cairn.store.metadata.convert import step_run_record

        values: dict[str, Any] = {
            "row_id": step_run_id,
            "status": str(status),
            "cached": cached,
            "cache_reason": cache_reason,
            "cached_from": cached_from,
            "error": error,
            "logs_uri": logs_uri,
            "attempts": attempts,
        }
        if status in _FINISHED:
            values["finished"] = time.time()
        with self._write() as conn:
            matched = q.execute(conn, "update_running_step", values)
            if matched and record is not None and record.id == step_run_id:
                return _finished(record, values)
            row = q.first(q.fetch(conn, "select_by:step_runs:id", {"value": step_run_id}))
            if not matched:
                raise _not_running("step run", step_run_id, row)
        assert row is not None
        return step_run_record(row)

    def get_step_run(self, step_run_id: str) -> StepRunRecord:
        from cairn.store.metadata import named as q
        from cairn.store.metadata.convert import step_run_record

        with self._read() as conn:
            row = q.first(q.fetch(conn, "select_by:step_runs:id", {"value": step_run_id}))
        if row is None:
            raise DoesNotExistError(f"No step run with id '{step_run_id}'.")
        return step_run_record(row)

    def get_step_runs(self, run_id: str) -> list[StepRunRecord]:
        from cairn.store.metadata import named as q
        from cairn.store.metadata.convert import step_run_record

        self.mark_stale_runs_failed()
        with self._read() as conn:
            rows = q.fetch(conn, "steps_of_run", {"value": run_id})
            return [step_run_record(row) for row in rows]

    def find_cached_step(self, cache_key: str) -> StepRunRecord | None:
        from cairn.store.metadata import named as q
        from cairn.store.metadata.convert import step_run_record

        if not cache_key:
            return None
        with self._read() as conn:
            row = q.first(q.fetch(conn, "cached_step", {"value": cache_key}))
        return None if row is None else step_run_record(row)

    # ------------------------------------------------------------ artifacts, lineage
    def register_artifact(
        self,
        producer_step_run_id: str,
        output_name: str,
        uri: str,
        data_type: str,
        materializer: str,
        size: int = 0,
        content_hash: str = "",
        properties: dict[str, Any] | None = None,
    ) -> ArtifactRecord:
        from cairn.store.metadata import named as q
        from cairn.store.metadata.convert import dumps
        from cairn.store.metadata.named import integrity_errors

        record = ArtifactRecord(
            id=str(uuid.uuid4()),
            producer_step_run_id=producer_step_run_id,
            output_name=output_name,
            uri=uri,
            data_type=data_type,
            materializer=materializer,
            size=int(size),
            content_hash=content_hash,
            properties=dict(properties or {}),
            created=time.time(),
        )
        values = {k: getattr(record, k) for k in record.__dataclass_fields__}
        values["properties"] = dumps(record.properties)
        edge = {"step_run_id": producer_step_run_id, "name": output_name, "artifact_id": record.id}
        try:
            with self._write() as conn:
                self._check_step_running(conn, producer_step_run_id)
                q.execute(conn, "insert:artifacts", values)
                q.execute(conn, "insert:step_outputs", edge)
        except integrity_errors() as exc:
            raise EntityExistsError(
                f"Cannot record output '{output_name}' of step run {producer_step_run_id}: it "
                "is recorded already, or the step run does not exist."
            ) from exc
        return record

    @staticmethod
    def _check_step_running(conn: Any, step_run_id: str) -> None:
        """A conditional no-op update: raises unless the step and its run are running."""
        from cairn.store.metadata import named as q

        if not q.execute(conn, "update_running_step", {"row_id": step_run_id, "status": "running"}):
            row = q.first(q.fetch(conn, "select_by:step_runs:id", {"value": step_run_id}))
            raise _not_running("step run", step_run_id, row)

    def _link(self, table: str, step_run_id: str, name: str, artifact_id: str) -> None:
        from cairn.store.metadata import named as q
        from cairn.store.metadata.named import integrity_errors

        edge = {"step_run_id": step_run_id, "name": name, "artifact_id": artifact_id}
        try:
            with self._write() as conn:
                if table == "step_outputs":
                    self._check_step_running(conn, step_run_id)
                q.execute(conn, f"insert:{table}", edge)
        except integrity_errors() as exc:
            raise EntityExistsError(
                f"Cannot record {table[5:-1]} '{name}' of step run {step_run_id}: it is "
                "recorded already, or the step run or artifact does not exist."
            ) from exc

    def link_output(self, step_run_id: str, output_name: str, artifact_id: str) -> None:
        self._link("step_outputs", step_run_id, output_name, artifact_id)

    def record_input(self, step_run_id: str, input_name: str, artifact_id: str) -> None:
        self._link("step_inputs", step_run_id, input_name, artifact_id)

    def _edges(self, table: str, step_run_id: str) -> dict[str, ArtifactRecord]:
        from cairn.store.metadata import named as q
        from cairn.store.metadata.convert import artifact_record

        with self._read() as conn:
            rows = q.fetch(conn, f"edges:{table}", {"value": step_run_id})
            return {row["edge_name"]: artifact_record(row) for row in rows}

    def get_step_outputs(self, step_run_id: str) -> dict[str, ArtifactRecord]:
        return self._edges("step_outputs", step_run_id)

    def get_step_inputs(self, step_run_id: str) -> dict[str, ArtifactRecord]:
        return self._edges("step_inputs", step_run_id)

    def get_artifact(self, artifact_id: str) -> ArtifactRecord:
        from cairn.store.metadata import named as q
        from cairn.store.metadata.convert import artifact_record

        with self._read() as conn:
            row = q.first(q.fetch(conn, "select_by:artifacts:id", {"value": artifact_id}))
        if row is None:
            raise DoesNotExistError(f"No artifact with id '{artifact_id}'.")
        return artifact_record(row)

    def get_artifact_consumers(self, artifact_id: str) -> list[StepRunRecord]:
        from cairn.store.metadata import catalog_reads, named

        with self._read() as conn:
            return catalog_reads.artifact_consumers(named.rows_of(conn), artifact_id)

    # ------------------------------------------------------------ metadata
    def log_metadata(self, step_run_id: str, key: str, value: Any) -> None:
        from cairn.store.metadata import named as q
        from cairn.store.metadata.convert import metadata_columns
        from cairn.store.metadata.named import integrity_errors

        row = {"step_run_id": step_run_id, "key": key, **metadata_columns(value)}
        row["created"] = time.time()
        try:
            with self._write() as conn:
                q.execute(conn, "delete_metadata_key", {"sr_id": step_run_id, "meta_key": key})
                q.execute(conn, "insert:step_metadata", row)
        except integrity_errors() as exc:
            raise DoesNotExistError(f"No step run with id '{step_run_id}'.") from exc

    def get_metadata(self, step_run_id: str) -> dict[str, MetadataEntry]:
        from cairn.store.metadata import named as q
        from cairn.store.metadata.convert import metadata_entry

        with self._read() as conn:
            rows = q.fetch(conn, "select_by:step_metadata:step_run_id", {"value": step_run_id})
            return {row["key"]: metadata_entry(row) for row in rows}
