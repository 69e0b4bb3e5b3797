"""Base class of artifact stores: a filesystem rooted at ``path``.

Flavors implement one primitive, :meth:`BaseArtifactStore._make_filesystem`,
returning an fsspec filesystem; every file operation of the public API goes
through it, so materializers work unchanged on local disk, S3, GCS or Azure.
Paths given to the file API are full paths (build them with :meth:`join`).

Example:
    >>> from typing import ClassVar
    >>> class MyCustomArtifactStore(BaseArtifactStore):
    ...     FLAVOR: ClassVar[str] = "custom"
    ...     SUPPORTED_SCHEMES: ClassVar[set[str]] = {"custom://"}
    ...
    ...     def _make_filesystem(self):  # an fsspec filesystem serving custom://
    ...         ...
"""

from __future__ import annotations

import inspect
from abc import abstractmethod
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any, ClassVar

from pydantic import PrivateAttr, field_validator

from cairn.enums import StackComponentType
from cairn.stack.stack_component import StackComponent

if TYPE_CHECKING:
    from fsspec import AbstractFileSystem


def check_scheme(path: str, schemes: set[str]) -> str:
    """Return ``path`` if it starts with one of ``schemes`` (``""`` = a local path).

    Raises:
        ValueError: naming the schemes the flavor supports.
    """
    if "" in schemes and "://" not in path:
        return path
    if any(s and path.startswith(s) for s in schemes):
        return path
    shown = " or ".join(sorted(repr(s) if s else "a local path" for s in schemes))
    raise ValueError(f"path {path!r} is not supported by this flavor: use {shown}")


class BaseArtifactStore(StackComponent):
    """Abstract class for all Cairn artifact stores.

    Attributes:
        path: the root of the store, e.g. ``/data/artifacts`` or ``s3://bucket/cairn``;
            it must start with one of the flavor's ``SUPPORTED_SCHEMES`` (``""`` stands
            for a local path).
    """

    # Instance configuration
    path: str

    # Class parameters
    TYPE: ClassVar[StackComponentType] = StackComponentType.ARTIFACT_STORE
    SUPPORTED_SCHEMES: ClassVar[set[str]]

    _fs: Any = PrivateAttr(default=None)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if inspect.isabstract(cls):
            return
        schemes = getattr(cls, "SUPPORTED_SCHEMES", None)
        if not isinstance(schemes, set | frozenset) or not schemes:
            raise TypeError(
                f"Artifact store class {cls.__module__}.{cls.__qualname__} must define "
                f"SUPPORTED_SCHEMES: ClassVar[set[str]] (e.g. {{'s3://'}}, or {{''}} for local)."
            )

    @field_validator("path")
    @classmethod
    def _check_scheme(cls, value: str) -> str:
        return check_scheme(value, getattr(cls, "SUPPORTED_SCHEMES", None) or {""})

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
        """Open a file of the store (parent folders are created when writing)."""
        return self.filesystem.open(path, mode, **kwargs)  # type: ignore[no-any-return]

    def exists(self, path: str) -> bool:
        """Whether a file or folder exists."""
        return bool(self.filesystem.exists(path))

    def isdir(self, path: str) -> bool:
        """Whether ``path`` is a folder."""
        return bool(self.filesystem.isdir(path))

    def makedirs(self, path: str, exist_ok: bool = True) -> None:
        """Create a folder and its parents."""
        self.filesystem.makedirs(path, exist_ok=exist_ok)

    def listdir(self, path: str) -> list[str]:
        """Names (not full paths) of the entries of a folder, sorted."""
        entries = self.filesystem.ls(path, detail=False)
        return sorted(str(e).rstrip("/").rsplit("/", 1)[-1] for e in entries)

    def remove(self, path: str) -> None:
        """Delete one file."""
        self.filesystem.rm_file(path)

    def rename(self, src: str, dst: str, overwrite: bool = False) -> None:
        """Move a file or folder to ``dst``.

        Raises:
            FileExistsError: ``dst`` exists and ``overwrite`` is false, or ``dst`` is a
                folder (a folder is never replaced implicitly).
        """
        if self.exists(dst) and (not overwrite or self.isdir(dst)):
            raise FileExistsError(
                f"{dst} exists; pass overwrite=True to replace a file, remove a folder first."
            )
        self._rename(src, dst)

    def _rename(self, src: str, dst: str) -> None:
        """Move ``src`` to ``dst`` (a file at ``dst`` is replaced); atomic where possible."""
        self.filesystem.mv(src, dst, recursive=True)

    def rmtree(self, path: str) -> None:
        """Delete a folder and everything in it."""
        self.filesystem.rm(path, recursive=True)

    def _with_scheme(self, path: str) -> str:
        """Give a path returned by the filesystem the store's scheme back (``s3://...``)."""
        scheme, sep, _ = self.path.partition("://")
        if not sep or "://" in path:
            return path
        return f"{scheme}://{path.lstrip('/')}"

    def glob(self, pattern: str) -> list[str]:
        """Paths matching a glob pattern, sorted (with the store's scheme, like :meth:`join`)."""
        return sorted(self._with_scheme(str(p)) for p in self.filesystem.glob(pattern))

    def stat(self, path: str) -> dict[str, Any]:
        """Information about a file or folder (at least ``name``, ``size`` and ``type``)."""
        return dict(self.filesystem.info(path))

    def size(self, path: str) -> int:
        """Size of a file in bytes."""
        return int(self.filesystem.size(path))

    def walk(self, path: str) -> Iterator[tuple[str, list[str], list[str]]]:
        """Like ``os.walk``: ``(folder, sub-folder names, file names)`` top-down."""
        for root, dirs, files in self.filesystem.walk(path):
            yield self._with_scheme(str(root)), list(dirs), list(files)

    def copyfile(self, src: str, dst: str, overwrite: bool = False) -> None:
        """Copy one file.

        Raises:
            FileExistsError: ``dst`` exists and ``overwrite`` is false.
        """
        if not overwrite and self.exists(dst):
            raise FileExistsError(f"{dst} exists; pass overwrite=True to replace it.")
        self.filesystem.copy(src, dst)
