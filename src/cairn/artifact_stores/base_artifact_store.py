"""Base class of artifact stores: a filesystem rooted at ``path``.

Flavors implement one primitive, :meth:`BaseArtifactStore._make_filesystem`,
returning an fsspec filesystem; every file operation of the public API goes
through it, so materializers work unchanged on local disk, S3, GCS or Azure.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any, ClassVar

from pydantic import PrivateAttr, field_validator

from cairn.enums import StackComponentType
from cairn.stack.stack_component import StackComponent

if TYPE_CHECKING:
    from fsspec import AbstractFileSystem


class BaseArtifactStore(StackComponent):
    """Abstract class for all Cairn artifact stores."""

    # Instance configuration
    path: str

    # Class parameters
    TYPE: ClassVar[StackComponentType] = StackComponentType.ARTIFACT_STORE
    SUPPORTED_SCHEMES: ClassVar[set[str]]

    _fs: Any = PrivateAttr(default=None)

    @field_validator("path")
    @classmethod
    def _check_scheme(cls, value: str) -> str:
        schemes = getattr(cls, "SUPPORTED_SCHEMES", None)
        if not schemes:
            return value
        if "" in schemes and "://" not in value:
            return value
        if not any(s and value.startswith(s) for s in schemes):
            shown = ", ".join(repr(s) if s else "a local path" for s in sorted(schemes))
            raise ValueError(
                f"path {value!r} is not supported by this flavor; it must start with {shown}"
            )
        return value

    @abstractmethod
    def _make_filesystem(self) -> AbstractFileSystem:
        """Return the fsspec filesystem that serves ``path``."""

    @property
    def filesystem(self) -> AbstractFileSystem:
        """The fsspec filesystem behind this store (created on first use)."""
        if self._fs is None:
            self._fs = self._make_filesystem()
        return self._fs

    def join(self, *parts: str) -> str:
        """Join path segments under the store's root (``/`` separated)."""
        root = self.path.rstrip("/")
        rest = "/".join(p.strip("/") for p in parts if p)
        return f"{root}/{rest}" if rest else root

    # ------------------------------------------------------------ file API
    def open(self, path: str, mode: str = "rb", **kwargs: Any) -> IO[Any]:
        """Open a file of the store."""
        return self.filesystem.open(path, mode, **kwargs)  # type: ignore[no-any-return]

    def exists(self, path: str) -> bool:
        return bool(self.filesystem.exists(path))

    def isdir(self, path: str) -> bool:
        return bool(self.filesystem.isdir(path))

    def makedirs(self, path: str, exist_ok: bool = True) -> None:
        self.filesystem.makedirs(path, exist_ok=exist_ok)

    def listdir(self, path: str) -> list[str]:
        """Names (not full paths) of the entries of a folder."""
        entries = self.filesystem.ls(path, detail=False)
        return sorted(str(e).rstrip("/").rsplit("/", 1)[-1] for e in entries)

    def remove(self, path: str) -> None:
        self.filesystem.rm_file(path)

    def rename(self, src: str, dst: str) -> None:
        self.filesystem.mv(src, dst, recursive=True)

    def rmtree(self, path: str) -> None:
        self.filesystem.rm(path, recursive=True)

    def glob(self, pattern: str) -> list[str]:
        return sorted(str(p) for p in self.filesystem.glob(pattern))

    def stat(self, path: str) -> dict[str, Any]:
        return dict(self.filesystem.info(path))

    def size(self, path: str) -> int:
        return int(self.filesystem.size(path))

    def walk(self, path: str) -> Iterator[tuple[str, list[str], list[str]]]:
        for root, dirs, files in self.filesystem.walk(path):
            yield str(root), list(dirs), list(files)

    def copyfile(self, src: str, dst: str, overwrite: bool = False) -> None:
        if not overwrite and self.exists(dst):
            raise FileExistsError(f"{dst} exists; pass overwrite=True to replace it.")
        self.filesystem.copy(src, dst)
