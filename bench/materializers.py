"""Benchmark: saving and loading a 200 MB numpy array through Cairn's materializer.

Compares :func:`cairn.materializers.write_artifact` + :func:`load_artifact` (atomic
write into the artifact store, content hash, zero-copy ``.npy``) against a plain
``np.save`` + ``np.load`` to the same disk, in the same run. Prints both medians and
the ratio (plain time / Cairn time; 1.0 means as fast as plain numpy).

With ``--through-step`` the Cairn side is a whole pipeline run on the default
local stack (a fresh ``CAIRN_CONFIG_DIR`` in the same temporary folder): one step
returns the array (made before timing), the next one takes it as its input, as
issue 14 measures it ("whole run minus creating the array").

Run: ``.venv/bin/python bench/materializers.py [--mb 200] [--repeat 5] [--through-step]``
"""

from __future__ import annotations

import argparse
import os
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


ARRAY: list[np.ndarray] = []
#: Untimed pairs first: on this VM, memory the process has not touched for a few
#: seconds can take 10-30x longer to fault in (the host backs it again), whichever
#: side allocates it; see docs/performance.md.
WARM_UP = 2


def _through_step(_store: LocalArtifactStore, array: np.ndarray, index: int) -> float:
    """A 2-step run: the array out of one step and into the next (run time, folder removed)."""
    from cairn import pipeline, step
    from cairn.client import Client

    @step
    def produce() -> np.ndarray:
        return ARRAY[0]

    @step
    def consume(values: np.ndarray) -> int:
        return int(values.shape[0])

    @pipeline(name="numpy_through_step", enable_cache=False)
    def through() -> None:
        consume(produce())

    ARRAY[:] = [array]
    configured = through()
    start = time.perf_counter()
    run = configured.run()
    elapsed = time.perf_counter() - start
    client = Client()
    assert client.get_run(run.name).steps["consume"].outputs["output"].load() == array.shape[0]
    client.delete_run(run.name)  # its 200 MB would fill the disk over many repeats
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--through-step", action="store_true", help="a whole pipeline run")
    args = parser.parse_args()
    array = np.random.default_rng(0).random(args.mb * 1024 * 1024 // 8)
    folder = Path(tempfile.mkdtemp(prefix="cairn-bench-"))
    store = LocalArtifactStore(name="bench", path=str(folder / "store"))
    measure = _cairn
    if args.through_step:
        os.environ["CAIRN_CONFIG_DIR"] = str(folder / "config")
        os.environ.setdefault("CAIRN_QUIET", "1")
        measure = _through_step
        _through_step(store, array[:1000], -1)  # warm up: imports, the store's schema
    plain, cairn = [], []
    try:
        for i in range(-WARM_UP, args.repeat):  # interleaved so both see the same disk state
            found = _plain(folder, array), measure(store, array, 1000 + i)
            if i >= 0:
                plain.append(found[0])
                cairn.append(found[1])
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    p, c = statistics.median(plain), statistics.median(cairn)
    print(f"array: {args.mb} MB, repeats: {args.repeat} (after {WARM_UP} untimed)")
    print(f"plain np.save + np.load : {p * 1000:8.1f} ms (median), {min(plain) * 1000:.1f} best")
    what = "cairn run of 2 steps    " if args.through_step else "cairn write + load      "
    print(f"{what}: {c * 1000:8.1f} ms (median), {min(cairn) * 1000:.1f} best")
    print(f"speed vs plain          : {p / c:8.0%} (median), {min(plain) / min(cairn):.0%} best")


if __name__ == "__main__":
    main()
