"""Post-execution views: thin, lazily navigating wrappers over metadata records.

A view holds one record (a snapshot read when the view was made) and the
client; related objects (a run's steps, a step's outputs, an artifact's
consumers) are read from the metadata store on first access and then kept.
Call ``refresh()`` on a run to read it again. Steps and artifacts are in
:mod:`cairn.client.step_views` and re-exported here.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, overload

from cairn.client.step_views import ArtifactView, NamedItems, StepView
from cairn.enums import ExecutionStatus
from cairn.models.run_records import PipelineRecord, RunRecord

if TYPE_CHECKING:
    from cairn.client.client import Client


class RunView:
    """One pipeline run: status, parameters, timings, stack snapshot, steps."""

    def __init__(self, record: RunRecord, client: Client) -> None:
        self.record = record
        self._client = client

    @property
    def id(self) -> str:
        """UUID of the run."""
        return self.record.id

    @property
    def name(self) -> str:
        """The run's name."""
        return self.record.name

    @property
    def pipeline_name(self) -> str:
        """Its pipeline's name."""
        return self.record.pipeline_name

    @property
    def status(self) -> ExecutionStatus:
        """Its ExecutionStatus."""
        return self.record.status

    @property
    def parameters(self) -> dict[str, Any]:
        """Pipeline parameters."""
        return self.record.parameters

    @property
    def runtime_options(self) -> dict[str, Any]:
        """run() options."""
        return self.record.runtime_options

    @property
    def stack_snapshot(self) -> dict[str, Any]:
        """The stack used."""
        return self.record.stack_snapshot

    @property
    def code_version(self) -> str | None:
        """The code version."""
        return self.record.code_version

    @property
    def created(self) -> float:
        """When it was recorded."""
        return self.record.created

    @property
    def started(self) -> float | None:
        """Start time (POSIX seconds)."""
        return self.record.started

    @property
    def finished(self) -> float | None:
        """End time (POSIX seconds)."""
        return self.record.finished

    @property
    def duration(self) -> float | None:
        """Seconds it took."""
        return self.record.duration

    @property
    def error(self) -> str | None:
        """Why it failed."""
        return self.record.error

    @cached_property
    def steps(self) -> dict[str, StepView]:
        """The run's steps by name, in the order they started."""
        records = self._client.metadata_store.get_step_runs(self.record.id)
        return NamedItems(
            f"step of run '{self.name}'", {r.name: StepView(r, self._client) for r in records}
        )

    @property
    def metadata(self) -> dict[str, dict[str, Any]]:
        """Metadata logged by each step: ``{step name: {key: value}}``."""
        return {name: step.metadata for name, step in self.steps.items() if step.metadata}

    @property
    def run_metadata(self) -> dict[str, Any]:
        """Metadata attached to the run itself (``log_metadata(..., run_id_name_or_prefix=)``)."""
        entries = self._client.metadata_store.get_entity_metadata("run", self.record.id)
        return {key: entry.value for key, entry in entries.items()}

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

    @property
    def id(self) -> str:
        """UUID of the pipeline."""
        return self.record.id

    @property
    def name(self) -> str:
        """The pipeline's name."""
        return self.record.name

    @property
    def spec(self) -> dict[str, Any]:
        """Its latest compiled spec."""
        return self.record.spec

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


__all__ = ["ArtifactView", "PipelineView", "RunSequence", "RunView", "StepView"]
