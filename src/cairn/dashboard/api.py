"""The JSON API under ``/api/v1``: read-only endpoints over :class:`DashboardData`.

Every endpoint is a ``GET``; errors are JSON ``{"detail": "..."}`` with 404
for an unknown id or name and 400 for a bad filter.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from cairn.dashboard import models as m
from cairn.dashboard.data import MAX_PAGE, DashboardData
from cairn.enums import ExecutionStatus

_ERRORS: dict[int | str, dict[str, object]] = {
    400: {"model": m.ErrorOut, "description": "A bad filter or parameter."},
    404: {"model": m.ErrorOut, "description": "No such entity."},
}
_MAX_OFFSET = 1_000_000_000

router = APIRouter(prefix="/api/v1", responses=_ERRORS)


def get_data(request: Request) -> DashboardData:
    """The app's :class:`DashboardData` (set by :func:`cairn.dashboard.app.create_app`)."""
    data: DashboardData = request.app.state.data
    return data


Data = Annotated[DashboardData, Depends(get_data)]


@router.get("/info", response_model=m.Info, tags=["meta"])
def info(data: Data, request: Request) -> m.Info:
    """The dashboard's version, API version and the stack it reads."""
    from cairn import __version__

    return m.Info(
        version=__version__,
        api="v1",
        read_only=True,
        stack=request.app.state.stack_name,
        statuses=[s.value for s in ExecutionStatus],
    )


@router.get("/stacks", response_model=list[m.StackOut], tags=["stacks"])
def list_stacks(data: Data) -> list[m.StackOut]:
    """Every registered stack with its components (secrets masked)."""
    return data.stacks()


@router.get("/stack", response_model=m.StackOut, tags=["stacks"])
def current_stack(data: Data) -> m.StackOut:
    """The stack this dashboard reads, with its components' states."""
    return data.current_stack()


@router.get("/stacks/{name}", response_model=m.StackOut, tags=["stacks"])
def get_stack(data: Data, name: str) -> m.StackOut:
    """One stack with its components' states (secrets masked)."""
    return data.stack(name)


@router.get("/pipelines", response_model=list[m.PipelineOut], tags=["pipelines"])
def list_pipelines(data: Data) -> list[m.PipelineOut]:
    """Every pipeline with its number of runs."""
    return data.pipelines()


@router.get("/pipelines/{name_or_id}", response_model=m.PipelineOut, tags=["pipelines"])
def get_pipeline(data: Data, name_or_id: str) -> m.PipelineOut:
    """One pipeline by name or id."""
    return data.pipeline(name_or_id)


@router.get("/runs", response_model=m.RunPage, tags=["runs"])
def list_runs(
    data: Data,
    pipeline: Annotated[str | None, Query(description="Pipeline name or id.")] = None,
    status: Annotated[ExecutionStatus | None, Query()] = None,
    stack: Annotated[str | None, Query(description="Stack name.")] = None,
    created_after: Annotated[float | None, Query(allow_inf_nan=False)] = None,
    created_before: Annotated[float | None, Query(allow_inf_nan=False)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=_MAX_OFFSET)] = 0,
) -> m.RunPage:
    """A page of runs, newest first, filtered by pipeline, status, stack and creation time."""
    return data.runs(
        limit=limit,
        offset=offset,
        pipeline=pipeline,
        status=status,
        stack=stack,
        created_after=created_after,
        created_before=created_before,
    )


@router.get("/runs/{name_or_id}", response_model=m.RunDetail, tags=["runs"])
def get_run(data: Data, name_or_id: str) -> m.RunDetail:
    """A run with its steps (including those still to run) and its DAG's edges."""
    return data.run(name_or_id)


@router.get("/compare", response_model=m.Comparison, tags=["runs"])
def compare(
    data: Data,
    runs: Annotated[list[str], Query(min_length=1, max_length=10, description="Run names or ids.")],
) -> m.Comparison:
    """Runs side by side: parameters, metrics, step durations, cache reuse, outputs."""
    from cairn.dashboard.compare import compare_runs

    return compare_runs(data.client, runs)


@router.get("/steps/{step_id}", response_model=m.StepDetail, tags=["steps"])
def get_step(data: Data, step_id: str) -> m.StepDetail:
    """A step run: parameters, cache key and decision, inputs, outputs, metadata, error."""
    return data.step(step_id)


@router.get("/steps/{step_id}/logs", response_model=m.LogChunk, tags=["steps"])
def get_logs(
    data: Data, step_id: str, offset: Annotated[int, Query(ge=0, le=1 << 40)] = 0
) -> m.LogChunk:
    """A step's logs from byte ``offset`` (poll with ``next_offset`` to follow them)."""
    return data.logs(step_id, offset)


@router.get("/artifacts/{artifact_id}", response_model=m.ArtifactDetail, tags=["artifacts"])
def get_artifact(data: Data, artifact_id: str) -> m.ArtifactDetail:
    """An artifact: type, size, URI, producer and the step runs that used it."""
    return data.artifact(artifact_id)


@router.get("/artifacts/{artifact_id}/preview", response_model=m.Preview, tags=["artifacts"])
def preview(data: Data, artifact_id: str) -> m.Preview:
    """A preview of the artifact's value by type (pickles are not loaded)."""
    return data.preview(artifact_id)
