"""Import paths: `package.module.Class` and `package.module:Outer.Inner`."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from cairn.config import Repository
from cairn.exceptions import FlavorError
from cairn.stack.source_utils import ensure_source_root, load_source, split_source


@pytest.mark.parametrize(
    ("source", "parts"),
    [
        ("a.b.C", ("a.b", "C")),
        ("a.b:C", ("a.b", "C")),
        ("a:Outer.Inner", ("a", "Outer.Inner")),
    ],
)
def test_split_source(source: str, parts: tuple[str, str]) -> None:
    assert split_source(source) == parts


@pytest.mark.parametrize("source", ["C", ".C", "a.", "a:", ":C"])
def test_split_source_rejects_non_paths(source: str) -> None:
    with pytest.raises(FlavorError, match=r"package\.module\.ClassName"):
        split_source(source)


def test_load_source_objects_and_nested_attributes() -> None:
    from cairn.artifact_stores import LocalArtifactStore

    assert load_source("cairn.artifact_stores.LocalArtifactStore") is LocalArtifactStore
    assert load_source("cairn.artifact_stores:LocalArtifactStore.FLAVOR") == "local"
    with pytest.raises(FlavorError, match="has no attribute 'Missing'"):
        load_source("cairn.artifact_stores:Missing")
    with pytest.raises(ModuleNotFoundError):
        load_source("no_such_package_xyz.Cls")


def test_source_root_is_the_repository_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_module: Callable[..., str]
) -> None:
    repo = Repository.initialize(tmp_path / "project")
    module = make_module("VALUE = 42\n", folder=repo.root)
    inner = repo.root / "src" / "deep"
    inner.mkdir(parents=True)
    monkeypatch.chdir(inner)
    ensure_source_root()
    ensure_source_root()
    assert sys.path.count(str(repo.root)) == 1
    assert load_source(f"{module}.VALUE") == 42


def test_source_root_outside_a_repository_is_the_working_folder(
    make_module: Callable[..., str],
) -> None:
    module = make_module("VALUE = 'here'\n")
    assert load_source(f"{module}:VALUE") == "here"
    assert str(Path.cwd()) in sys.path
