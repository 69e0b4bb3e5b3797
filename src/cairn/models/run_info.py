"""What a component's run hooks are told: which run, which step, which attempt."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PipelineRunInfo:
    """The run a hook is called for.

    Attributes:
        run_id: the run's id in the metadata store.
        run_name: the run's name.
        pipeline_name: the pipeline's name.
        stack_name: the stack the run uses.
    """

    run_id: str
    run_name: str
    pipeline_name: str
    stack_name: str = ""


@dataclass(frozen=True)
class StepRunInfo(PipelineRunInfo):
    """The step run a hook is called for (``attempt`` counts from 1 across retries).

    Attributes:
        step_name: the step's name in the pipeline.
        step_run_id: the step run's id in the metadata store.
        attempt: which attempt of the step this is (1 for the first).
    """

    step_name: str = ""
    step_run_id: str = ""
    attempt: int = 1


__all__ = ["PipelineRunInfo", "StepRunInfo"]
