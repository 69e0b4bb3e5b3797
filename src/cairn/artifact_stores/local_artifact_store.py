"""The ``local`` artifact store: a folder on this machine."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from cairn.artifact_stores.base_artifact_store import BaseArtifactStore

if TYPE_CHECKING:
    from fsspec import AbstractFileSystem


class LocalArtifactStore(BaseArtifactStore):
    """Artifact Store for local artifacts."""

    # Class configuration
    FLAVOR: ClassVar[str] = "local"
    SUPPORTED_SCHEMES: ClassVar[set[str]] = {""}

    def _make_filesystem(self) -> AbstractFileSystem:
        from fsspec.implementations.local import LocalFileSystem

        return LocalFileSystem(auto_mkdir=True)

    @property
    def is_provisioned(self) -> bool:
        return Path(self.path).expanduser().is_dir()

    def provision(self) -> None:
        Path(self.path).expanduser().mkdir(parents=True, exist_ok=True)

    def deprovision(self) -> None:
        """Keeps the folder: artifacts are the user's data, never deleted implicitly."""
