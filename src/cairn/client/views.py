"""Post-execution views: thin, lazily navigating wrappers over metadata records.

A view holds one record (a snapshot read when the view was made) and the
client; related objects (a run's steps, a step's outputs, an artifact's
consumers) are read from the metadata store on first access and then kept.
Call ``refresh()`` on a run to read it again.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, overload

from cairn.enums import ExecutionStatus
from cairn.models.run_records import (
    ArtifactRecord,
    PipelineRecord,
    RunRecord,
    StepRunRecord,
)

if TYPE_CHECKING:
    from cairn.client.client import Client


class ArtifactView:
    """An artifact: where it is, what it holds, who made and used it; ``load()`` reads it."""

    def __init__(self, record: ArtifactRecord, client: Client) -> None:
        self.record = record
        self._client = client

    id = property(lambda self: self.record.id, doc="UUID of the artifact.")
    name = property(lambda self: self.record.output_name, doc="The output name it was made as.")
    uri = property(lambda self: self.record.uri, doc="Its folder in the artifact store.")
    data_type = property(lambda self: self.record.data_type, doc="Import path of its type.")
    materializer = property(lambda self: self.record.materializer, doc="Its materializer.")
    size = property(lambda self: self.record.size, doc="Total bytes of its files.")
    content_hash = property(lambda self: self.record.content_hash, doc="Hash of its content.")
    properties = property(lambda self: self.record.properties, doc="Facts about the data.")
    is_pickle = property(lambda self: self.record.is_pickle, doc="Saved by the pickle fallback.")

    def load(self, data_type: type | None = None) -> Any:
        """Read the artifact with the materializer recorded for it.

        Args:
            data_type: the type to load as; by default the recorded type.
        """
        from cairn.materializers.artifact_io import load_artifact

        target: type | str = data_type if data_type is not None else self.record.data_type
        return load_artifact(
            self._client.artifact_store, self.record.uri, self.record.materializer, target
        )

    @cached_property
    def producer(self) -> StepView | None:
        """The step run that wrote it (None if that run was deleted)."""
        step_id = self.record.producer_step_run_id
        if step_id is None:
            return None
        return StepView(self._client.metadata_store.get_step_run(step_id), self._client)

    @cached_property
    def consumers(self) -> list[StepView]:
        """The step runs that used it as an input, oldest first."""
        records = self._client.metadata_store.get_artifact_consumers(self.record.id)
        return [StepView(r, self._client) for r in records]

    def to_dict(self) -> dict[str, Any]:
        """JSON data describing the artifact."""
        r = self.record
        return {
            "id": r.id,
            "name": r.output_name,
            "uri": r.uri,
            "data_type": r.data_type,
            "materializer": r.materializer,
            "size": r.size,
            "content_hash": r.content_hash,
            "pickle": r.is_pickle,
            "properties": r.properties,
        }

    def __repr__(self) -> str:
        return f"ArtifactView({self.record.output_name!r}, uri={self.record.uri!r})"


class StepView:
    """One step of a run: status, cache decision, timings, logs, inputs, outputs, metadata."""

    def __init__(self, record: StepRunRecord, client: Client) -> None:
        self.record = record
        self._client = client

    id = property(lambda self: self.record.id, doc="UUID of the step run.")
    name = property(lambda self: self.record.name, doc="The step's name in the pipeline.")
    status = property(lambda self: self.record.status, doc="Its ExecutionStatus.")
    cached = property(lambda self: self.record.cached, doc="Whether outputs were reused.")
    cache_reason = property(lambda self: self.record.cache_reason, doc="Why (not) reused.")
    cache_key = property(lambda self: self.record.cache_key, doc="Its cache key.")
    parameters = property(lambda self: self.record.parameters, doc="Its parameters.")
    started = property(lambda self: self.record.started, doc="Start time (POSIX seconds).")
    finished = property(lambda self: self.record.finished, doc="End time (POSIX seconds).")
    duration = property(lambda self: self.record.duration, doc="Seconds it took.")
    error = property(lambda self: self.record.error, doc="Its error if it failed.")
    logs_uri = property(lambda self: self.record.logs_uri, doc="Where its logs are.")
    attempts = property(lambda self: self.record.attempts, doc="How many attempts it took.")

    @cached_property
    def outputs(self) -> dict[str, ArtifactView]:
        """Output artifacts by name."""
        records = self._client.metadata_store.get_step_outputs(self.record.id)
        return {name: ArtifactView(r, self._client) for name, r in records.items()}

    @cached_property
    def inputs(self) -> dict[str, ArtifactView]:
        """Input artifacts by name."""
        records = self._client.metadata_store.get_step_inputs(self.record.id)
        return {name: ArtifactView(r, self._client) for name, r in records.items()}

    @property
    def output(self) -> ArtifactView:
        """The only output of a step with one output."""
        outputs = self.outputs
        if len(outputs) != 1:
            from cairn.exceptions import IllegalOperationError

            raise IllegalOperationError(
                f"Step '{self.name}' has {len(outputs)} outputs ({', '.join(outputs) or 'none'})"
                ": use .outputs[NAME]."
            )
        return next(iter(outputs.values()))

    @cached_property
    def metadata(self) -> dict[str, Any]:
        """Values the step logged with ``log_metadata``, by key."""
        entries = self._client.metadata_store.get_metadata(self.record.id)
        return {key: entry.value for key, entry in entries.items()}

    def logs(self) -> str:
        """The step's captured logs ("" if none were captured)."""
        uri = self.record.logs_uri
        store = self._client.artifact_store
        if not uri or not store.exists(uri):
            return ""
        with store.open(uri, "rb") as f:
            return bytes(f.read()).decode("utf-8", errors="replace")

    @cached_property
    def run(self) -> RunView:
        """The run this step belongs to."""
        return self._client.get_run(self.record.run_id)

    def to_dict(self) -> dict[str, Any]:
        """JSON data describing the step (with its outputs)."""
        r = self.record
        return {
            "id": r.id,
            "name": r.name,
            "status": str(r.status),
            "cached": r.cached,
            "cache_reason": r.cache_reason,
            "started": r.started,
            "finished": r.finished,
            "duration": r.duration,
            "attempts": r.attempts,
            "error": r.error,
            "outputs": {name: a.to_dict() for name, a in self.outputs.items()},
        }

    def __repr__(self) -> str:
        return f"StepView({self.record.name!r}, status={self.record.status.value!r})"


