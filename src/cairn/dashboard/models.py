"""The JSON documents of the dashboard's API (``/api/v1``), as pydantic models.

They are the response models of :mod:`cairn.dashboard.api`, so the OpenAPI
document at ``/openapi.json`` describes exactly what the endpoints return.
Times are POSIX seconds; durations are seconds.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ComponentOut(BaseModel):
    """A stack component; its configuration has secret values masked."""

    type: str
    name: str
    flavor: str
    config: dict[str, Any] = Field(default_factory=dict)
    state: str | None = None


class StackOut(BaseModel):
    """A registered stack."""

    name: str
    uuid: str
    active: bool
    components: list[ComponentOut] = Field(default_factory=list)


class PipelineOut(BaseModel):
    """A pipeline and how many runs it has."""

    id: str
    name: str
    created: float
    updated: float
    run_count: int
    step_names: list[str] = Field(default_factory=list)


class RunSummary(BaseModel):
    """One row of the run list."""

    id: str
    name: str
    pipeline: str
    pipeline_id: str
    stack: str | None
    status: str
    created: float
    started: float | None
    finished: float | None
    duration: float | None
    step_counts: dict[str, int] = Field(default_factory=dict)
    steps_total: int = 0
    steps_reused: int = 0


class RunPage(BaseModel):
    """A page of runs and how many match the filters."""

    items: list[RunSummary]
    total: int
    limit: int
    offset: int


class ArtifactRef(BaseModel):
    """An artifact as linked from a step, with its producer."""

    id: str
    name: str
    data_type: str
    size: int
    uri: str
    content_hash: str
    producer_step_id: str | None = None
    producer_step: str | None = None
    producer_run_id: str | None = None


class StepSummary(BaseModel):
    """A step of a run, as shown in the run's DAG."""

    id: str | None
    name: str
    source: str | None = None
    status: str
    cached: bool = False
    started: float | None = None
    finished: float | None = None
    duration: float | None = None
    attempts: int = 0


class DagEdge(BaseModel):
    """``source`` runs before ``target`` (an output of it is an input of ``target``)."""

    source: str
    target: str
    label: str = ""


class RunDetail(BaseModel):
    """A run with its steps and DAG."""

    id: str
    name: str
    pipeline: str
    pipeline_id: str
    stack: str | None
    status: str
    created: float
    started: float | None
    finished: float | None
    duration: float | None
    parameters: dict[str, Any]
    runtime_options: dict[str, Any]
    code_version: str | None
    error: str | None
    stack_snapshot: dict[str, Any]
    steps: list[StepSummary]
    edges: list[DagEdge]


class StepDetail(BaseModel):
    """Everything about one step run."""

    id: str
    name: str
    run_id: str
    run_name: str
    status: str
    parameters: dict[str, Any]
    cache_key: str
    cached: bool
    cache_reason: str
    cached_from: str | None
    started: float | None
    finished: float | None
    duration: float | None
    attempts: int
    error: str | None
    inputs: dict[str, ArtifactRef]
    outputs: dict[str, ArtifactRef]
    metadata: dict[str, Any]
    has_logs: bool


class LogChunk(BaseModel):
    """Logs of a step from byte ``offset``; ``next_offset`` is where to ask next time."""

    text: str
    offset: int
    next_offset: int
    finished: bool


class StepUse(BaseModel):
    """A step run that made or used an artifact."""

    step_id: str
    step: str
    run_id: str
    run: str
    status: str
    input_name: str | None = None


class ArtifactDetail(BaseModel):
    """An artifact, its producer and the runs that used it."""

    id: str
    name: str
    uri: str
    data_type: str
    materializer: str
    size: int
    content_hash: str
    pickle: bool
    properties: dict[str, Any]
    created: float
    producer: StepUse | None
    consumers: list[StepUse]


class Preview(BaseModel):
    """A preview of an artifact's value, by kind.

    ``kind`` is one of ``dataframe`` (``columns``, ``rows``, ``shape``), ``array``
    (``shape``, ``dtype``, ``sample``), ``number``, ``text``, ``image``
    (``data_url``), ``json`` (``value``) or ``none`` (``reason``).
    """

    kind: str
    summary: str = ""
    value: Any = None
    columns: list[dict[str, str]] | None = None
    rows: list[list[Any]] | None = None
    shape: list[int] | None = None
    dtype: str | None = None
    sample: Any = None
    data_url: str | None = None
    truncated: bool = False
    reason: str | None = None


class CompareCell(BaseModel):
    """One row of the comparison: a value per run, and whether they differ."""

    key: str
    values: list[Any]
    differs: bool


class Comparison(BaseModel):
    """Runs side by side: parameters, metrics, step durations, cache reuse, outputs."""

    runs: list[RunSummary]
    parameters: list[CompareCell]
    metrics: list[CompareCell]
    durations: list[CompareCell]
    cached: list[CompareCell]
    outputs: list[CompareCell]


class Info(BaseModel):
    """About this dashboard."""

    version: str
    api: str
    read_only: bool
    stack: str
    statuses: list[str]


class ErrorOut(BaseModel):
    """An error: what is wrong, in one line."""

    detail: str
