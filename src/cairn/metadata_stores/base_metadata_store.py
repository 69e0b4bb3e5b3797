"""Base class of metadata stores: where runs, steps, artifacts and lineage are recorded.

The step runner, the orchestrators and the post-execution client only use the
abstract methods below; records are the plain dataclasses of
:mod:`cairn.models.run_records`. Every SQL flavor derives from
:class:`cairn.metadata_stores.sql_metadata_store.SQLMetadataStore`, which needs
only a SQLAlchemy URL.

How the pieces use it:

* running a pipeline: ``get_or_create_pipeline`` -> ``create_run`` (records the
  owner pid, host and a heartbeat) -> per step ``create_step_run`` ->
  ``find_cached_step`` -> either ``link_output`` for each reused artifact and
  ``finish_step_run(cached=True)``, or run the step, ``record_input`` for each
  input, :func:`cairn.materializers.write_artifact` then ``register_artifact``
  for each output, ``log_metadata``, ``finish_step_run`` -> ``update_run_status``.
* CLI ``cairn pipeline list``: ``list_pipelines()``.
* CLI ``cairn pipeline runs list [--pipeline P] [--status S]``: ``list_runs(pipeline=P,
  status=S, limit=..., offset=...)`` (or ``cairn.client.Client().list_runs``).
* CLI ``cairn pipeline runs describe RUN``: ``Client().get_run(RUN)`` (steps, status,
  cached, durations, outputs) or ``get_run`` + ``get_step_runs`` + ``get_step_outputs``.
* CLI ``cairn pipeline runs delete RUN``: ``Client().delete_run(RUN)`` (``delete_run``
  returns the URIs of artifacts no other run refers to; the client deletes them).

A run whose owning process died (e.g. SIGKILL) would stay ``running`` forever;
``mark_stale_runs_failed`` (called by the read methods) marks such runs, and
their unfinished steps, failed.
"""

from __future__ import annotations

from abc import abstractmethod
from contextlib import AbstractContextManager, nullcontext
from typing import Any, ClassVar

from cairn.enums import ExecutionStatus, StackComponentType
from cairn.metadata_stores.base_catalog import CatalogStore
from cairn.models.run_records import (
    ArtifactRecord,
    MetadataEntry,
    PipelineRecord,
    RunRecord,
    StepRunRecord,
)
from cairn.stack.stack_component import StackComponent