class RunView:
    """One pipeline run: status, parameters, timings, stack snapshot, steps."""

    def __init__(self, record: RunRecord, client: Client) -> None:
        self.record = record
        self._client = client

    id = property(lambda self: self.record.id, doc="UUID of the run.")
    name = property(lambda self: self.record.name, doc="The run's name.")
    pipeline_name = property(lambda self: self.record.pipeline_name, doc="Its pipeline's name.")
    status = property(lambda self: self.record.status, doc="Its ExecutionStatus.")
    parameters = property(lambda self: self.record.parameters, doc="Pipeline parameters.")
    runtime_options = property(lambda self: self.record.runtime_options, doc="run() options.")
    stack_snapshot = property(lambda self: self.record.stack_snapshot, doc="The stack used.")
    code_version = property(lambda self: self.record.code_version, doc="The code version.")
    created = property(lambda self: self.record.created, doc="When it was recorded.")
    started = property(lambda self: self.record.started, doc="Start time (POSIX seconds).")
    finished = property(lambda self: self.record.finished, doc="End time (POSIX seconds).")
    duration = property(lambda self: self.record.duration, doc="Seconds it took.")
    error = property(lambda self: self.record.error, doc="Why it failed.")

    @cached_property
    def steps(self) -> dict[str, StepView]:
        """The run's steps by name, in the order they started."""
        records = self._client.metadata_store.get_step_runs(self.record.id)
        return {r.name: StepView(r, self._client) for r in records}

    @property
    def metadata(self) -> dict[str, dict[str, Any]]:
        """Metadata logged by each step: ``{step name: {key: value}}``."""
        return {name: step.metadata for name, step in self.steps.items() if step.metadata}

    @property
    def pipeline(self) -> PipelineView:
        """The pipeline this run belongs to."""
        return self._client.get_pipeline(self.record.pipeline_id)

    def refresh(self) -> RunView:
        """A new view of this run, read from the store now."""
        return self._client.get_run(self.record.id)

    def to_dict(self, with_steps: bool = True) -> dict[str, Any]:
        """JSON data describing the run (for ``cairn pipeline runs describe --output json``)."""
        r = self.record
        data: dict[str, Any] = {
            "id": r.id,
            "name": r.name,
            "pipeline": r.pipeline_name,
            "status": str(r.status),
            "created": r.created,
            "started": r.started,
            "finished": r.finished,
            "duration": r.duration,
            "parameters": r.parameters,
            "runtime_options": r.runtime_options,
            "code_version": r.code_version,
            "error": r.error,
        }
        if with_steps:
            data["steps"] = [step.to_dict() for step in self.steps.values()]
        return data

    def __repr__(self) -> str:
        return f"RunView({self.record.name!r}, status={self.record.status.value!r})"


class RunSequence(Sequence[RunView]):
    """The runs of a pipeline, oldest first, read page by page (``runs[-1]`` is the newest).

    Indexing issues one indexed query; ``len()`` one count; iteration reads pages of 50.
    """

    PAGE = 50

    def __init__(self, client: Client, pipeline: str) -> None:
        self._client = client
        self._pipeline = pipeline

    def __len__(self) -> int:
        return self._client.metadata_store.count_runs(pipeline=self._pipeline)

    @overload
    def __getitem__(self, index: int) -> RunView: ...
    @overload
    def __getitem__(self, index: slice) -> list[RunView]: ...
    def __getitem__(self, index: int | slice) -> RunView | list[RunView]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        store = self._client.metadata_store
        newest_first = index < 0
        offset = -index - 1 if newest_first else index
        records = store.list_runs(self._pipeline, limit=1, offset=offset, newest_first=newest_first)
        if not records:
            raise IndexError(f"pipeline '{self._pipeline}' has no run at index {index}")
        return RunView(records[0], self._client)

    def __iter__(self) -> Iterator[RunView]:
        offset = 0
        while True:
            page = self._client.metadata_store.list_runs(
                self._pipeline, limit=self.PAGE, offset=offset, newest_first=False
            )
            yield from (RunView(r, self._client) for r in page)
            if len(page) < self.PAGE:
                return
            offset += self.PAGE


class PipelineView:
    """A pipeline and its runs."""

    def __init__(self, record: PipelineRecord, client: Client) -> None:
        self.record = record
        self._client = client

    id = property(lambda self: self.record.id, doc="UUID of the pipeline.")
    name = property(lambda self: self.record.name, doc="The pipeline's name.")
    spec = property(lambda self: self.record.spec, doc="Its latest compiled spec.")

    @property
    def runs(self) -> RunSequence:
        """Its runs, oldest first (``runs[-1]`` is the latest)."""
        return RunSequence(self._client, self.record.id)

    def list_runs(
        self, status: ExecutionStatus | str | None = None, limit: int = 50, offset: int = 0
    ) -> list[RunView]:
        """A page of its runs, newest first."""
        return self._client.list_runs(self.record.id, status=status, limit=limit, offset=offset)

    def __repr__(self) -> str:
        return f"PipelineView({self.record.name!r})"
