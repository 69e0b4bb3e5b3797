"""The local artifact store: the conformance suite plus local specifics."""

from __future__ import annotations

from pathlib import Path

import pytest

from cairn.artifact_stores import LocalArtifactStore
from cairn.testing import ArtifactStoreConformance


class TestLocalArtifactStoreConformance(ArtifactStoreConformance):
    def make_store(self) -> LocalArtifactStore:
        return LocalArtifactStore(name="conformance", path=self.temporary_directory())


def test_relative_path_is_made_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    store = LocalArtifactStore(name="s", path="data/artifacts")
    assert store.path == str(tmp_path.resolve() / "data" / "artifacts")


def test_home_path_is_expanded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    store = LocalArtifactStore(name="s", path="~/arts")
    assert store.path == str(tmp_path.resolve() / "arts")


@pytest.mark.parametrize("path", ["", "   ", "s3://bucket/x", "gs://b"])
def test_invalid_paths_are_rejected(path: str) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="path"):
        LocalArtifactStore(name="s", path=path)


def test_provision_creates_the_folder_and_deprovision_keeps_it(tmp_path: Path) -> None:
    store = LocalArtifactStore(name="s", path=str(tmp_path / "new"))
    assert not store.is_provisioned
    assert store.state == "not provisioned"
    store.provision()
    assert store.is_provisioned and (tmp_path / "new").is_dir()
    (tmp_path / "new" / "artifact").write_text("x")
    store.deprovision()
    assert (tmp_path / "new" / "artifact").read_text() == "x"


def test_join_builds_paths_under_the_root(tmp_path: Path) -> None:
    store = LocalArtifactStore(name="s", path=str(tmp_path))
    assert store.join("runs", "/r1/", "out") == f"{tmp_path.resolve()}/runs/r1/out"
    assert store.join() == str(tmp_path.resolve())


def test_rename_into_a_new_parent_folder(tmp_path: Path) -> None:
    store = LocalArtifactStore(name="s", path=str(tmp_path))
    store.makedirs(store.join("tmp"))
    store.rename(store.join("tmp"), store.join("a", "b", "final"))
    assert store.isdir(store.join("a", "b", "final"))


def test_rename_never_replaces_a_folder(tmp_path: Path) -> None:
    store = LocalArtifactStore(name="s", path=str(tmp_path))
    store.makedirs(store.join("src"))
    store.makedirs(store.join("dst"))
    with pytest.raises(FileExistsError):
        store.rename(store.join("src"), store.join("dst"), overwrite=True)
