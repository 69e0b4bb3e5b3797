"""Base class of materializers: how an object of a type is saved to and loaded from an artifact.

An artifact is a *folder* (``uri``) in the artifact store. A materializer writes
one or more files under it, always through the artifact store's file API
(:meth:`BaseMaterializer.open` wraps ``artifact_store.open``), never through
local paths, so that the same materializer works on local disk, S3 or GCS.

Example:
    >>> import json
    >>> class PointMaterializer(BaseMaterializer):
    ...     ASSOCIATED_TYPES = ("mypkg.geometry.Point",)  # or the class itself
    ...     def save(self, data):
    ...         with self.open("point.json", "w") as f:
    ...             json.dump({"x": data.x, "y": data.y}, f)
    ...     def load(self, data_type):
    ...         with self.open("point.json", "r") as f:
    ...             return data_type(**json.load(f))

Register it with :func:`cairn.materializers.register_materializer`, or use it for
one output with ``@step(materializers={"output": PointMaterializer})``.
"""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from cairn.artifact_stores.base_artifact_store import BaseArtifactStore


def type_source(data_type: type) -> str:
    """The import path (``module:QualName``) of a type, as recorded for artifacts."""
    return f"{data_type.__module__}:{data_type.__qualname__}"


#: Materializer classes defined outside Cairn with ``ASSOCIATED_TYPES``, in definition
#: order; the registry takes them up on its next lookup (see ``MaterializerRegistry``).
DEFINED_MATERIALIZERS: list[type[BaseMaterializer]] = []


class BaseMaterializer(ABC):
    """Saves and loads objects of its ``ASSOCIATED_TYPES`` to and from an artifact folder.

    A subclass that sets ``ASSOCIATED_TYPES`` is used for those types as soon as it
    is defined (as in ZenML); :func:`cairn.materializers.register_materializer`
    and a step's ``materializers=`` still win over it.

    Class attributes:
        ASSOCIATED_TYPES: the types handled; each a class or the dotted name of a
            class (``"numpy.ndarray"``), resolved only once its module is imported,
            so registering a materializer never imports heavy libraries.
        PRIORITY: among materializers registered for the same type, the highest wins.
        AUTO_REGISTER: set it to False for a materializer that is only meant for a
            step's ``materializers=`` (it is then not used for its types by default).

    Args:
        uri: the artifact's folder in the artifact store.
        artifact_store: the store holding the artifact.
    """

    ASSOCIATED_TYPES: ClassVar[tuple[type | str, ...]] = ()
    PRIORITY: ClassVar[int] = 0
    AUTO_REGISTER: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = "ASSOCIATED_TYPES" in cls.__dict__ and cls.ASSOCIATED_TYPES
        if own and not cls.__module__.startswith("cairn.") and not inspect.isabstract(cls):
            DEFINED_MATERIALIZERS.append(cls)

    def __init__(self, uri: str, artifact_store: BaseArtifactStore) -> None:
        self.uri = uri.rstrip("/")
        self.artifact_store = artifact_store
        #: Set by ``write_artifact``: opens a file for writing (``(name, mode) -> file``).
        self.write_hook: Callable[[str, str], IO[Any]] | None = None

    @classmethod
    def source(cls) -> str:
        """Stable import path (``module:Class``) recorded in specs and artifact records."""
        return f"{cls.__module__}:{cls.__qualname__}"

    # ------------------------------------------------------------ helpers for subclasses
    def path(self, name: str) -> str:
        """The store path of a file of this artifact."""
        return f"{self.uri}/{name}"

    def open(self, name: str, mode: str = "rb") -> IO[Any]:
        """Open a file of this artifact through the artifact store.

        While :func:`cairn.materializers.write_artifact` saves, files opened for
        writing are hashed as they are written (``write_hook``).
        """
        hook = self.write_hook
        if hook is not None and any(c in mode for c in "wax"):
            return hook(name, mode)
        return self.artifact_store.open(self.path(name), mode)

    # ------------------------------------------------------------ interface
    @abstractmethod
    def load(self, data_type: type) -> Any:
        """Read the artifact and return an object of ``data_type``."""

    @abstractmethod
    def save(self, data: Any) -> None:
        """Write ``data`` into the artifact folder (which exists and is empty)."""

    def extract_metadata(self, data: Any) -> dict[str, Any]:
        """Small JSON-able facts about ``data`` (shape, dtype, length...) kept with the record."""
        return {}
