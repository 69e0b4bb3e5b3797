"""Large local writes reserve their blocks first on ext4/XFS, and nothing else changes."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from cairn.artifact_stores import LocalArtifactStore
from cairn.materializers import load_artifact, materializer_for, write_artifact
from cairn.materializers.artifact_io import folder_digest
from cairn.materializers.preallocate import _fs_type, preallocate

linux = pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs Linux's /proc")


@linux
def test_the_file_system_type_comes_from_mountinfo() -> None:
    assert _fs_type(os.stat("/proc/self").st_dev) == "proc"


def test_a_file_without_a_descriptor_is_left_alone() -> None:
    assert preallocate(io.BytesIO(), 1 << 20) is False


@linux
def test_preallocation_keeps_the_size_and_the_bytes(tmp_path: Path) -> None:
    """Where it is done, the size stays what was written: a cut write looks cut."""
    path = tmp_path / "data.bin"
    payload = os.urandom(3 << 20)
    with open(path, "xb") as f:
        f.write(b"header")
        done = preallocate(f, len(payload))
        f.flush()
        assert os.fstat(f.fileno()).st_size == len(b"header")  # KEEP_SIZE: nothing looks written
        f.write(payload)
    assert path.read_bytes() == b"header" + payload
    kind = _fs_type(os.stat(tmp_path).st_dev)
    assert done == (kind in ("ext4", "xfs")), kind


def test_a_large_array_reads_back_with_the_hash_of_its_file(tmp_path: Path) -> None:
    """Over the parallel-hash size (so a local file is preallocated where that helps)."""
    np = pytest.importorskip("numpy")
    store = LocalArtifactStore(name="s", path=str(tmp_path / "store"))
    array = np.arange(3 * 1024 * 1024, dtype=np.float64)  # 24 MB
    written = write_artifact(store, store.join("big"), materializer_for(np.ndarray), array)
    loaded = load_artifact(store, written.uri, written.materializer, np.ndarray)
    assert (loaded == array).all()
    files = sorted(p for p in Path(written.uri).rglob("*") if p.is_file())
    assert [f.name for f in files] == ["data.npy"]
    assert written.size == files[0].stat().st_size
    assert folder_digest(store, written.uri) == (written.size, written.content_hash)  # re-read
