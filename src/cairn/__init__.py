"""Cairn: ML pipelines on a stack of pluggable infrastructure.

Public names are imported on first use so that ``import cairn`` (and the CLI)
stays fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from cairn.client import Client
    from cairn.execution.artifact_versions import ArtifactVersion, load_artifact, save_artifact
    from cairn.execution.hooks import get_hook_context
    from cairn.execution.model import Model
    from cairn.execution.step_context import get_step_context, log_metadata
    from cairn.models.artifact_config import ArtifactConfig, ExternalArtifact, LazyArtifact
    from cairn.models.schedule import Schedule
    from cairn.pipelines import pipeline
    from cairn.pipelines.pipeline_context import get_pipeline_context
    from cairn.stack import Stack, StackComponent, StackRegistry
    from cairn.steps import step

_EXPORTS: dict[str, str] = {
    "ArtifactConfig": "cairn.models.artifact_config",
    "ArtifactVersion": "cairn.execution.artifact_versions",
    "Client": "cairn.client",
    "ExternalArtifact": "cairn.models.artifact_config",
    "LazyArtifact": "cairn.models.artifact_config",
    "Model": "cairn.execution.model",
    "Schedule": "cairn.models.schedule",
    "Stack": "cairn.stack",
    "StackComponent": "cairn.stack",
    "StackRegistry": "cairn.stack",
    "get_hook_context": "cairn.execution.hooks",
    "get_pipeline_context": "cairn.pipelines.pipeline_context",
    "get_step_context": "cairn.execution.step_context",
    "load_artifact": "cairn.execution.artifact_versions",
    "log_metadata": "cairn.execution.step_context",
    "pipeline": "cairn.pipelines",
    "save_artifact": "cairn.execution.artifact_versions",
    "step": "cairn.steps",
}

__all__ = [
    "ArtifactConfig",
    "ArtifactVersion",
    "Client",
    "ExternalArtifact",
    "LazyArtifact",
    "Model",
    "Schedule",
    "Stack",
    "StackComponent",
    "StackRegistry",
    "__version__",
    "get_hook_context",
    "get_pipeline_context",
    "get_step_context",
    "load_artifact",
    "log_metadata",
    "pipeline",
    "save_artifact",
    "step",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'cairn' has no attribute {name!r}")
    return getattr(import_module(module), name)


def __dir__() -> list[str]:
    return sorted(__all__)
