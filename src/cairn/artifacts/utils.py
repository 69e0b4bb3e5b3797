"""``from zenml.artifacts.utils import save_artifact, load_artifact``, after the rename."""

from __future__ import annotations

from cairn.execution.artifact_versions import load_artifact, save_artifact

__all__ = ["load_artifact", "save_artifact"]
