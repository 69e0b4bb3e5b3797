"""Artifact stores: where the artifacts of pipeline runs are stored."""

from cairn.artifact_stores.base_artifact_store import BaseArtifactStore
from cairn.artifact_stores.local_artifact_store import LocalArtifactStore

__all__ = ["BaseArtifactStore", "LocalArtifactStore"]
