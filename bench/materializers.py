"""Benchmark: saving and loading a 200 MB numpy array through Cairn's materializer.

Compares :func:`cairn.materializers.write_artifact` + :func:`load_artifact` (atomic
write into the artifact store, content hash, zero-copy ``.npy``) against a plain
``np.save`` + ``np.load`` to the same disk, in the same run. Prints both medians and
the ratio (plain time / Cairn time; 1.0 means as fast as plain numpy).

Run: ``.venv/bin/python bench/materializers.py [--mb 200] [--repeat 5]``
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from cairn.artifact_stores import LocalArtifactStore
from cairn.materializers import load_artifact, materializer_for, write_artifact


def _plain(folder: Path, array: np.ndarray) -> float:
    path = folder / "plain.npy"
    start = time.perf_counter()
    np.save(path, array)
    loaded = np.load(path)
    elapsed = time.perf_counter() - start
    assert loaded.shape == array.shape
    path.unlink()
    return elapsed


def _cairn(store: LocalArtifactStore, array: np.ndarray, index: int) -> float:
    uri = store.join(f"artifact-{index}")
    start = time.perf_counter()
    written = write_artifact(store, uri, materializer_for(np.ndarray), array)
    loaded = load_artifact(store, written.uri, written.materializer, np.ndarray)
    elapsed = time.perf_counter() - start
    assert loaded.shape == array.shape
    store.rmtree(uri)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    array = np.random.default_rng(0).random(args.mb * 1024 * 1024 // 8)
    folder = Path(tempfile.mkdtemp(prefix="cairn-bench-"))
    store = LocalArtifactStore(name="bench", path=str(folder / "store"))
    plain, cairn = [], []
    try:
        for i in range(args.repeat):  # interleaved so both see the same disk state
            plain.append(_plain(folder, array))
            cairn.append(_cairn(store, array, i))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    p, c = statistics.median(plain), statistics.median(cairn)
    print(f"array: {args.mb} MB, repeats: {args.repeat}")
    print(f"plain np.save + np.load : {p * 1000:8.1f} ms (median)")
    print(f"cairn write + load      : {c * 1000:8.1f} ms (median)")
    print(f"speed vs plain          : {p / c:8.0%}")


if __name__ == "__main__":
    main()
