"""The public surface: every ``__all__`` is sorted, unique and resolves (httpx-style)."""

from __future__ import annotations

import importlib
import pkgutil
import re
import subprocess
import sys
from types import ModuleType

import pytest

import cairn

#: Integrations need their extras; they are checked by their own tests.
SKIP_PREFIXES = ("cairn.integrations.",)


def public_modules() -> list[str]:
    names = ["cairn"]
    for info in pkgutil.walk_packages(cairn.__path__, prefix="cairn."):
        alembic = ".migrations." in info.name or "_migrations." in info.name  # run by Alembic
        if not info.name.startswith(SKIP_PREFIXES) and not alembic:
            names.append(info.name)
    return sorted(names)


def isort_key(name: str) -> tuple[int, list[object]]:
    """Ruff's RUF022 order: SCREAMING_CASE, then CamelCase, then the rest; natural within."""
    group = 0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2
    natural = [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name)]
    return group, natural


def exported(module: ModuleType) -> list[str] | None:
    names = getattr(module, "__all__", None)
    return None if names is None else list(names)


@pytest.mark.parametrize("module_name", public_modules())
def test_all_is_sorted_unique_and_resolves(module_name: str) -> None:
    module = importlib.import_module(module_name)
    names = exported(module)
    if names is None:
        return
    assert names == sorted(names, key=isort_key), f"{module_name}.__all__ is not sorted"
    assert len(names) == len(set(names)), f"{module_name}.__all__ has duplicates"
    for name in names:
        assert not name.startswith("_") or (name.startswith("__") and name.endswith("__"))
        assert getattr(module, name) is not None, f"{module_name}.{name} does not resolve"


@pytest.mark.parametrize("module_name", ["cairn", "cairn.stack"])
def test_lazy_packages_list_exactly_their_exports(module_name: str) -> None:
    module = importlib.import_module(module_name)
    public = [n for n in dir(module) if not n.startswith("_") or n == "__version__"]
    assert sorted(public) == sorted(exported(module) or [])
    with pytest.raises(AttributeError):
        module.no_such_name_xyz  # noqa: B018


def test_exported_classes_come_from_cairn() -> None:
    for module_name in public_modules():
        module = importlib.import_module(module_name)
        for name in exported(module) or []:
            value = getattr(module, name)
            origin = getattr(value, "__module__", None)
            if isinstance(value, type) and origin is not None:
                assert origin.startswith("cairn"), f"{module_name}.{name} comes from {origin}"


def test_spec_import_paths() -> None:
    from cairn.artifact_stores import BaseArtifactStore, LocalArtifactStore
    from cairn.enums import StackComponentType
    from cairn.stack import StackComponent

    assert issubclass(LocalArtifactStore, BaseArtifactStore)
    assert issubclass(BaseArtifactStore, StackComponent)
    assert BaseArtifactStore.TYPE is StackComponentType.ARTIFACT_STORE


def test_importing_cairn_and_its_testing_suites_stays_light() -> None:
    code = (
        "import sys, cairn, cairn.stack, cairn.testing\n"
        "print(sorted(m for m in ('pytest', 'sqlalchemy', 'pandas', 'numpy', 'fsspec', 'pyarrow')"
        " if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "[]"
