"""``from zenml.artifacts.external_artifact import ExternalArtifact``, after the rename."""

from __future__ import annotations

from cairn.models.artifact_config import ExternalArtifact

__all__ = ["ExternalArtifact"]
