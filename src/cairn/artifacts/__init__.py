"""Artifacts by name and version (ZenML's ``zenml.artifacts``, after the rename)."""

from __future__ import annotations

from cairn.execution.artifact_versions import (
    ArtifactVersion,
    get_artifact_version,
    load_artifact,
    save_artifact,
)
from cairn.models.artifact_config import ArtifactConfig, ExternalArtifact, LazyArtifact

__all__ = [
    "ArtifactConfig",
    "ArtifactVersion",
    "ExternalArtifact",
    "LazyArtifact",
    "get_artifact_version",
    "load_artifact",
    "save_artifact",
]
