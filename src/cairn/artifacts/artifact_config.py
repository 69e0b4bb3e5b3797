"""``from zenml.artifacts.artifact_config import ArtifactConfig``, after the rename."""

from __future__ import annotations

from cairn.models.artifact_config import ArtifactConfig

__all__ = ["ArtifactConfig"]
