"""The ``local`` artifact store: a folder on this machine."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from pydantic import field_validator

from cairn.artifact_stores.base_artifact_store import BaseArtifactStore
from cairn.stack.stack_component import check_creatable

if TYPE_CHECKING:
    from fsspec import AbstractFileSystem


class LocalArtifactStore(BaseArtifactStore):
    """Artifact Store for local artifacts.

    A relative path or one starting with ``~`` is made absolute when the
    component is validated, so the store means the same folder from anywhere.
    """

    # Class configuration
    FLAVOR: ClassVar[str] = "local"
    SUPPORTED_SCHEMES: ClassVar[set[str]] = {""}

    @field_validator("path")
    @classmethod
    def _absolute(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("path must not be empty")
        return str(Path(value).expanduser().resolve())

    def check_local_paths(self) -> None:
        check_creatable(Path(self.path), "artifact store folder")

    def _make_filesystem(self) -> AbstractFileSystem:
        from fsspec.implementations.local import LocalFileSystem

        return LocalFileSystem(auto_mkdir=True)

    def _rename(self, src: str, dst: str) -> None:
        Path(dst).parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, dst)  # atomic on one filesystem; replaces a file at dst

    @property
    def is_provisioned(self) -> bool:
        return Path(self.path).is_dir()

    def provision(self) -> None:
        """Creates the store's folder."""
        Path(self.path).mkdir(parents=True, exist_ok=True)

    def deprovision(self) -> None:
        """Keeps the folder: artifacts are the user's data, never deleted implicitly."""
