"""Which materializer handles which type: MRO lookup with explicit priority.

Types are keyed by their dotted name (``numpy.ndarray``), so the built-in
materializers for numpy, pandas and pyarrow are registered without importing
those libraries. A name that is not a type's real dotted name (``pandas.DataFrame``
is really ``pandas.core.frame.DataFrame``) is resolved once its top-level module
has been imported by someone else.

Selection for a type ``T``: walk ``T.__mro__`` from ``T`` itself to ``object``;
at the first class that has materializers registered, take the one with the
highest ``PRIORITY``. When no class matches, the cloudpickle fallback is used
and a :class:`PickleFallbackWarning` is issued once per type.
"""

from __future__ import annotations

import importlib
import sys
import threading
import types
import typing
import warnings
from typing import Any

from cairn.exceptions import MaterializerError
from cairn.materializers.base_materializer import BaseMaterializer
from cairn.models.run_records import PICKLE_MATERIALIZER_SOURCE

#: Built-in materializers, by import path (imported on first lookup; they import
#: numpy / pandas / pyarrow only inside their methods).
BUILTIN_MATERIALIZERS: tuple[str, ...] = (
    "cairn.materializers.builtin_materializers:BuiltInMaterializer",
    "cairn.materializers.builtin_materializers:BytesMaterializer",
    "cairn.materializers.numpy_materializer:NumpyMaterializer",
    "cairn.materializers.pandas_materializer:PandasMaterializer",
    "cairn.materializers.pandas_materializer:ArrowTableMaterializer",
    "cairn.materializers.pydantic_materializer:PydanticMaterializer",
)

FALLBACK_SOURCE = PICKLE_MATERIALIZER_SOURCE


class PickleFallbackWarning(UserWarning):
    """No materializer handles a type: its objects are saved with cloudpickle.

    Pickles only load with compatible versions of Python and of the libraries
    involved; register a materializer for the type to avoid this.
    """


def type_name(data_type: type) -> str:
    """The dotted name under which a type is looked up (``numpy.ndarray``)."""
    return f"{data_type.__module__}.{data_type.__qualname__}"


def _import_object(dotted: str) -> Any:
    """Import the longest importable module prefix of ``dotted`` and walk the rest."""
    parts = dotted.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(dotted)


def load_materializer(source: str) -> type[BaseMaterializer]:
    """The materializer class an import path (``module:Class``) names."""
    from cairn.stack.source_utils import load_source

    try:
        cls = load_source(source)
    except (ImportError, Exception) as exc:
        raise MaterializerError(
            f"Cannot import materializer '{source}': {exc}. Install the package that "
            "provides it, or check the import path."
        ) from exc
    if not (isinstance(cls, type) and issubclass(cls, BaseMaterializer)):
        raise MaterializerError(f"'{source}' is not a subclass of BaseMaterializer.")
    return cls


def normalize_type(hint: Any) -> type:
    """A class from a type hint: ``Annotated[T, ...]`` -> T, ``list[int]`` -> list,
    ``T | None`` -> T; ``Any`` and other unions -> ``object``."""
    if hint is typing.Any:
        return object
    origin = typing.get_origin(hint)
    if origin is typing.Annotated:
        return normalize_type(typing.get_args(hint)[0])
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        return normalize_type(args[0]) if len(args) == 1 else object
    if origin is not None and isinstance(origin, type):
        return origin
    return hint if isinstance(hint, type) else object


