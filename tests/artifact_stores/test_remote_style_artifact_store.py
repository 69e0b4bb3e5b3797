"""The conformance suite on a store with a URL scheme (fsspec's in-memory filesystem).

It stands in for object stores (s3://, gs://): paths carry a scheme, and
rename is copy-and-delete.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from cairn.artifact_stores import BaseArtifactStore
from cairn.testing import ArtifactStoreConformance


class MemoryArtifactStore(BaseArtifactStore):
    FLAVOR: ClassVar[str] = "memory_test"
    SUPPORTED_SCHEMES: ClassVar[set[str]] = {"memory://"}

    def _make_filesystem(self) -> Any:
        from fsspec.implementations.memory import MemoryFileSystem

        return MemoryFileSystem()


class TestMemoryArtifactStoreConformance(ArtifactStoreConformance):
    ATOMIC_RENAME = False
    STREAMS = False  # the in-memory filesystem is the memory
    SHARED_ACROSS_PROCESSES = False

    def make_store(self) -> MemoryArtifactStore:
        return MemoryArtifactStore(name="mem", path=f"memory://cairn-{uuid.uuid4().hex[:8]}")


def test_glob_and_walk_keep_the_scheme() -> None:
    store = MemoryArtifactStore(name="mem", path=f"memory://g-{uuid.uuid4().hex[:8]}")
    with store.open(store.join("a.csv"), "wb") as f:
        f.write(b"x")
    try:
        assert store.glob(store.join("*.csv")) == [store.join("a.csv")]
        assert [root for root, _, _ in store.walk(store.path)] == [store.path]
    finally:
        store.rmtree(store.path)
