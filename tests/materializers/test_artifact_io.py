"""Atomic artifact writes, content hashes, and the cloudpickle fallback."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from cairn.artifact_stores import BaseArtifactStore, LocalArtifactStore
from cairn.exceptions import MaterializerError
from cairn.materializers import BaseMaterializer, load_artifact, write_artifact
from cairn.materializers.artifact_io import folder_digest
from cairn.materializers.builtin_materializers import BuiltInMaterializer
from cairn.materializers.cloudpickle_materializer import CloudpickleMaterializer
from cairn.models.run_records import PICKLE_MATERIALIZER_SOURCE


class Crash(Exception):
    pass


class HalfWriter(BaseMaterializer):
    """Writes part of its data, then fails, like a process dying mid-write."""

    ASSOCIATED_TYPES: ClassVar[tuple[type | str, ...]] = (bytes,)
    AUTO_REGISTER = False  # only used explicitly

    def save(self, data: Any) -> None:
        with self.open("part1.bin", "wb") as f:
            f.write(data)
        raise Crash("disk full")

    def load(self, data_type: type) -> Any:
        raise NotImplementedError


class Point:
    def __init__(self, x: int) -> None:
        self.x = x


def test_crash_mid_write_leaves_no_artifact(artifact_store: LocalArtifactStore) -> None:
    uri = artifact_store.join("run", "step", "output")
    with pytest.raises(MaterializerError, match="disk full") as info:
        write_artifact(artifact_store, uri, HalfWriter, b"abc")
    assert isinstance(info.value.__cause__, Crash)
    assert not artifact_store.exists(uri)
    assert artifact_store.listdir(artifact_store.join("run", "step")) == []


def test_write_goes_straight_to_its_new_folder(artifact_store: LocalArtifactStore) -> None:
    seen: list[str] = []

    class Spy(BuiltInMaterializer):
        def save(self, data: Any) -> None:
            seen.append(self.uri)
            super().save(data)

    uri = artifact_store.join("out")
    written = write_artifact(artifact_store, uri, Spy, [1])
    assert seen == [uri]  # no temporary folder, no rename: the metadata record commits
    assert artifact_store.listdir(artifact_store.path) == ["out"]
    assert written.uri == uri


def test_rewrite_never_replaces_what_it_did_not_create(
    artifact_store: LocalArtifactStore,
) -> None:
    uri = artifact_store.join("out")
    written = write_artifact(artifact_store, uri, BuiltInMaterializer, [1])
    with pytest.raises(MaterializerError, match="did not create"):
        write_artifact(artifact_store, uri, BuiltInMaterializer, [2])
    assert load_artifact(artifact_store, uri, written.materializer, list) == [1]


def test_content_hash_follows_content(artifact_store: LocalArtifactStore) -> None:
    a = write_artifact(artifact_store, artifact_store.join("a"), BuiltInMaterializer, {"x": 1})
    b = write_artifact(artifact_store, artifact_store.join("b"), BuiltInMaterializer, {"x": 1})
    c = write_artifact(artifact_store, artifact_store.join("c"), BuiltInMaterializer, {"x": 2})
    assert a.content_hash == b.content_hash != c.content_hash
    # the hash computed while writing equals one computed by reading the files back
    assert folder_digest(artifact_store, a.uri) == (a.size, a.content_hash)


def test_pickle_fallback_is_recorded(artifact_store: LocalArtifactStore) -> None:
    written = write_artifact(
        artifact_store, artifact_store.join("p"), CloudpickleMaterializer, Point(3)
    )
    assert written.properties["pickle"] is True
    assert written.materializer == PICKLE_MATERIALIZER_SOURCE
    loaded = load_artifact(artifact_store, written.uri, written.materializer, written.data_type)
    assert isinstance(loaded, Point) and loaded.x == 3


def test_broken_pickle_says_how_to_fix(artifact_store: LocalArtifactStore) -> None:
    uri = artifact_store.join("p")
    write_artifact(artifact_store, uri, CloudpickleMaterializer, Point(3))
    with artifact_store.open(uri + "/data.pkl", "wb") as f:
        f.write(b"not a pickle")
    with pytest.raises(MaterializerError, match="same Python"):
        load_artifact(artifact_store, uri, PICKLE_MATERIALIZER_SOURCE, object)


class MemoryArtifactStore(BaseArtifactStore):
    """An artifact store on fsspec's in-memory filesystem: no local paths at all."""

    FLAVOR: ClassVar[str] = "test_memory"
    SUPPORTED_SCHEMES: ClassVar[set[str]] = {"memory://"}

    def _make_filesystem(self) -> Any:
        from fsspec.implementations.memory import MemoryFileSystem

        return MemoryFileSystem()


