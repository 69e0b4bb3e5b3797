"""What the API returns, read through :class:`cairn.client.Client`.

:class:`DashboardData` turns the client's views into the documents of
:mod:`cairn.dashboard.models`; it never writes. Every configuration and
snapshot passes through :func:`cairn.dashboard.redact.redact`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cairn.dashboard import models as m
from cairn.dashboard.dag import run_dag
from cairn.dashboard.redact import redact
from cairn.enums import ExecutionStatus

if TYPE_CHECKING:
    from cairn.client import ArtifactView, Client, RunView, StackSummary, StepView

#: The largest page of runs one request may ask for.
MAX_PAGE = 500
_REUSED = str(ExecutionStatus.CACHED)


def _stack(summary: StackSummary) -> m.StackOut:
    components = [
        m.ComponentOut(
            type=str(c.type), name=c.name, flavor=c.flavor, config=redact(c.config), state=c.state
        )
        for c in summary.components
    ]
    return m.StackOut(
        name=summary.name, uuid=summary.uuid, active=summary.active, components=components
    )


def run_summary(run: RunView, counts: dict[str, int]) -> m.RunSummary:
    """A row of the run list; ``counts`` are its steps by status."""
    r = run.record
    return m.RunSummary(
        id=r.id,
        name=r.name,
        pipeline=r.pipeline_name,
        pipeline_id=r.pipeline_id,
        stack=r.stack_name,
        status=str(r.status),
        created=r.created,
        started=r.started,
        finished=r.finished,
        duration=r.duration,
        step_counts=counts,
        steps_total=sum(counts.values()),
        steps_reused=counts.get(_REUSED, 0),
    )


class DashboardData:
    """The read-only queries behind the API, over one client."""

    def __init__(self, client: Client) -> None:
        self.client = client

    # ------------------------------------------------------------ stacks, pipelines
    def stacks(self) -> list[m.StackOut]:
        """Every stack (component states are not checked: that can be slow)."""
        return [_stack(s) for s in self.client.list_stacks(with_state=False)]

    def stack(self, name: str) -> m.StackOut:
        """One stack with its components' states."""
        return _stack(self.client.get_stack_summary(name, with_state=True))

    def current_stack(self) -> m.StackOut:
        """The stack the dashboard reads, with its components' states."""
        return _stack(self.client.get_stack_summary(None, with_state=True))

    def pipelines(self) -> list[m.PipelineOut]:
        """Every pipeline with its run count."""
        return [self._pipeline(p.record) for p in self.client.list_pipelines()]

    def pipeline(self, name_or_id: str) -> m.PipelineOut:
        """One pipeline."""
        return self._pipeline(self.client.get_pipeline(name_or_id).record)

    def _pipeline(self, record: Any) -> m.PipelineOut:
        steps = record.spec.get("steps") if isinstance(record.spec, dict) else None
        return m.PipelineOut(
            id=record.id,
            name=record.name,
            created=record.created,
            updated=record.updated,
            run_count=self.client.count_runs(record.id),
            step_names=list(steps) if isinstance(steps, dict) else [],
        )

    # ------------------------------------------------------------ runs
    def runs(self, *, limit: int = 50, offset: int = 0, **filters: Any) -> m.RunPage:
        """A page of runs (newest first) matching ``filters`` and how many match."""
        limit = max(1, min(limit, MAX_PAGE))
        views = self.client.list_runs(limit=limit, offset=offset, **filters)
        counts = self.client.step_status_counts([v.id for v in views])
        items = [run_summary(v, counts.get(v.id, {})) for v in views]
        total = self.client.count_runs(**filters)
        return m.RunPage(items=items, total=total, limit=limit, offset=offset)

    def run(self, name_or_id: str) -> m.RunDetail:
        """A run with its steps and DAG."""
        run = self.client.get_run(name_or_id)
        r = run.record
        nodes, edges = run_dag(run, run.pipeline.spec)
        if r.status.is_finished:
            for node in nodes:
                if node.id is None:
                    node.status = "not_run"
        return m.RunDetail(
            id=r.id,
            name=r.name,
            pipeline=r.pipeline_name,
            pipeline_id=r.pipeline_id,
            stack=r.stack_name,
            status=str(r.status),
            created=r.created,
            started=r.started,
            finished=r.finished,
            duration=r.duration,
            parameters=redact(r.parameters),
            runtime_options=redact(r.runtime_options),
            code_version=r.code_version,
            error=r.error,
            stack_snapshot=redact(r.stack_snapshot),
            steps=nodes,
            edges=edges,
        )

    # ------------------------------------------------------------ steps
    def _ref(self, artifact: ArtifactView) -> m.ArtifactRef:
        producer = artifact.producer
        r = artifact.record
        return m.ArtifactRef(
            id=r.id,
            name=r.output_name,
            data_type=r.data_type,
            size=r.size,
            uri=r.uri,
            content_hash=r.content_hash,
            producer_step_id=producer.id if producer else None,
            producer_step=producer.name if producer else None,
            producer_run_id=producer.record.run_id if producer else None,
        )

    def step(self, step_id: str) -> m.StepDetail:
        """Everything about one step run."""
        step = self.client.get_step_run(step_id)
        r = step.record
        return m.StepDetail(
            id=r.id,
            name=r.name,
            run_id=r.run_id,
            run_name=step.run.name,
            status=str(r.status),
            parameters=redact(r.parameters),
            cache_key=r.cache_key,
            cached=r.cached,
            cache_reason=r.cache_reason,
            cached_from=r.cached_from,
            started=r.started,
            finished=r.finished,
            duration=r.duration,
            attempts=r.attempts,
            error=r.error,
            inputs={k: self._ref(a) for k, a in step.inputs.items()},
            outputs={k: self._ref(a) for k, a in step.outputs.items()},
            metadata=redact(step.metadata),
            has_logs=bool(r.logs_uri),
        )

    def logs(self, step_id: str, offset: int = 0) -> m.LogChunk:
        """A step's logs from byte ``offset``."""
        step = self.client.get_step_run(step_id)
        text, next_offset = step.read_logs(offset)
        return m.LogChunk(
            text=text,
            offset=offset,
            next_offset=next_offset,
            finished=step.record.status.is_finished,
        )

    # ------------------------------------------------------------ artifacts
    @staticmethod
    def _use(step: StepView, input_name: str | None = None) -> m.StepUse:
        return m.StepUse(
            step_id=step.id,
            step=step.name,
            run_id=step.record.run_id,
            run=step.run.name,
            status=str(step.status),
            input_name=input_name,
        )

    def artifact(self, artifact_id: str) -> m.ArtifactDetail:
        """An artifact with its producer and consumers."""
        a = self.client.get_artifact(artifact_id)
        r = a.record
        consumers = []
        for step in a.consumers:
            names = [k for k, v in step.inputs.items() if v.id == r.id]
            consumers.append(self._use(step, names[0] if names else None))
        return m.ArtifactDetail(
            id=r.id,
            name=r.output_name,
            uri=r.uri,
            data_type=r.data_type,
            materializer=r.materializer,
            size=r.size,
            content_hash=r.content_hash,
            pickle=r.is_pickle,
            properties=redact(r.properties),
            created=r.created,
            producer=self._use(a.producer) if a.producer else None,
            consumers=consumers,
        )

    def preview(self, artifact_id: str) -> m.Preview:
        """A preview of an artifact's value."""
        from cairn.dashboard.preview import preview_artifact

        return preview_artifact(self.client.get_artifact(artifact_id))
