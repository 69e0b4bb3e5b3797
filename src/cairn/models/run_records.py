"""Plain records of the metadata store: pipelines, runs, step runs, artifacts, metadata.

These are frozen dataclasses (no pydantic, no SQLAlchemy) so that the CLI and
the client can pass them around cheaply. Ids are string UUIDs; times are POSIX
timestamps (``time.time()``) in seconds; statuses are
:class:`cairn.enums.ExecutionStatus`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cairn.enums import ExecutionStatus

#: Import path of the cloudpickle fallback materializer (artifacts it wrote are pickles).
PICKLE_MATERIALIZER_SOURCE = "cairn.materializers.cloudpickle_materializer:CloudpickleMaterializer"


def _duration(started: float | None, finished: float | None) -> float | None:
    if started is None or finished is None:
        return None
    return max(0.0, finished - started)


@dataclass(frozen=True)
class PipelineRecord:
    """A pipeline known to the metadata store (one row per pipeline name).

    Attributes:
        id: UUID of the pipeline.
        name: the pipeline's name (unique).
        spec: the latest compiled spec (JSON data) seen for this name.
        created: when the pipeline was first recorded.
        updated: when its spec was last recorded.
    """

    id: str
    name: str
    spec: dict[str, Any] = field(default_factory=dict)
    created: float = 0.0
    updated: float = 0.0


@dataclass(frozen=True)
class RunRecord:
    """One run of a pipeline.

    Attributes:
        id: UUID of the run.
        name: the run's name (unique across the store).
        pipeline_id: UUID of the pipeline.
        pipeline_name: name of the pipeline.
        status: pending, running, completed or failed.
        parameters: the pipeline parameters the run used.
        runtime_options: the keyword arguments of ``pipeline.run(...)``.
        stack_snapshot: the stack the run used (JSON data, secrets masked).
        code_version: a version of the user's code (e.g. a git commit), if known.
        enable_cache: the run-level ``enable_cache`` option, if given.
        created: when the run was recorded.
        started: when it started running.
        finished: when it finished (completed or failed).
        error: why it failed.
        owner_pid: process id of the process that orchestrates the run.
        owner_host: host name of that process.
        heartbeat: last time the owner said it was alive.
    """

    id: str
    name: str
    pipeline_id: str
    pipeline_name: str
    status: ExecutionStatus
    parameters: dict[str, Any] = field(default_factory=dict)
    runtime_options: dict[str, Any] = field(default_factory=dict)
    stack_snapshot: dict[str, Any] = field(default_factory=dict)
    code_version: str | None = None
    enable_cache: bool | None = None
    created: float = 0.0
    started: float | None = None
    finished: float | None = None
    error: str | None = None
    owner_pid: int | None = None
    owner_host: str | None = None
    heartbeat: float | None = None

    @property
    def duration(self) -> float | None:
        """Seconds between start and end, or None while running."""
        return _duration(self.started, self.finished)

    @property
    def stack_name(self) -> str | None:
        """Name of the stack the run used (from its snapshot), if recorded."""
        name = self.stack_snapshot.get("name")
        return name if isinstance(name, str) else None


@dataclass(frozen=True)
class StepRunRecord:
    """One execution (or cache reuse) of one step in one run.

    Attributes:
        id: UUID of the step run.
        run_id: UUID of the run.
        name: the step's unique name in the pipeline (e.g. ``train`` or ``train_2``).
        status: running, completed, cached or failed.
        cache_key: the step's cache key (see ``cairn.execution``), "" if none.
        parameters: the step's parameters.
        code_hash: hash of the step's source code.
        cached: whether outputs were reused from an earlier step run.
        cache_reason: why the step was or was not reused (human readable).
        cached_from: the step run whose outputs were reused, if cached.
        started: when the step started.
        finished: when it finished.
        error: the error (with traceback) if it failed.
        logs_uri: where the step's logs are, if captured.
        attempts: how many times the step was attempted (retries + 1).
    """

    id: str
    run_id: str
    name: str
    status: ExecutionStatus
    cache_key: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)
    code_hash: str = ""
    cached: bool = False
    cache_reason: str = ""
    cached_from: str | None = None
    started: float | None = None
    finished: float | None = None
    error: str | None = None
    logs_uri: str | None = None
    attempts: int = 1

    @property
    def duration(self) -> float | None:
        """Seconds between start and end, or None while running."""
        return _duration(self.started, self.finished)


@dataclass(frozen=True)
class ArtifactRecord:
    """A complete artifact in the artifact store.

    An artifact is recorded only after it was fully written (see
    :func:`cairn.materializers.write_artifact`), so a record always points to
    complete data.

    Attributes:
        id: UUID of the artifact.
        producer_step_run_id: the step run that wrote it (None if that run was deleted).
        output_name: name of the output that produced it.
        uri: folder of the artifact in the artifact store.
        data_type: import path (``module:QualName``) of the saved object's type.
        materializer: import path of the materializer that wrote it.
        size: total size in bytes of the artifact's files.
        content_hash: hash of the artifact's content (``algo:hex``).
        properties: extra information (e.g. shape, dtype, ``pickle: true``).
        created: when it was recorded.
    """

    id: str
    producer_step_run_id: str | None
    output_name: str
    uri: str
    data_type: str
    materializer: str
    size: int = 0
    content_hash: str = ""
    properties: dict[str, Any] = field(default_factory=dict)
    created: float = 0.0

    @property
    def is_pickle(self) -> bool:
        """Whether the artifact was saved by the cloudpickle fallback."""
        return self.materializer == PICKLE_MATERIALIZER_SOURCE or bool(
            self.properties.get("pickle")
        )


@dataclass(frozen=True)
class MetadataEntry:
    """A value a step logged with ``log_metadata(key, value)``.

    Attributes:
        step_run_id: the step run that logged it.
        key: the metadata key (unique per step run; logging again replaces it).
        value: a number, a string or JSON data.
        kind: ``number``, ``text`` or ``json``.
        created: when it was logged.
    """

    step_run_id: str
    key: str
    value: Any
    kind: str
    created: float = 0.0


__all__ = [
    "PICKLE_MATERIALIZER_SOURCE",
    "ArtifactRecord",
    "MetadataEntry",
    "PipelineRecord",
    "RunRecord",
    "StepRunRecord",
]
