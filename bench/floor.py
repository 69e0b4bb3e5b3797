"""The physical floor of one persisted step: one SQLite transaction plus one small file.

What a step of a chain must do at the very least to be persisted: commit one row
to a SQLite database (WAL journal, ``synchronous=NORMAL``, ``BEGIN IMMEDIATE``,
as Cairn's metadata store) and write one small new file (``open(path, "xb")``).
:func:`floor_per_step` measures that, per step, in a folder of the caller's
choosing; ``bench/pipeline_overhead.py`` calls it in the same run and folder as
its pipelines, so the two are compared on the same disk state and load.

Two variants: ``file`` writes the new file into an existing folder (the floor the
issue names), ``folder`` also makes the file's own new folder first (what an
artifact, being a folder, costs at the least).

Run alone: ``.venv/bin/python bench/floor.py [--steps 500] [--repeats 5]``
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import tempfile
import time
import uuid


def _connect(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("CREATE TABLE IF NOT EXISTS steps (id TEXT PRIMARY KEY, name TEXT, at REAL)")
    return conn


def _one_batch(folder: str, steps: int, with_folder: bool) -> float:
    conn = _connect(os.path.join(folder, "floor.db"))
    files = os.path.join(folder, uuid.uuid4().hex)
    os.mkdir(files)
    try:
        start = time.perf_counter()
        for i in range(steps):
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO steps VALUES (?, ?, ?)", (uuid.uuid4().hex, "s", 0.0))
            conn.execute("COMMIT")
            target = files
            if with_folder:
                target = os.path.join(files, str(i))
                os.mkdir(target)
            with open(os.path.join(target, f"{i}.json"), "xb") as f:
                f.write(b"1")
        return (time.perf_counter() - start) / steps
    finally:
        conn.close()


def floor_per_step(folder: str, steps: int = 500, repeats: int = 5) -> dict[str, float]:
    """Median seconds per step of the floor, by variant (``file``, ``folder``)."""
    runs: dict[str, list[float]] = {"file": [], "folder": []}
    _one_batch(folder, 20, False)  # create the database first
    for _ in range(repeats):  # interleaved, so both see the same disk state
        for variant, found in runs.items():
            found.append(_one_batch(folder, steps, variant == "folder"))
    return {variant: statistics.median(found) for variant, found in runs.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        found = floor_per_step(tmp, args.steps, args.repeats)
    print(f"floor per step, one transaction + one new file: {found['file'] * 1000:.3f} ms")
    print(f"floor per step, one transaction + new folder + file: {found['folder'] * 1000:.3f} ms")


if __name__ == "__main__":
    main()