class BaseMetadataStore(StackComponent, CatalogStore):
    """Abstract class for all Cairn metadata stores.

    Lookups of a missing entity raise :class:`cairn.exceptions.DoesNotExistError`;
    creating a run whose name exists raises :class:`cairn.exceptions.EntityExistsError`;
    a store that cannot be read or written raises :class:`cairn.exceptions.StoreError`.
    """

    TYPE: ClassVar[StackComponentType] = StackComponentType.METADATA_STORE

    def batch(self) -> AbstractContextManager[None]:
        """Group this thread's writes into one transaction, committed at the end.

        Use it around a few quick writes that belong together (e.g. registering a
        step's outputs, its metadata and finishing it) to save per-transaction
        costs; never around user code, since the store may hold a write lock
        meanwhile. Reads inside see the batch's writes. Stores without
        transactions may ignore it (the default does nothing).

        Example:
            >>> with store.batch():
            ...     store.register_artifact(step_id, "output", uri, dtype, mat)
            ...     store.finish_step_run(step_id, ExecutionStatus.COMPLETED)
        """
        return nullcontext()

    # ------------------------------------------------------------ pipelines
    @abstractmethod
    def get_or_create_pipeline(self, name: str, spec: dict[str, Any]) -> PipelineRecord:
        """Return the pipeline called ``name``, creating it; its spec is replaced by ``spec``."""

    @abstractmethod
    def get_pipeline(self, name_or_id: str) -> PipelineRecord:
        """The pipeline with this name or id."""

    @abstractmethod
    def list_pipelines(self) -> list[PipelineRecord]:
        """All pipelines, sorted by name."""

    # ------------------------------------------------------------ runs
    @abstractmethod
    def create_run(
        self,
        pipeline_id: str,
        run_name: str,
        *,
        parameters: dict[str, Any] | None = None,
        runtime_options: dict[str, Any] | None = None,
        stack_snapshot: dict[str, Any] | None = None,
        code_version: str | None = None,
        enable_cache: bool | None = None,
        status: ExecutionStatus = ExecutionStatus.RUNNING,
    ) -> RunRecord:
        """Record a new run owned by the current process (pid, host, heartbeat now).

        Raises:
            EntityExistsError: a run called ``run_name`` exists.
        """

    @abstractmethod
    def update_run_status(
        self, run_id: str, status: ExecutionStatus, error: str | None = None
    ) -> RunRecord:
        """Set a run's status; a finished status also sets ``finished``."""

    @abstractmethod
    def detach_run(self, run_id: str) -> None:
        """Release a running run from its owner process (its steps were submitted elsewhere).

        A detached run is never taken for the run of a dead process; the process that
        records its last step finishes it.
        """

    @abstractmethod
    def heartbeat(self, run_id: str) -> None:
        """Say that the run's owner is alive (used to detect runs of dead processes)."""

    @abstractmethod
    def get_run(self, name_or_id: str) -> RunRecord:
        """The run with this name or id."""

    @abstractmethod
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
        """Runs, by creation time, optionally filtered.

        Args:
            pipeline: only runs of this pipeline (name or id).
            status: only runs with this status.
            limit: page size.
            offset: runs to skip.
            newest_first: newest first (else oldest first).
            stack: only runs on the stack of this name (as recorded in its snapshot).
            created_after: only runs created at or after this time (POSIX seconds).
            created_before: only runs created before this time.
        """

    @abstractmethod
    def count_runs(
        self,
        pipeline: str | None = None,
        status: ExecutionStatus | str | None = None,
        *,
        stack: str | None = None,
        created_after: float | None = None,
        created_before: float | None = None,
    ) -> int:
        """How many runs ``list_runs`` with the same filters would page through."""

    def step_status_counts(self, run_ids: list[str]) -> dict[str, dict[str, int]]:
        """For each run, how many of its step runs have each status (one query in SQL stores).

        Returns:
            ``{run id: {status: count}}`` with an entry (maybe empty) for every id given.
        """
        counts: dict[str, dict[str, int]] = {}
        for run_id in run_ids:
            per_status: dict[str, int] = {}
            for step in self.get_step_runs(run_id):
                per_status[str(step.status)] = per_status.get(str(step.status), 0) + 1
            counts[run_id] = per_status
        return counts

    @abstractmethod
    def delete_run(self, name_or_id: str) -> list[str]:
        """Delete a run with its step runs, lineage and metadata.

        Returns:
            URIs of the artifacts the run produced that no remaining step run refers to
            (their records are deleted too; the caller may delete the files).
        """

    @abstractmethod
    def mark_stale_runs_failed(self) -> list[str]:
        """Mark failed the running runs whose owner process is gone; return their names.

        A run owned by a process on this host is stale when that process no longer
        exists; a run owned elsewhere when its heartbeat is older than the store's
        ``stale_after`` seconds. Their running steps are marked failed too.
        """

    # ------------------------------------------------------------ steps
    @abstractmethod
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
        """Record that a step of a run starts (status running, ``started`` now)."""

    @abstractmethod
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
        """Record how a step ended (completed, cached or failed) and why it was (not) cached.

        ``record`` is the step run as :meth:`create_step_run` returned it: given, the
        finished record is made from it instead of being read back.
        """

    @abstractmethod
    def get_step_run(self, step_run_id: str) -> StepRunRecord:
        """One step run by id."""

    @abstractmethod
    def get_step_runs(self, run_id: str) -> list[StepRunRecord]:
        """The step runs of a run, in the order they started."""

    @abstractmethod
    def find_cached_step(self, cache_key: str) -> StepRunRecord | None:
        """The newest completed (or cached) step run with this cache key, or None.

        Only finished step runs count, and a step run is finished only after all its
        outputs were written and registered, so its outputs are complete.
        """

    # ------------------------------------------------------------ artifacts, lineage
    @abstractmethod
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
        """Record a complete artifact and link it as output ``output_name`` of its producer.

        Call this only after the artifact was fully written (``write_artifact``).
        """

    @abstractmethod
    def link_output(self, step_run_id: str, output_name: str, artifact_id: str) -> None:
        """Make an existing artifact an output of a (cached) step run."""

    @abstractmethod
    def record_input(self, step_run_id: str, input_name: str, artifact_id: str) -> None:
        """Record that a step run consumed an artifact as input ``input_name``."""

    @abstractmethod
    def get_step_outputs(self, step_run_id: str) -> dict[str, ArtifactRecord]:
        """Outputs of a step run, by output name."""

    @abstractmethod
    def get_step_inputs(self, step_run_id: str) -> dict[str, ArtifactRecord]:
        """Inputs of a step run, by input name."""

    @abstractmethod
    def get_artifact(self, artifact_id: str) -> ArtifactRecord:
        """One artifact by id."""

    @abstractmethod
    def get_artifact_consumers(self, artifact_id: str) -> list[StepRunRecord]:
        """The step runs that consumed an artifact, oldest first."""

    # ------------------------------------------------------------ metadata
    @abstractmethod
    def log_metadata(self, step_run_id: str, key: str, value: Any) -> None:
        """Record a number, a string or JSON data under ``key`` for a step run (replaces)."""

    @abstractmethod
    def get_metadata(self, step_run_id: str) -> dict[str, MetadataEntry]:
        """The metadata a step run logged, by key."""
