"""Benchmark: listing the 50 newest runs through the client when the store holds 100,000.

Fills a fresh SQLite metadata store (bulk insert, 10 pipelines, realistic JSON
columns), then times ``Client.list_runs(limit=50)`` (and the same for one pipeline
and for one status) in a warm process. Prints the medians.

Run: ``.venv/bin/python bench/run_listing.py [--runs 100000] [--repeat 20]``
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from cairn.artifact_stores import LocalArtifactStore
from cairn.client import Client
from cairn.metadata_stores import SQLiteMetadataStore
from cairn.store.metadata.schema import pipeline_runs


def fill(store: SQLiteMetadataStore, runs: int, n_pipelines: int = 10) -> None:
    """Insert ``runs`` finished runs spread over ``n_pipelines`` pipelines."""
    ids = [
        store.get_or_create_pipeline(f"pipeline_{i}", {"steps": []}).id for i in range(n_pipelines)
    ]
    params = json.dumps({"lr": 0.1, "epochs": 10, "layers": [64, 32]})
    snapshot = json.dumps({"name": "default", "components": {"orchestrator": "default"}})
    start = time.time() - runs
    rows = [
        {
            "id": str(uuid.uuid4()),
            "name": f"run_{i}",
            "pipeline_id": ids[i % n_pipelines],
            "status": "failed" if i % 17 == 0 else "completed",
            "parameters": params,
            "runtime_options": "{}",
            "stack_snapshot": snapshot,
            "code_version": None,
            "enable_cache": True,
            "created": start + i,
            "started": start + i,
            "finished": start + i + 0.5,
        }
        for i in range(runs)
    ]
    with store.engine.begin() as conn:
        for chunk in range(0, runs, 10_000):
            conn.execute(pipeline_runs.insert(), rows[chunk : chunk + 10_000])


def timed(fn: object, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()  # type: ignore[operator]
        samples.append(time.perf_counter() - start)
        assert len(result) == 50
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="cairn-bench-"))
    try:
        store = SQLiteMetadataStore(name="bench", uri=str(folder / "metadata.db"))
        t0 = time.perf_counter()
        fill(store, args.runs)
        print(f"filled {args.runs} runs in {time.perf_counter() - t0:.1f} s")
        client = Client(
            metadata_store=SQLiteMetadataStore(name="bench", uri=str(folder / "metadata.db")),
            artifact_store=LocalArtifactStore(name="bench", path=str(folder / "artifacts")),
        )
        client.list_runs(limit=1)  # open the store (migration check) outside the timing
        newest = timed(lambda: client.list_runs(limit=50), args.repeat)
        by_pipeline = timed(lambda: client.list_runs("pipeline_3", limit=50), args.repeat)
        by_status = timed(lambda: client.list_runs(status="failed", limit=50), args.repeat)
        page_deep = timed(lambda: client.list_runs(limit=50, offset=5_000), args.repeat)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"50 newest runs                 : {newest * 1000:6.2f} ms (median of {args.repeat})")
    print(f"50 newest runs of one pipeline : {by_pipeline * 1000:6.2f} ms")
    print(f"50 newest failed runs          : {by_status * 1000:6.2f} ms")
    print(f"page at offset 5,000           : {page_deep * 1000:6.2f} ms")


if __name__ == "__main__":
    main()
