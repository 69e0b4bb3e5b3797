"""Fixtures of the stack tests: a private registry store and importable scratch modules."""

from __future__ import annotations

import importlib
import sys
import textwrap
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cairn.store.registry_store import SQLiteRegistryStore

MakeModule = Callable[..., str]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteRegistryStore]:
    with SQLiteRegistryStore(tmp_path / "registry.db", tmp_path / "local_stores") as opened:
        yield opened


@pytest.fixture(autouse=True)
def restore_imports(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Undo the sys.path entries a test adds and forget modules it imported from tmp folders."""
    path, modules = list(sys.path), set(sys.modules)
    base = str(tmp_path_factory.getbasetemp())
    yield
    sys.path[:] = path
    for name in set(sys.modules) - modules:
        file = getattr(sys.modules[name], "__file__", None) or ""
        if file.startswith(base):
            del sys.modules[name]
    importlib.invalidate_caches()


@pytest.fixture
def make_module(tmp_path: Path) -> MakeModule:
    """Write a module into the working folder (the source root); return its unique name."""

    def make(source: str, folder: Path | None = None, name: str | None = None) -> str:
        name = name or f"scratch_{uuid.uuid4().hex[:10]}"
        target = folder or Path.cwd()
        target.mkdir(parents=True, exist_ok=True)
        (target / f"{name}.py").write_text(textwrap.dedent(source), encoding="utf-8")
        importlib.invalidate_caches()
        return name

    return make


CUSTOM_STORE = """
from typing import ClassVar
from cairn.artifact_stores import BaseArtifactStore

class MyCustomArtifactStore(BaseArtifactStore):
    FLAVOR: ClassVar[str] = "custom"
    SUPPORTED_SCHEMES: ClassVar[set[str]] = {"custom://"}

    def _make_filesystem(self):
        from fsspec.implementations.memory import MemoryFileSystem
        return MemoryFileSystem()
"""


@pytest.fixture
def custom_store_module(make_module: MakeModule) -> str:
    """A module in the source root defining ``MyCustomArtifactStore`` (flavor ``custom``)."""
    return make_module(CUSTOM_STORE)


@pytest.fixture
def custom_store_source() -> str:
    """The source of a module defining ``MyCustomArtifactStore`` (flavor ``custom``)."""
    return CUSTOM_STORE
