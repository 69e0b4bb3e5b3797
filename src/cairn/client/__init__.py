"""Post-execution API: read pipelines, runs, steps and artifacts after they ran."""

from cairn.client.client import Client
from cairn.client.stacks import ComponentSummary, StackSummary
from cairn.client.views import ArtifactView, PipelineView, RunSequence, RunView, StepView

__all__ = [
    "ArtifactView",
    "Client",
    "ComponentSummary",
    "PipelineView",
    "RunSequence",
    "RunView",
    "StackSummary",
    "StepView",
]
