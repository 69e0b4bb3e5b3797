"""A fully cached re-run of a 10-step pipeline, timed inside the process.

The pipeline runs once (every step executes); then the same pipeline runs again
and every step is reused from the cache. The re-run is timed from
``pipeline().run()`` to its return (compilation, stack, records included).
Target: under 50 ms (ZenML: ~3.5 s). Median of several re-runs, fresh
temporary CAIRN_CONFIG_DIR.

Usage: python bench/cached_rerun.py [--repeats 10]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

from cairn import pipeline, step
from cairn.enums import ExecutionStatus


@step
def first() -> int:
    return 0


@step
def increment(x: int) -> int:
    return x + 1


@pipeline
def ten_steps() -> None:
    value = first()
    for _ in range(9):
        value = increment(value)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CAIRN_CONFIG_DIR"] = tmp
        ten_steps().run()  # every step executes once
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            run = ten_steps().run()
            times.append(time.perf_counter() - start)
        statuses = {s.status for s in run.steps.values()}
        assert statuses == {ExecutionStatus.CACHED}, statuses
    print(
        f"fully cached re-run of 10 steps: median {statistics.median(times) * 1000:.1f} ms "
        f"(min {min(times) * 1000:.1f} ms; target < 50 ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
