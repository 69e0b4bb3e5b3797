"""Steps: ``@step`` turns a typed function into a pipeline step."""

from cairn.execution.step_context import StepContext, get_step_context, log_metadata
from cairn.steps.base_step import BaseStep, step
from cairn.steps.tracing import OutputHandle, StepOutputs

__all__ = [
    "BaseStep",
    "OutputHandle",
    "StepContext",
    "StepOutputs",
    "get_step_context",
    "log_metadata",
    "step",
]
