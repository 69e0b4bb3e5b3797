"""The ``local`` artifact store: a folder on this machine."""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, ClassVar

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

    def open(self, path: str, mode: str = "rb", **kwargs: Any) -> IO[Any]:
        """Reads open the file directly (what fsspec's local filesystem does too, less its
        layers: a step's input is read without importing fsspec); the rest goes to fsspec."""
        direct = (
            mode in ("rb", "r")
            and not kwargs
            and "://" not in path
            and type(self)._make_filesystem is LocalArtifactStore._make_filesystem
        )
        if direct:
            return open(path, mode)
        return super().open(path, mode, **kwargs)

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