class MaterializerRegistry:
    """Maps types to materializer classes (see the module docstring for the rules)."""

    def __init__(self, *, take_defined: bool = False) -> None:
        self._take_defined_classes = take_defined
        self._by_name: dict[str, list[type[BaseMaterializer]]] = {}
        self._pending: dict[str, list[type[BaseMaterializer]]] = {}
        self._warned: set[str] = set()
        self._builtins_loaded = False
        self._lock = threading.RLock()
        #: How a class came in: 0 built in, 1 defined (auto), 2 registered by the user.
        self._tier: dict[type[BaseMaterializer], int] = {}
        self._taken = 0

    def register(
        self, cls: type[BaseMaterializer], overwrite: bool = False, *, _tier: int = 2
    ) -> None:
        """Register ``cls`` for each of its ``ASSOCIATED_TYPES``.

        Among the materializers for a type, one registered here wins over one that
        was only defined (a subclass with ``ASSOCIATED_TYPES``), which wins over the
        built-in ones; ``PRIORITY`` decides within each of these tiers.

        Raises:
            MaterializerError: ``cls`` is not a materializer, handles no type, or another
                materializer with the same ``PRIORITY`` handles one of its types (pass
                ``overwrite=True`` to replace it, or give ``cls`` a higher ``PRIORITY``).
        """
        if not (isinstance(cls, type) and issubclass(cls, BaseMaterializer)):
            raise MaterializerError(f"{cls!r} is not a subclass of BaseMaterializer.")
        if not cls.ASSOCIATED_TYPES:
            raise MaterializerError(f"{cls.source()} declares no ASSOCIATED_TYPES.")
        with self._lock:
            self._ensure_builtins()
            self._tier[cls] = max(_tier, self._tier.get(cls, 0))
            for key in cls.ASSOCIATED_TYPES:
                if isinstance(key, str):
                    table = self._by_name if key.startswith("builtins.") else self._pending
                    self._add(table, key, cls, overwrite)
                else:
                    self._add(self._by_name, type_name(key), cls, overwrite)

    def _add(
        self,
        table: dict[str, list[type[BaseMaterializer]]],
        name: str,
        cls: type[BaseMaterializer],
        overwrite: bool,
    ) -> None:
        entries = table.setdefault(name, [])
        auto = self._tier.get(cls, 2) == 1  # defined only: never clashes with registered ones
        clash = [
            c
            for c in entries
            if c.PRIORITY == cls.PRIORITY and c is not cls and (self._tier.get(c, 2) == 1) == auto
        ]
        if clash and not overwrite:
            raise MaterializerError(
                f"{clash[0].source()} already handles '{name}' with priority {cls.PRIORITY}: "
                f"register {cls.source()} with overwrite=True or a higher PRIORITY."
            )
        entries[:] = [c for c in entries if c not in clash and c is not cls] + [cls]

    def _ensure_builtins(self) -> None:
        if self._builtins_loaded:
            return
        self._builtins_loaded = True
        for source in BUILTIN_MATERIALIZERS:
            self.register(load_materializer(source), _tier=0)

    def _take_defined(self) -> None:
        """Add the materializer classes defined since the last lookup (tier 1)."""
        from cairn.materializers.base_materializer import DEFINED_MATERIALIZERS

        if not self._take_defined_classes:
            return
        while self._taken < len(DEFINED_MATERIALIZERS):
            cls = DEFINED_MATERIALIZERS[self._taken]
            self._taken += 1
            if cls not in self._tier and cls.AUTO_REGISTER and _importable(cls):
                self.register(cls, overwrite=True, _tier=1)

    def _resolve_pending(self) -> None:
        for name in list(self._pending):
            if name.partition(".")[0] not in sys.modules:
                continue
            entries = self._pending.pop(name)
            try:
                obj = _import_object(name)
            except (ImportError, AttributeError):
                continue
            real = type_name(obj) if isinstance(obj, type) else name
            self._by_name.setdefault(real, []).extend(entries)

    def lookup(self, data_type: type) -> type[BaseMaterializer] | None:
        """The registered materializer for ``data_type`` (MRO, then priority), or None."""
        with self._lock:
            self._ensure_builtins()
            self._take_defined()
            self._resolve_pending()
            for klass in getattr(data_type, "__mro__", (data_type,)):
                entries = self._by_name.get(type_name(klass))
                if entries:
                    return max(entries, key=lambda c: (self._tier.get(c, 2), c.PRIORITY))
        return None

    def materializer_for(self, hint: Any, *, warn: bool = True) -> type[BaseMaterializer]:
        """The materializer for a type (or type hint); the cloudpickle fallback if none.

        The fallback issues a :class:`PickleFallbackWarning` once per type (not for
        ``object``/``Any``, whose real type is only known when a value is saved).
        """
        data_type = normalize_type(hint)
        found = self.lookup(data_type) if data_type is not object else None
        if found is not None:
            return found
        name = type_name(data_type)
        if warn and data_type is not object and name not in self._warned:
            self._warned.add(name)
            warnings.warn(
                f"No materializer handles {name}: its objects are saved with cloudpickle, "
                "which may not load with other library versions. Register one with "
                "cairn.materializers.register_materializer().",
                PickleFallbackWarning,
                stacklevel=3,
            )
        return load_materializer(FALLBACK_SOURCE)


def _importable(cls: type) -> bool:
    """Whether ``cls`` can be found again by its import path (not local, not dynamic)."""
    module = sys.modules.get(cls.__module__)
    return "<locals>" not in cls.__qualname__ and getattr(module, cls.__qualname__, None) is cls


_REGISTRY = MaterializerRegistry(take_defined=True)


def default_registry() -> MaterializerRegistry:
    """The process-wide materializer registry."""
    return _REGISTRY


def register_materializer(cls: type[BaseMaterializer], overwrite: bool = False) -> None:
    """Register a materializer for its ``ASSOCIATED_TYPES`` in the process-wide registry."""
    _REGISTRY.register(cls, overwrite=overwrite)


def materializer_for(data_type: Any, *, warn: bool = True) -> type[BaseMaterializer]:
    """The materializer for a type in the process-wide registry (see
    :meth:`MaterializerRegistry.materializer_for`)."""
    return _REGISTRY.materializer_for(data_type, warn=warn)