@pytest.mark.parametrize("kind", ["json", "bytes", "numpy", "pandas", "arrow", "pydantic"])
def test_materializers_only_use_the_store_file_api(kind: str) -> None:
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    from pydantic import BaseModel

    from cairn.materializers import materializer_for

    class Params(BaseModel):
        n: int

    values: dict[str, Any] = {
        "json": {"a": [1]},
        "bytes": b"xyz",
        "numpy": np.arange(6).reshape(2, 3),
        "pandas": pd.DataFrame({"a": [1]}),
        "arrow": pa.table({"a": [1]}),
        "pydantic": Params(n=1),
    }
    value = values[kind]
    store = MemoryArtifactStore(name="mem", path=f"memory://cairn-{kind}")
    written = write_artifact(store, store.join("out"), materializer_for(type(value)), value)
    loaded = load_artifact(store, written.uri, written.materializer, type(value))
    if kind == "numpy":
        assert np.array_equal(loaded, value)
    elif kind == "pandas":
        pd.testing.assert_frame_equal(loaded, value)
    elif kind == "arrow":
        assert loaded.equals(value)
    else:
        assert loaded == value
    assert [p.rsplit("/", 1)[-1] for p in store.glob(store.join("*"))] == ["out"]
    store.rmtree(store.path)


_KILLED_WRITER = """
import os, signal, sys
from cairn.artifact_stores import LocalArtifactStore
from cairn.materializers import BaseMaterializer, write_artifact

class Dying(BaseMaterializer):
    ASSOCIATED_TYPES = (bytes,)
    AUTO_REGISTER = False  # only used explicitly
    def save(self, data):
        with self.open("data.bin", "wb") as f:
            f.write(data[: len(data) // 2])
            f.flush()
            os.kill(os.getpid(), signal.SIGKILL)
    def load(self, data_type):
        raise NotImplementedError

store = LocalArtifactStore(name="a", path=sys.argv[1])
write_artifact(store, store.join("out"), Dying, b"x" * 1_000_000)
"""


@pytest.mark.slow
def test_process_killed_mid_write_leaves_no_complete_artifact(
    artifact_store: LocalArtifactStore,
) -> None:
    import signal
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-c", _KILLED_WRITER, artifact_store.path], timeout=120, check=False
    )
    assert proc.returncode == -signal.SIGKILL
    # The half-written folder stays (no record points to it: it is not an artifact);
    # ``cairn artifact-store clean`` removes such folders (tests/cli/test_artifact_clean.py).
    assert artifact_store.listdir(artifact_store.path) == ["out"]
    assert artifact_store.size(artifact_store.join("out", "data.bin")) == 500_000


class Nested(BaseMaterializer):
    """Writes a file in a sub-folder through ``open`` and one file by its local path."""

    ASSOCIATED_TYPES: ClassVar[tuple[type | str, ...]] = (bytes,)
    AUTO_REGISTER = False  # only used explicitly

    def save(self, data: bytes) -> None:
        with self.open("sub/part.bin", "wb") as f:
            f.write(data)
        with self.open("sub/part.bin", "wb") as f:  # rewriting its own file is allowed
            f.write(data + b"!")
        with open(self.path("side.txt"), "w", encoding="utf-8") as f:  # not through open()
            f.write("side")

    def load(self, data_type: type) -> Any:
        with self.open("sub/part.bin", "rb") as f:
            return f.read()


def test_local_fast_path_hashes_like_the_fsspec_path(artifact_store: LocalArtifactStore) -> None:
    from cairn.materializers.artifact_io import is_plain_local

    assert is_plain_local(artifact_store)
    uri = artifact_store.join("run", "step", "out")
    written = write_artifact(artifact_store, uri, Nested, b"abc")
    assert load_artifact(artifact_store, uri, written.materializer, bytes) == b"abc!"
    assert written.size == 4 + 4
    # the same folder seen through a store that is not the plain local one: fsspec listing
    memory_like = MemoryArtifactStore(name="m", path="memory://cairn-digest")
    for rel in ("sub/part.bin", "side.txt"):
        with (
            artifact_store.open(f"{uri}/{rel}", "rb") as src,
            memory_like.open(memory_like.join("out", rel), "wb") as dst,
        ):
            dst.write(src.read())
    assert not is_plain_local(memory_like)
    assert folder_digest(memory_like, memory_like.join("out")) == (
        written.size,
        written.content_hash,
    )
    memory_like.rmtree(memory_like.path)


def test_local_write_refuses_a_file_in_its_place(artifact_store: LocalArtifactStore) -> None:
    uri = artifact_store.join("run", "step", "out")
    artifact_store.makedirs(artifact_store.join("run", "step"))
    with artifact_store.open(uri, "wb") as f:
        f.write(b"someone else's")
    with pytest.raises(MaterializerError, match="did not create"):
        write_artifact(artifact_store, uri, BuiltInMaterializer, [1])
    with artifact_store.open(uri, "rb") as f:
        assert f.read() == b"someone else's"


def test_subclassed_local_store_keeps_the_store_file_api(tmp_path: Any) -> None:
    from cairn.materializers.artifact_io import is_plain_local

    opened: list[str] = []

    class Watched(LocalArtifactStore):
        FLAVOR: ClassVar[str] = "test_watched_local"

        def open(self, path: str, mode: str = "rb", **kwargs: Any) -> Any:
            opened.append(mode)
            return super().open(path, mode, **kwargs)

    store = Watched(name="w", path=str(tmp_path / "w"))
    assert not is_plain_local(store)
    write_artifact(store, store.join("out"), BuiltInMaterializer, [1])
    assert "wb" in opened
