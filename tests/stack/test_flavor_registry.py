"""The flavor registry: built-in, integration and custom flavors."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from cairn.artifact_stores import LocalArtifactStore
from cairn.enums import StackComponentType as T
from cairn.exceptions import EntityExistsError, FlavorError, IntegrationError
from cairn.stack import flavor_catalog
from cairn.stack.flavor_catalog import BASE_CLASSES, CatalogEntry, catalog
from cairn.stack.flavor_registry import (
    base_class,
    get_flavor_class,
    list_flavors,
    register_custom_flavor,
    validate_flavor_class,
)
from cairn.store.registry_store import SQLiteRegistryStore

MakeModule = Callable[..., str]

STORE_HEADER = """
from typing import ClassVar
from cairn.artifact_stores import BaseArtifactStore, LocalArtifactStore
from cairn.orchestrators.local_orchestrator import LocalOrchestrator
"""


# ---------------------------------------------------------------- catalog
def test_every_type_has_an_importable_base_class() -> None:
    assert set(BASE_CLASSES) == set(T)
    for component_type in T:
        assert base_class(component_type).TYPE is component_type


def test_builtin_flavors_import_and_validate(store: SQLiteRegistryStore) -> None:
    for entry in catalog():
        if entry.integration is None:
            cls = get_flavor_class(store, entry.type, entry.name)
            assert (entry.type, entry.name) == (cls.TYPE, cls.FLAVOR)


def test_catalog_entries_are_unique_and_integrations_have_hints() -> None:
    keys = [(e.type, e.name) for e in catalog()]
    assert len(keys) == len(set(keys))
    for entry in catalog():
        if entry.integration:
            assert entry.install_hint == f"pip install 'cairn[{entry.integration}]'"
            assert entry.modules


def test_list_flavors_by_type(store: SQLiteRegistryStore) -> None:
    infos = list_flavors(store, T.ARTIFACT_STORE)
    assert [(i.name, i.origin) for i in infos][:2] == [("local", "builtin"), ("s3", "integration")]
    assert infos[0].usable
    assert {i.type for i in list_flavors(store)} >= {T.ORCHESTRATOR, T.METADATA_STORE}
    assert infos[0].as_dict()["type"] == "artifact_store"


def test_list_flavors_imports_no_flavor_and_no_heavy_module(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from cairn.stack.flavor_registry import list_flavors\n"
        "from cairn.store.registry_store import SQLiteRegistryStore\n"
        f"store = SQLiteRegistryStore(Path({str(tmp_path / 'r.db')!r}), Path({str(tmp_path)!r}))\n"
        "assert len(list_flavors(store)) >= 6\n"
        "heavy = ('mlflow', 'sqlalchemy', 'pandas', 'numpy', 'fsspec', 'pyarrow', 'pydantic',\n"
        "         'cairn.integrations', 'cairn.artifact_stores', 'cairn.orchestrators')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "[]"


def test_integration_missing_is_listed_with_install_hint(
    store: SQLiteRegistryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = CatalogEntry(T.FEATURE_STORE, "fake", "no_such_module_xyz.store:FakeStore",
                         "fakeint", ("no_such_module_xyz",))  # fmt: skip
    monkeypatch.setattr(flavor_catalog, "INTEGRATION_FLAVORS", (entry,))
    (info,) = list_flavors(store, T.FEATURE_STORE)
    assert (info.origin, info.integration, info.usable) == ("integration", "fakeint", False)
    assert info.problem == "needs no_such_module_xyz: pip install 'cairn[fakeint]'"
    with pytest.raises(IntegrationError, match=r"pip install 'cairn\[fakeint\]'"):
        get_flavor_class(store, T.FEATURE_STORE, "fake")


def test_unknown_flavor_lists_the_available_ones(store: SQLiteRegistryStore) -> None:
    with pytest.raises(FlavorError) as info:
        get_flavor_class(store, T.ARTIFACT_STORE, "s4")
    message = str(info.value)
    assert "No artifact-store flavor named 's4'. Available: azure, gcp, local, s3" in message
    assert "cairn artifact-store flavor list" in message


# ---------------------------------------------------------------- custom flavors
def test_register_custom_flavor(store: SQLiteRegistryStore, custom_store_module: str) -> None:
    info = register_custom_flavor(
        store, T.ARTIFACT_STORE, f"{custom_store_module}.MyCustomArtifactStore"
    )
    assert (info.name, info.origin) == ("custom", "custom")
    assert info.source == f"{custom_store_module}:MyCustomArtifactStore"
    listed = {i.name: i for i in list_flavors(store, T.ARTIFACT_STORE)}
    assert listed["custom"].usable and listed["custom"].origin == "custom"
    cls = get_flavor_class(store, T.ARTIFACT_STORE, "custom")
    assert cls(name="c", path="custom://bucket").path == "custom://bucket"


def test_custom_flavor_registered_twice_needs_overwrite(
    store: SQLiteRegistryStore, custom_store_module: str
) -> None:
    source = f"{custom_store_module}:MyCustomArtifactStore"
    register_custom_flavor(store, T.ARTIFACT_STORE, source)
    with pytest.raises(EntityExistsError, match="--overwrite"):
        register_custom_flavor(store, T.ARTIFACT_STORE, source)
    register_custom_flavor(store, T.ARTIFACT_STORE, source, overwrite=True)
    assert len(store.list_flavors()) == 1


def test_custom_flavor_importable_from_the_repository_root(
    store: SQLiteRegistryStore, make_module: MakeModule, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, custom_store_source: str,
) -> None:  # fmt: skip
    from cairn.config import Repository

    root = tmp_path / "project"
    Repository.initialize(root)
    name = make_module(custom_store_source, folder=root / "flavors", name="my_flavors")
    (root / "flavors" / "__init__.py").write_text("")
    sub = root / "deep" / "inside"
    sub.mkdir(parents=True)
    monkeypatch.chdir(sub)
    info = register_custom_flavor(store, T.ARTIFACT_STORE, f"flavors.{name}.MyCustomArtifactStore")
    assert info.source == "flavors.my_flavors:MyCustomArtifactStore"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("class Wrong(LocalOrchestrator):\n    FLAVOR: ClassVar[str] = 'wrong'\n",
         "not a flavor of type artifact-store: subclass cairn.artifact_stores.BaseArtifactStore"),
        ("class Wrong:\n    FLAVOR = 'plain'\n", "is not a StackComponent subclass"),
        ("Wrong = 42\n", "is not a StackComponent subclass"),
        ("class Wrong(BaseArtifactStore):\n    SUPPORTED_SCHEMES: ClassVar[set[str]] = {''}\n",
         "must define FLAVOR"),
        ("class Wrong(BaseArtifactStore):\n    FLAVOR: ClassVar[str] = 'abs'\n"
         "    SUPPORTED_SCHEMES: ClassVar[set[str]] = {''}\n",
         "is abstract: implement _make_filesystem"),
        ("class Wrong(LocalArtifactStore):\n    pass\n",
         "'local' is already a built-in artifact-store flavor"),
        ("class Wrong(BaseArtifactStore):\n    SUPPORTED_SCHEMES: ClassVar[set[str]] = {''}\n"
         "    def _make_filesystem(self): ...\n",
         "Importing .* failed: TypeError: .* must define the class variable\\(s\\) FLAVOR"),
        ("def make():\n    class Wrong(LocalArtifactStore):\n        FLAVOR: ClassVar[str] = 'in'\n"
         "    return Wrong\nWrong = make()\n", "defined inside a function"),
        ("raise RuntimeError('module is broken')\nWrong = 1\n",
         "Importing .* failed: RuntimeError: module is broken"),
        ("def broken(:\n", "Importing .* failed: SyntaxError"),
    ],
)  # fmt: skip
def test_invalid_custom_flavors_are_refused_and_nothing_is_stored(
    store: SQLiteRegistryStore, make_module: MakeModule, body: str, message: str
) -> None:
    module = make_module(STORE_HEADER + body)
    with pytest.raises((FlavorError, EntityExistsError), match=message):
        register_custom_flavor(store, T.ARTIFACT_STORE, f"{module}.Wrong")
    assert store.list_flavors() == []


def test_missing_module_or_class_is_explained(
    store: SQLiteRegistryStore, custom_store_module: str
) -> None:
    with pytest.raises(FlavorError, match=r"Cannot import 'nowhere_xyz.Cls'.*cairn init"):
        register_custom_flavor(store, T.ARTIFACT_STORE, "nowhere_xyz.Cls")
    with pytest.raises(FlavorError, match="has no attribute 'Nope'"):
        register_custom_flavor(store, T.ARTIFACT_STORE, f"{custom_store_module}.Nope")
    with pytest.raises(FlavorError, match="not an import path"):
        register_custom_flavor(store, T.ARTIFACT_STORE, "JustAName")
    assert store.list_flavors() == []


def test_nested_class_is_registered_by_qualified_name(
    store: SQLiteRegistryStore, make_module: MakeModule
) -> None:
    module = make_module(
        STORE_HEADER + "class Outer:\n    class Inner(LocalArtifactStore):\n"
        "        FLAVOR: ClassVar[str] = 'inner'\nInner = Outer.Inner\n"
    )
    info = register_custom_flavor(store, T.ARTIFACT_STORE, f"{module}.Inner")
    assert info.source == f"{module}:Outer.Inner"
    assert get_flavor_class(store, T.ARTIFACT_STORE, "inner").__qualname__ == "Outer.Inner"


def test_custom_flavor_whose_module_vanished_is_listed_unusable(
    store: SQLiteRegistryStore, custom_store_module: str
) -> None:
    register_custom_flavor(store, T.ARTIFACT_STORE, f"{custom_store_module}.MyCustomArtifactStore")
    (Path.cwd() / f"{custom_store_module}.py").unlink()
    del sys.modules[custom_store_module]
    import importlib

    importlib.invalidate_caches()
    info = next(i for i in list_flavors(store, T.ARTIFACT_STORE) if i.name == "custom")
    assert not info.usable and "cannot be found" in (info.problem or "")
    with pytest.raises(FlavorError, match="Cannot import"):
        get_flavor_class(store, T.ARTIFACT_STORE, "custom")


def test_validate_flavor_class_checks_the_registered_name() -> None:
    assert validate_flavor_class(LocalArtifactStore, T.ARTIFACT_STORE, "local")
    with pytest.raises(FlavorError, match="declares FLAVOR 'local' but is registered as 'x'"):
        validate_flavor_class(LocalArtifactStore, T.ARTIFACT_STORE, "x")
